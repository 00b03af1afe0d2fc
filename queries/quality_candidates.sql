-- Candidate pairs of alike texts: equal hashes in one LSH band (measure_band_keys), sizes that
-- allow a Jaccard index of $jaccard_num/$jaccard_den, and not both used by one and the same unit only.
WITH sizes AS (
    SELECT text_id, count(*) AS size FROM measure_grams GROUP BY text_id
),
pairs AS (
    SELECT DISTINCT a.text_id AS text_a, b.text_id AS text_b
    FROM measure_band_keys AS a
    JOIN measure_band_keys AS b ON a.band = b.band AND a.band_key = b.band_key AND a.text_id < b.text_id
)
SELECT p.text_a, p.text_b
FROM pairs AS p
JOIN sizes AS size_a ON size_a.text_id = p.text_a
JOIN sizes AS size_b ON size_b.text_id = p.text_b
JOIN measure_texts AS ta ON ta.text_id = p.text_a
JOIN measure_texts AS tb ON tb.text_id = p.text_b
WHERE least(size_a.size, size_b.size) * $jaccard_den >= greatest(size_a.size, size_b.size) * $jaccard_num
  AND NOT (len(ta.regions) = 1 AND ta.regions = tb.regions)
ORDER BY p.text_a, p.text_b
