-- The active upload that a new ledger or summary of the same unit, month and kind replaces.
SELECT upload_id
FROM uploads
WHERE kind = $kind AND region = $region AND month = $month AND state = 'active'
