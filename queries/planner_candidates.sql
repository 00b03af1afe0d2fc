-- Items of month $month reported as completed and not yet checked since their completion,
-- with the item-level signs of paper rectification the planner weighs.
WITH done AS (
    SELECT * FROM stg_ledger WHERE month = $month AND status = '已完成'
),
checked_since AS (
    SELECT DISTINCT d.region, d.item_id
    FROM done AS d
    JOIN stg_checks AS c ON c.region = d.region AND c.item_id = d.item_id AND c.check_date >= d.completed_date
)
SELECT d.region, u.zone, u.sort_order AS unit_order, d.item_id, d.project, d.county, d.responsible_unit, d.description, d.measures,
       d.completed_date, d.evidence,
       d.evidence IS NULL AS no_evidence,
       -- closed in the last days of a month (its own month, whichever it was)
       d.completed_date > last_day(d.completed_date) - $rush_last_days AS month_end_rush,
       d.completed_date > d.month_end OR d.completed_date < d.found_date AS odd_date,
       d.completed_date >= d.month AS completed_this_month,
       d.file_name, d.sheet, d.excel_row
FROM done AS d
LEFT JOIN stg_units AS u ON u.region = d.region
WHERE NOT EXISTS (SELECT 1 FROM checked_since AS c WHERE c.region = d.region AND c.item_id = d.item_id)
ORDER BY d.region, d.project, d.item_id
