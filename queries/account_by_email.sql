-- Accounts with this e-mail address (an SSO identity is matched by login or e-mail).
SELECT login
FROM accounts
WHERE email IS NOT NULL AND lower(email) = lower($email)
