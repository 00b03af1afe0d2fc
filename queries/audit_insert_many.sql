-- `incoming_audit`: consecutive audit records, each already chained to the one before it.
INSERT INTO audit_log (seq, happened_at, account, roles, action, target, outcome, detail, prev_hash, hash)
SELECT seq, happened_at, account, roles, action, target, outcome, detail, prev_hash, hash
FROM incoming_audit
