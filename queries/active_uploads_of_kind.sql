-- The active uploads of one kind with their unit and month: those a new file's uploads may replace.
SELECT upload_id, region, month
FROM uploads
WHERE kind = $kind AND state = 'active'
ORDER BY upload_id
