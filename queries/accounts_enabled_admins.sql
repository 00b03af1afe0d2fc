SELECT count(*) FROM accounts WHERE NOT disabled AND NOT demo AND list_contains(roles, 'admin')
