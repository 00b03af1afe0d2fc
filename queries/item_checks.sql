-- Every active spot check of one problem, newest first.
SELECT check_date, method, result, CASE WHEN passed THEN '通过' ELSE '未通过' END AS verdict,
       inspector, sampling, note, file_name, sheet, excel_row, upload_id
FROM stg_checks
WHERE region = $region AND item_id = $item_id
ORDER BY check_date DESC, upload_id DESC, excel_row DESC
