-- Satisfaction rows add up; a row identical to one already stored (and active) is skipped.
INSERT INTO satisfaction
SELECT i.upload_id, i.sheet, i.excel_row, i.region, i.project, CAST(i.month AS DATE),
       i.satisfaction, i.sample_size, i.extra
FROM incoming AS i
WHERE NOT EXISTS (
    SELECT 1
    FROM satisfaction AS s
    JOIN uploads AS u ON u.upload_id = s.upload_id AND u.state = 'active'
    WHERE s.region = i.region AND s.project = i.project AND s.month = CAST(i.month AS DATE)
      AND s.satisfaction = i.satisfaction
      AND s.sample_size IS NOT DISTINCT FROM i.sample_size
)
