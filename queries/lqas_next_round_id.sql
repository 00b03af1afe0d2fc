-- The next LQAS round number (the caller holds the write lock: no sequence in the schema).
SELECT coalesce(max(round_id), 0) + 1 FROM lqas_rounds
