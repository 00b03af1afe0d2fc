-- Ledger snapshots: the problems of the active ledger upload of each unit and month.
CREATE OR REPLACE TEMP VIEW stg_ledger AS
SELECT l.upload_id, l.sheet, l.excel_row, l.region, l.month, last_day(l.month) AS month_end,
       l.item_id, l.county, l.responsible_unit, l.project, l.source, l.description,
       l.root_cause, l.measures, l.found_date, l.deadline, l.status, l.completed_date,
       nullif(trim(l.evidence), '') AS evidence, f.file_name
FROM ledger_items AS l
JOIN uploads AS u ON u.upload_id = l.upload_id AND u.state = 'active'
JOIN files AS f ON f.file_id = u.file_id;
