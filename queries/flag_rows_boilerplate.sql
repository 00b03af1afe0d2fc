-- The copied items behind BOILERPLATE of unit $region, project $project, month $month: each 整改措施
-- beside the other unit's item it is alike to (both texts as typed), with the Jaccard index.
SELECT '台账' AS source, q.item_id, q.project, s.measures, q.other_region, q.other_item_id,
       o.measures AS other_measures, q.jaccard, s.description, strftime(s.month, '%Y-%m') AS month,
       s.file_name, s.sheet, s.excel_row, s.upload_id
FROM item_quality AS q
JOIN stg_ledger AS s ON s.region = q.region AND s.item_id = q.item_id AND s.month = $month
JOIN stg_ledger AS o ON o.region = q.other_region AND o.item_id = q.other_item_id AND o.month = $month
WHERE q.copied AND q.region = $region AND ($project IS NULL OR q.project = $project)
ORDER BY q.project, s.excel_row
