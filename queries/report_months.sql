-- Months for which any unit has an active ledger or summary, newest first.
SELECT DISTINCT month FROM stg_ledger
UNION
SELECT DISTINCT month FROM stg_summary
ORDER BY month DESC
