-- STALE 数据未更新: this month's list equals last month's (same ids, statuses and
-- completion dates) while items are still open. Needs last month's list.
WITH cur AS (
    SELECT region, item_id, status, completed_date FROM stg_ledger WHERE month = $month
),
prev AS (
    SELECT region, item_id, status, completed_date FROM stg_ledger WHERE month = $prev_month
),
changed AS (
    SELECT DISTINCT coalesce(c.region, p.region) AS region
    FROM cur AS c
    FULL JOIN prev AS p ON p.region = c.region AND p.item_id = c.item_id
    WHERE c.item_id IS NULL OR p.item_id IS NULL
       OR c.status <> p.status OR c.completed_date IS DISTINCT FROM p.completed_date
)
SELECT region, NULL AS project, CAST($month AS DATE) AS month, 'medium' AS severity,
       struct_pack(items := count(*), open_items := count(*) FILTER (WHERE status <> '已完成')) AS facts
FROM cur
WHERE region IN (SELECT region FROM prev)
  AND region NOT IN (SELECT region FROM changed)
GROUP BY region
HAVING count(*) FILTER (WHERE status <> '已完成') > 0
