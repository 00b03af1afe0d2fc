SELECT login, display_name, email, roles, units, password_hash, must_change_password, disabled, demo,
       failed_attempts, locked_until, sessions_valid_from, created_at, updated_at
FROM accounts
WHERE lower(login) = lower($login)
