-- Spot checks of active uploads. Where several compete, the latest wins:
-- latest date, then the later upload, then the lower row.
CREATE OR REPLACE TEMP VIEW stg_checks AS
SELECT c.upload_id, c.sheet, c.excel_row, c.region, c.item_id, c.check_date, c.method,
       c.result, c.passed, c.inspector, c.note, c.sampling, f.file_name
FROM checks AS c
JOIN uploads AS u ON u.upload_id = c.upload_id AND u.state = 'active'
JOIN files AS f ON f.file_id = u.file_id;
