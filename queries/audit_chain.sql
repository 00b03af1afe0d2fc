-- Every audit record in chain order, for verification.
SELECT seq, happened_at, account, roles, action, target, outcome, detail, prev_hash, hash
FROM audit_log
ORDER BY seq
