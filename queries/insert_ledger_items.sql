-- `incoming` is the validated ledger frame, one row per problem.
INSERT INTO ledger_items
SELECT upload_id, sheet, excel_row, region, CAST(month AS DATE), item_id, county, responsible_unit,
       project, source, description, root_cause, measures,
       CAST(found_date AS DATE), CAST(deadline AS DATE), status, CAST(completed_date AS DATE),
       evidence, extra
FROM incoming
