-- The ledger rows behind an item-level warning of unit $region, project $project
-- (all projects when empty) and month $month, chosen by $code.
WITH snapshot AS (
    SELECT * FROM stg_ledger
    WHERE region = $region AND month = $month AND ($project IS NULL OR project = $project)
),
previous AS (
    SELECT * FROM stg_ledger
    WHERE region = $region AND month = $prev_month AND ($project IS NULL OR project = $project)
),
chosen AS (
    SELECT 'NO_EVIDENCE' AS code, * FROM snapshot WHERE status = '已完成' AND evidence IS NULL
    UNION ALL
    SELECT 'DATE', * FROM snapshot
    WHERE status = '已完成' AND (completed_date > month_end OR completed_date < found_date)
    UNION ALL
    SELECT 'RUSH', * FROM snapshot WHERE completed_date > month_end - $rush_last_days AND completed_date <= month_end
    UNION ALL
    SELECT 'STALE', * FROM snapshot WHERE status <> '已完成'
    UNION ALL
    SELECT 'OVERDUE', * FROM snapshot WHERE deadline <= month_end AND status <> '已完成'
    UNION ALL
    SELECT 'SLOW', * FROM snapshot WHERE deadline <= month_end AND status <> '已完成'
    UNION ALL
    SELECT 'JUMP', s.* FROM snapshot AS s
    WHERE s.status = '已完成'
      AND NOT EXISTS (SELECT 1 FROM previous AS p WHERE p.item_id = s.item_id AND p.status = '已完成')
    UNION ALL
    SELECT 'MISMATCH', * FROM snapshot
    UNION ALL
    SELECT 'SHRINK', p.* FROM previous AS p
    WHERE NOT EXISTS (SELECT 1 FROM stg_ledger AS c WHERE c.region = p.region AND c.month = $month AND c.item_id = p.item_id)
)
SELECT '台账' AS source, item_id, project, county, description, status, found_date, deadline,
       completed_date, evidence, strftime(month, '%Y-%m') AS month, file_name, sheet, excel_row, upload_id
FROM chosen
WHERE code = $code
ORDER BY project, excel_row
