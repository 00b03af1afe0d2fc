INSERT INTO summary_rows
SELECT upload_id, sheet, excel_row, region, CAST(month AS DATE), project,
       total, completed, stated_rate, extra
FROM incoming
