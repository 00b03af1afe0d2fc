-- MISMATCH 数字不一致 of a whole unit: the 合计 row against the sum of its rows.
WITH judged AS (
    SELECT region, month, stated_total, stated_completed, stated_rate, rows_total, rows_completed,
           ratio(rows_completed, rows_total) AS rows_rate,
           coalesce(stated_total <> rows_total, false) AS total_differs,
           coalesce(stated_completed <> rows_completed, false) AS completed_differs,
           coalesce(round(abs(stated_rate - ratio(rows_completed, rows_total)), 9) > $mismatch_rate_tolerance, false)
               AS rate_differs
    FROM stg_summary_totals
    WHERE month = $month
)
SELECT region, NULL AS project, month,
       CASE
           WHEN coalesce(stated_completed > rows_completed, false)
             OR (rate_differs AND stated_rate > rows_rate) THEN 'high'
           ELSE 'low'
       END AS severity,
       struct_pack(stated_total := stated_total, stated_completed := stated_completed,
                   stated_rate := stated_rate, rows_total := rows_total,
                   rows_completed := rows_completed, rows_rate := rows_rate) AS facts
FROM judged
WHERE total_differs OR completed_differs OR rate_differs
