SELECT login, display_name, email, roles, units, must_change_password, disabled, demo,
       failed_attempts, locked_until, created_at, updated_at
FROM accounts
ORDER BY demo, login
