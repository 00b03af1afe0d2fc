SELECT e.event_id, e.upload_id, e.action, e.happened_at, e.actor, e.note
FROM upload_events AS e
ORDER BY e.happened_at DESC, e.event_id DESC
