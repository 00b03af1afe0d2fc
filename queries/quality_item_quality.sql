-- Per item of the month: whether its 整改措施 qualifies and is alike to an item of another unit
-- (and the most alike such item: highest Jaccard, then unit and 问题编号), and whether its
-- 问题描述 is vague. Reads quality_item_norms, measure_texts and measure_alike.
CREATE OR REPLACE TEMP TABLE item_quality AS
WITH item_texts AS (
    SELECT i.*, t.text_id
    FROM quality_item_norms AS i
    LEFT JOIN measure_texts AS t ON i.qualifies AND t.norm = i.measure_norm
),
partner_texts AS (
    SELECT text_id, text_id AS partner_id, 1.0 AS jaccard FROM measure_texts
    UNION ALL
    SELECT text_a, text_b, shared / union_size FROM measure_alike
    UNION ALL
    SELECT text_b, text_a, shared / union_size FROM measure_alike
),
text_units AS (
    SELECT DISTINCT text_id, region FROM item_texts WHERE text_id IS NOT NULL
),
partners AS (
    SELECT tu.text_id, tu.region, o.region AS other_region, o.item_id AS other_item_id,
           o.project AS other_project, p.jaccard,
           row_number() OVER (PARTITION BY tu.text_id, tu.region
                              ORDER BY p.jaccard DESC, o.region, o.item_id) AS rank
    FROM text_units AS tu
    JOIN partner_texts AS p ON p.text_id = tu.text_id
    JOIN item_texts AS o ON o.text_id = p.partner_id AND o.region <> tu.region
)
SELECT i.region, i.project, i.item_id, i.measure_norm, i.qualifies,
       p.other_region IS NOT NULL AS copied,
       p.other_region, p.other_item_id, p.other_project, p.jaccard,
       i.vague, i.description_left
FROM item_texts AS i
LEFT JOIN partners AS p ON p.text_id = i.text_id AND p.region = i.region AND p.rank = 1
