SELECT r.region, r.zone, r.sort_order,
       list(c.county ORDER BY c.county) FILTER (WHERE c.county IS NOT NULL) AS counties
FROM regions AS r
LEFT JOIN region_counties AS c USING (region)
GROUP BY ALL
ORDER BY r.sort_order
