-- The distinct qualifying 整改措施 (normalised) of the month, each with the units that use it.
CREATE OR REPLACE TEMP TABLE measure_texts AS
SELECT row_number() OVER (ORDER BY measure_norm) AS text_id,
       measure_norm AS norm,
       list(DISTINCT region ORDER BY region) AS regions
FROM quality_item_norms
WHERE qualifies
GROUP BY measure_norm
