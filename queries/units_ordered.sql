-- Units in display order: by zone and the region master's order, then unknown units by name.
SELECT region, zone, in_master
FROM stg_units
ORDER BY in_master DESC, zone NULLS LAST, sort_order, region
