INSERT INTO files (file_id, sha256, file_name, size_bytes, received_at, uploader, uploader_unit, notices)
VALUES ($file_id, $sha256, $file_name, $size_bytes, $received_at, $uploader, $uploader_unit, $notices)
