-- The summary rows (and the 合计 row) behind MISMATCH, JUMP and LOW_SATISFACTION.
SELECT '汇总' AS source, project, strftime(month, '%Y-%m') AS month, total, completed, stated_rate,
       NULL AS satisfaction, file_name, sheet, excel_row, upload_id
FROM stg_summary
WHERE region = $region AND month IN ($month, $prev_month) AND ($project IS NULL OR project = $project)
UNION ALL
SELECT '合计', NULL, strftime(month, '%Y-%m'), stated_total, stated_completed, stated_rate,
       NULL, file_name, sheet, excel_row, upload_id
FROM stg_summary_totals
WHERE region = $region AND month = $month AND $project IS NULL
UNION ALL
SELECT '评议', project, strftime(month, '%Y-%m'), sample_size, NULL, NULL,
       satisfaction, file_name, sheet, excel_row, upload_id
FROM stg_satisfaction
WHERE region = $region AND month = $month AND ($project IS NULL OR project = $project)
ORDER BY source, month DESC, excel_row
