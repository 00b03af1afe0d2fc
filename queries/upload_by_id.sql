SELECT u.upload_id, u.kind, u.region, u.month, u.state, u.sheet, u.row_count, f.file_name
FROM uploads AS u
JOIN files AS f USING (file_id)
WHERE u.upload_id = $upload_id
