-- The latest 专班审核 decision on every upload that has one.
SELECT upload_id, decision, reason, reviewer, reviewed_at
FROM reviews
QUALIFY row_number() OVER (PARTITION BY upload_id ORDER BY reviewed_at DESC, decision) = 1
