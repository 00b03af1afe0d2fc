-- List quality per unit x project of the month, from item_quality (staged by rectlens.quality):
-- items, qualifying and copied 整改措施, vague 问题描述.
SELECT q.region, u.zone, q.project,
       count(*) AS items,
       count(*) FILTER (WHERE q.qualifies) AS qualifying,
       count(*) FILTER (WHERE q.copied) AS copied,
       count(*) FILTER (WHERE q.vague) AS vague
FROM item_quality AS q
LEFT JOIN stg_units AS u USING (region)
GROUP BY ALL
ORDER BY q.region, q.project
