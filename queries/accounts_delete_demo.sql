DELETE FROM accounts WHERE demo
