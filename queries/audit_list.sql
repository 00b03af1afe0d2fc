-- Audit records of a period (dates inclusive; NULL leaves that end open), newest first.
SELECT seq, happened_at, account, roles, action, target, outcome, detail, hash
FROM audit_log
WHERE ($date_from IS NULL OR happened_at >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR happened_at < CAST($date_to AS DATE) + INTERVAL 1 DAY)
ORDER BY seq DESC
