INSERT INTO files (file_id, sha256, file_name, size_bytes, received_at, uploader, uploader_unit, notices)
VALUES (nextval('file_ids'), $sha256, $file_name, $size_bytes, $received_at, $uploader, $uploader_unit, $notices)
RETURNING file_id
