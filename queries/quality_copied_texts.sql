-- The most-copied 整改措施 of the month: copied items grouped by their norm() text, with the
-- units that use the text or an alike one, the number of items and one text as typed.
WITH copied AS (
    SELECT q.region, q.project, q.item_id, CAST(q.other_region AS VARCHAR) AS other_region, q.measure_norm, l.measures
    FROM item_quality AS q
    JOIN stg_ledger AS l ON l.region = q.region AND l.item_id = q.item_id AND l.month = $month
    WHERE q.copied
)
SELECT min(measures) AS measures,
       count(*) AS items,
       list_sort(list_distinct(flatten([list(region), list(other_region)]))) AS units,
       list(DISTINCT region ORDER BY region) AS copying_units,
       list(DISTINCT project ORDER BY project) AS projects
FROM copied
GROUP BY measure_norm
ORDER BY len(units) DESC, items DESC, measures
LIMIT $limit
