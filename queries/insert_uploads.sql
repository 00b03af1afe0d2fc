-- `incoming_uploads`: the uploads of one file, numbered by the caller under the write lock.
INSERT INTO uploads (upload_id, file_id, kind, region, month, sheet, row_count, state, created_at)
SELECT upload_id, file_id, kind, region, month, sheet, row_count, 'active', created_at
FROM incoming_uploads
