-- `incoming_events`: lines of upload history in order (`position` 1, 2, …), numbered after the last one.
INSERT INTO upload_events (event_id, upload_id, action, happened_at, actor, note)
SELECT (SELECT coalesce(max(event_id), 0) FROM upload_events) + position, upload_id, action, happened_at, actor, note
FROM incoming_events
