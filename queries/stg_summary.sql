-- Summary rows of the active summary upload of each unit and month.
CREATE OR REPLACE TEMP VIEW stg_summary AS
SELECT s.upload_id, s.sheet, s.excel_row, s.region, s.month, s.project,
       s.total, s.completed, s.stated_rate, f.file_name
FROM summary_rows AS s
JOIN uploads AS u ON u.upload_id = s.upload_id AND u.state = 'active'
JOIN files AS f ON f.file_id = u.file_id;

-- The 合计 rows of those uploads, with the sums of their own rows. A sheet holding
-- several units or months is stored as one upload per unit and month; its single
-- 合计 row sums all of them, so it is not checked against any one unit's rows (the
-- upload told the user so).
CREATE OR REPLACE TEMP VIEW stg_summary_totals AS
SELECT t.upload_id, t.sheet, t.excel_row, t.region, t.month,
       t.total AS stated_total, t.completed AS stated_completed, t.stated_rate,
       (SELECT sum(s.total) FROM summary_rows AS s WHERE s.upload_id = t.upload_id) AS rows_total,
       (SELECT sum(s.completed) FROM summary_rows AS s WHERE s.upload_id = t.upload_id) AS rows_completed,
       f.file_name
FROM summary_totals AS t
JOIN uploads AS u ON u.upload_id = t.upload_id AND u.state = 'active'
JOIN files AS f ON f.file_id = u.file_id
WHERE (SELECT count(*) FROM uploads AS o WHERE o.file_id = u.file_id AND o.sheet = u.sheet AND o.kind = u.kind) = 1;
