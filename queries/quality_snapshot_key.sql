-- What the list-quality results of month $month depend on: its active ledger uploads and their files.
SELECT coalesce(string_agg(u.upload_id || ':' || f.sha256, ',' ORDER BY u.upload_id), '')
FROM uploads AS u
JOIN files AS f ON f.file_id = u.file_id
WHERE u.kind = 'ledger' AND u.state = 'active' AND u.month = $month
