-- A stored file with the same bytes, with the states of its uploads.
SELECT f.file_id, f.file_name, f.received_at,
       count(u.upload_id) FILTER (WHERE u.state = 'active') AS active_uploads,
       count(u.upload_id) AS uploads
FROM files AS f
LEFT JOIN uploads AS u USING (file_id)
WHERE f.sha256 = $sha256
GROUP BY ALL
