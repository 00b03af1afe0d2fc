-- 整改措施 texts used word for word by more than one unit in month $month.
SELECT measures, count(DISTINCT region) AS units, string_agg(DISTINCT region, '、') AS regions,
       count(*) AS items
FROM stg_ledger
WHERE month = $month AND length(measures) >= $min_length
GROUP BY measures
HAVING count(DISTINCT region) > 1
ORDER BY units DESC, items DESC
