-- Reporting units: the region master when loaded, plus any unit seen in uploads.
CREATE OR REPLACE TEMP VIEW stg_units AS
WITH seen AS (
    SELECT DISTINCT region FROM uploads WHERE region IS NOT NULL
    UNION
    SELECT DISTINCT region FROM checks
    UNION
    SELECT DISTINCT region FROM satisfaction
)
SELECT r.region, r.zone, r.sort_order, r.scale, true AS in_master
FROM regions AS r
UNION ALL
SELECT s.region, NULL AS zone, 100000 AS sort_order, NULL AS scale, false AS in_master
FROM seen AS s
WHERE s.region NOT IN (SELECT region FROM regions);
