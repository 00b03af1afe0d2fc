-- MISMATCH 数字不一致, per unit x project: the summary against the ledger and
-- against its own counts. High when the summary overstates completion.
WITH ledger_sent AS (
    SELECT DISTINCT region FROM stg_ledger WHERE month = $month
),
rows_checked AS (
    SELECT s.region, s.project, s.month, s.total, s.completed, s.stated_rate,
           coalesce(b.ledger_total, 0) AS ledger_total,
           coalesce(b.ledger_completed, 0) AS ledger_completed,
           s.region IN (SELECT region FROM ledger_sent) AS has_ledger,
           ratio(s.completed, s.total) AS counted_rate
    FROM stg_summary AS s
    LEFT JOIN base_metrics AS b USING (region, project, month)
    WHERE s.month = $month
),
judged AS (
    SELECT *,
           has_ledger AND (total <> ledger_total OR completed <> ledger_completed) AS differs_from_ledger,
           stated_rate IS NOT NULL AND counted_rate IS NOT NULL
               AND round(abs(stated_rate - counted_rate), 9) > $mismatch_rate_tolerance AS rate_differs
    FROM rows_checked
)
SELECT region, project, month,
       CASE
           WHEN (differs_from_ledger AND completed > ledger_completed)
             OR (rate_differs AND stated_rate > counted_rate) THEN 'high'
           ELSE 'low'
       END AS severity,
       struct_pack(total := total, completed := completed, ledger_total := ledger_total,
                   ledger_completed := ledger_completed, stated_rate := stated_rate,
                   counted_rate := counted_rate, differs_from_ledger := differs_from_ledger,
                   rate_differs := rate_differs) AS facts
FROM judged
WHERE differs_from_ledger OR rate_differs
