-- VAGUE 描述笼统 (大而化之、避重就轻): of the items of a unit x project, many and a large share have a
-- vague 问题描述: blank, or too little left once the stock phrases are removed (item_quality).
SELECT region, project, CAST($month AS DATE) AS month, 'low' AS severity,
       struct_pack(items := count(*), vague := count(*) FILTER (WHERE vague),
                   share := count(*) FILTER (WHERE vague) / count(*)) AS facts
FROM item_quality
GROUP BY ALL
HAVING count(*) FILTER (WHERE vague) >= $vague_min_items
   AND at_least(count(*) FILTER (WHERE vague) / count(*), $vague_min_share)
