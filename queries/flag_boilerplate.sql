-- BOILERPLATE 措施雷同 (上下一般粗): of the qualifying 整改措施 of a unit x project, many and a large
-- share are alike to the measure of an item of another unit (item_quality, staged by rectlens.quality).
SELECT region, project, CAST($month AS DATE) AS month, 'medium' AS severity,
       struct_pack(qualifying := count(*) FILTER (WHERE qualifies),
                   copied := count(*) FILTER (WHERE copied),
                   share := count(*) FILTER (WHERE copied) / count(*) FILTER (WHERE qualifies),
                   other_units := count(DISTINCT other_region),
                   examples := string_agg(DISTINCT other_region, '、' ORDER BY other_region)) AS facts
FROM item_quality
GROUP BY ALL
HAVING count(*) FILTER (WHERE copied) >= $boilerplate_min_items
   AND at_least(count(*) FILTER (WHERE copied) / count(*) FILTER (WHERE qualifies), $boilerplate_min_share)
