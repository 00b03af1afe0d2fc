INSERT INTO reviews (upload_id, decision, reason, reviewer, reviewed_at)
VALUES ($upload_id, $decision, $reason, $reviewer, $reviewed_at)
