-- Spot checks add up; a row identical to one already stored (and active) is skipped.
INSERT INTO checks
SELECT i.upload_id, i.sheet, i.excel_row, i.region, i.item_id, CAST(i.check_date AS DATE), i.method,
       i.result, i.passed, i.inspector, i.note, i.sampling, i.extra
FROM incoming AS i
WHERE NOT EXISTS (
    SELECT 1
    FROM checks AS c
    JOIN uploads AS u ON u.upload_id = c.upload_id AND u.state = 'active'
    WHERE c.region = i.region AND c.item_id = i.item_id AND c.check_date = CAST(i.check_date AS DATE)
      AND c.result = i.result
      AND c.method IS NOT DISTINCT FROM i.method
      AND c.inspector IS NOT DISTINCT FROM i.inspector
      AND c.note IS NOT DISTINCT FROM i.note
      AND c.sampling IS NOT DISTINCT FROM i.sampling
)
