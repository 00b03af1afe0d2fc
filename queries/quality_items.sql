-- The items of month $month with the texts the list-quality rules read (整改措施, 问题描述).
SELECT region, project, item_id, measures, description
FROM stg_ledger
WHERE month = $month
ORDER BY region, item_id
