-- The items behind VAGUE of unit $region, project $project, month $month: the vague 问题描述 as typed
-- and what is left of it once the stock phrases are removed.
SELECT '台账' AS source, q.item_id, q.project, s.description, q.description_left, s.status,
       strftime(s.month, '%Y-%m') AS month, s.file_name, s.sheet, s.excel_row, s.upload_id
FROM item_quality AS q
JOIN stg_ledger AS s ON s.region = q.region AND s.item_id = q.item_id AND s.month = $month
WHERE q.vague AND q.region = $region AND ($project IS NULL OR q.project = $project)
ORDER BY q.project, s.excel_row
