-- 64-bit hashes of the grams, grouped by text, for the MinHash signatures.
SELECT text_id, hash(gram) AS gram_hash
FROM measure_grams
ORDER BY text_id
