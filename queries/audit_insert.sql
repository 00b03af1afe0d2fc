INSERT INTO audit_log (seq, happened_at, account, roles, action, target, outcome, detail, prev_hash, hash)
VALUES ($seq, $happened_at, $account, $roles, $action, $target, $outcome, $detail, $prev_hash, $hash)
