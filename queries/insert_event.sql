INSERT INTO upload_events (event_id, upload_id, action, happened_at, actor, note)
VALUES (nextval('event_ids'), $upload_id, $action, $happened_at, $actor, $note)
