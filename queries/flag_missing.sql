-- MISSING 未报送: a unit of the region master without a ledger for M while others sent one.
WITH sent AS (
    SELECT DISTINCT region FROM stg_ledger WHERE month = $month
)
SELECT r.region, NULL AS project, CAST($month AS DATE) AS month, 'medium' AS severity,
       struct_pack(sent_units := (SELECT count(*) FROM sent)) AS facts
FROM regions AS r
WHERE r.region NOT IN (SELECT region FROM sent)
  AND EXISTS (SELECT 1 FROM sent)
