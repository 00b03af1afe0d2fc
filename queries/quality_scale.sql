-- Problems of the month against 规模, per unit with a 规模 and a ledger (the base of FEW_PROBLEMS).
SELECT u.region, u.zone, u.scale, count(l.item_id) AS ledger_total
FROM stg_units AS u
JOIN stg_ledger AS l ON l.region = u.region AND l.month = $month
WHERE u.scale IS NOT NULL
GROUP BY ALL
ORDER BY u.region
