-- When the stored data last changed: the latest upload stored, superseded, restored or withdrawn.
SELECT max(happened_at) AS as_of
FROM upload_events
