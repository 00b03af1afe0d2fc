INSERT INTO upload_events (event_id, upload_id, action, happened_at, actor, note)
SELECT coalesce(max(event_id), 0) + 1, $upload_id, $action, $happened_at, $actor, $note
FROM upload_events
