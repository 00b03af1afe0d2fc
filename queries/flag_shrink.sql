-- SHRINK 清单缩水: problems of last month's list of (R, P) missing from this month's list.
WITH current_ids AS (
    SELECT region, item_id FROM stg_ledger WHERE month = $month
),
missing AS (
    SELECT p.region, p.project, p.item_id
    FROM stg_ledger AS p
    WHERE p.month = $prev_month
      AND p.region IN (SELECT region FROM current_ids)
      AND NOT EXISTS (SELECT 1 FROM current_ids AS c WHERE c.region = p.region AND c.item_id = p.item_id)
)
SELECT region, project, CAST($month AS DATE) AS month, 'high' AS severity,
       struct_pack(missing := count(*), examples := string_agg(item_id, '、' ORDER BY item_id)) AS facts
FROM missing
GROUP BY ALL
