-- Public evaluation: the latest active row for each unit, project and month.
CREATE OR REPLACE TEMP VIEW stg_satisfaction AS
SELECT region, project, month, satisfaction, sample_size, upload_id, sheet, excel_row, file_name
FROM (
    SELECT s.*, f.file_name,
           row_number() OVER (PARTITION BY s.region, s.project, s.month
                              ORDER BY s.upload_id DESC, s.excel_row DESC) AS recency
    FROM satisfaction AS s
    JOIN uploads AS u ON u.upload_id = s.upload_id AND u.state = 'active'
    JOIN files AS f ON f.file_id = u.file_id
)
WHERE recency = 1;
