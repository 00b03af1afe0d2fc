-- JUMP 突击整改: reported rate rose sharply since the previous calendar month.
-- No previous month for the unit (no ledger or summary) means no judgement.
WITH rates AS (
    SELECT region, project, month, reported_rate_of(stated_rate, completed, total) AS reported_rate,
           checked, passed
    FROM base_metrics
),
previous_sent AS (
    SELECT DISTINCT region FROM base_metrics WHERE month = $prev_month
)
SELECT cur.region, cur.project, cur.month,
       CASE
           WHEN gap_fires(cur.passed, cur.checked, $gap_min_checked, $gap_pass_high) THEN 'high'
           ELSE 'medium'
       END AS severity,
       struct_pack(previous := prev.reported_rate, current := cur.reported_rate,
                   rise := cur.reported_rate - prev.reported_rate) AS facts
FROM rates AS cur
JOIN rates AS prev
  ON prev.region = cur.region AND prev.project = cur.project AND prev.month = $prev_month
WHERE cur.month = $month
  AND cur.region IN (SELECT region FROM previous_sent)
  AND at_least(cur.reported_rate - prev.reported_rate, $jump_rise)
