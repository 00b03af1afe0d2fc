-- The exact Jaccard index of the 3-gram sets of each screened pair; only pairs at or above
-- $jaccard_num/$jaccard_den are kept (integers: 0.80 is exactly 4/5).
WITH wanted AS (
    SELECT text_a AS text_id FROM measure_screened
    UNION
    SELECT text_b FROM measure_screened
),
gram_lists AS (
    SELECT g.text_id, list(g.gram) AS grams
    FROM measure_grams AS g
    WHERE g.text_id IN (SELECT text_id FROM wanted)
    GROUP BY g.text_id
),
scored AS (
    SELECT s.text_a, s.text_b, len(list_intersect(la.grams, lb.grams)) AS shared,
           len(la.grams) AS size_a, len(lb.grams) AS size_b
    FROM measure_screened AS s
    JOIN gram_lists AS la ON la.text_id = s.text_a
    JOIN gram_lists AS lb ON lb.text_id = s.text_b
)
SELECT text_a, text_b, shared, size_a + size_b - shared AS union_size
FROM scored
WHERE shared * $jaccard_den >= (size_a + size_b - shared) * $jaccard_num
ORDER BY text_a, text_b
