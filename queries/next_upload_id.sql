-- The next upload number (the caller holds the write lock: no sequence in the schema).
SELECT coalesce(max(upload_id), 0) + 1 FROM uploads
