-- The active upload of one unit, month and sheet kind, with its file: the previous month
-- that an incoming ledger is compared with, or the version an incoming upload replaces.
SELECT u.upload_id, u.row_count, u.created_at, f.file_name, f.uploader, f.uploader_unit
FROM uploads AS u
JOIN files AS f USING (file_id)
WHERE u.kind = $kind AND u.region = $region AND u.month = $month AND u.state = 'active'
ORDER BY u.upload_id DESC
LIMIT 1
