-- A round already registered for the same plan (same month, design, seed and items).
SELECT round_id FROM lqas_rounds WHERE fingerprint = $fingerprint
