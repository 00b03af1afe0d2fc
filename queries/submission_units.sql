-- The units expected to report, in display order: the region master (by zone,
-- then the master's own order), then units seen only in uploads (by pinyin).
WITH zone_ranks AS (
    SELECT zone, min(sort_order) AS zone_rank
    FROM regions
    GROUP BY zone
),

master_units AS (
    SELECT r.region, r.zone, TRUE AS in_master, z.zone_rank, r.sort_order
    FROM regions AS r
    JOIN zone_ranks AS z USING (zone)
),

units_only_in_uploads AS (
    SELECT DISTINCT u.region, NULL AS zone, FALSE AS in_master, NULL AS zone_rank, NULL AS sort_order
    FROM uploads AS u
    WHERE u.kind IN ($ledger_kind, $summary_kind)
      AND u.region IS NOT NULL
      AND u.region NOT IN (SELECT region FROM regions)
)

SELECT region, zone, in_master
FROM (SELECT * FROM master_units UNION ALL SELECT * FROM units_only_in_uploads)
ORDER BY zone_rank NULLS LAST, sort_order NULLS LAST, region COLLATE zh
