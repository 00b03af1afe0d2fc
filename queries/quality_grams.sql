-- The distinct character 3-grams of every text of measure_texts.
CREATE OR REPLACE TEMP TABLE measure_grams AS
SELECT DISTINCT t.text_id, substr(t.norm, r.i, 3) AS gram
FROM measure_texts AS t, range(1, length(t.norm) - 1) AS r(i)
