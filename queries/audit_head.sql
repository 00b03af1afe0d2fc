-- The newest audit record: the next one continues its chain.
SELECT seq, hash
FROM audit_log
ORDER BY seq DESC
LIMIT 1
