-- STALE 数据未更新: this month's list equals last month's while items are still open.
WITH cur AS (
    SELECT region, item_id, status, completed_date FROM stg_ledger WHERE month = $month
),
prev AS (
    SELECT region, item_id, status, completed_date FROM stg_ledger WHERE month = $prev_month
),
changed AS (
    SELECT region FROM (SELECT * FROM cur EXCEPT ALL SELECT * FROM prev)
    UNION
    SELECT region FROM (SELECT * FROM prev EXCEPT ALL SELECT * FROM cur)
)
SELECT region, NULL AS project, CAST($month AS DATE) AS month, 'medium' AS severity,
       struct_pack(items := count(*), open_items := count(*) FILTER (WHERE status <> '已完成')) AS facts
FROM cur
WHERE region IN (SELECT region FROM prev)
  AND region NOT IN (SELECT region FROM changed)
GROUP BY region
HAVING count(*) FILTER (WHERE status <> '已完成') > 0
