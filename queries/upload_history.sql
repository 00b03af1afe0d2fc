-- Every upload with its file, newest first.
SELECT u.upload_id, u.kind, u.region, strftime(u.month, '%Y-%m') AS month, u.sheet, u.row_count,
       u.state, u.created_at, f.file_name, f.sha256, f.uploader, f.uploader_unit, f.file_id
FROM uploads AS u
JOIN files AS f USING (file_id)
ORDER BY u.created_at DESC, u.upload_id DESC
