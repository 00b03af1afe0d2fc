-- One problem's status in every month's active ledger snapshot of its unit.
SELECT strftime(month, '%Y-%m') AS month, status, completed_date, deadline, evidence, measures,
       file_name, sheet, excel_row, upload_id
FROM stg_ledger
WHERE region = $region AND item_id = $item_id
ORDER BY month
