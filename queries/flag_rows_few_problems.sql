-- The comparison behind FEW_PROBLEMS of month $month: every unit with a 规模 and a ledger, its
-- problems per 10,000 of 规模, the unit $region first.
WITH ledgers AS (
    SELECT region, count(*) AS ledger_total FROM stg_ledger WHERE month = $month GROUP BY region
)
SELECT '地区' AS source, l.region, u.scale, l.ledger_total, 10000 * l.ledger_total / u.scale AS per_10k,
       strftime(CAST($month AS DATE), '%Y-%m') AS month
FROM ledgers AS l
JOIN stg_units AS u USING (region)
WHERE u.scale IS NOT NULL
ORDER BY l.region <> $region, per_10k, l.region
