-- The next file number (the caller holds the write lock: no sequence in the schema).
SELECT coalesce(max(file_id), 0) + 1 FROM files
