UPDATE accounts
SET display_name = $display_name, email = $email, roles = $roles, units = $units,
    password_hash = $password_hash, must_change_password = $must_change_password, disabled = $disabled,
    failed_attempts = $failed_attempts, locked_until = $locked_until, sessions_valid_from = $sessions_valid_from,
    updated_at = $updated_at
WHERE login = $login
