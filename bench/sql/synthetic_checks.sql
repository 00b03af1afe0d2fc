-- Spot checks on random problems, dated across the two years.
INSERT INTO checks
SELECT $units * $months + 1, '核查结果', c + 2,
       '单位' || lpad(CAST(p % $units AS VARCHAR), 2, '0'), 'P' || p,
       CAST(DATE '2024-11-01' + INTERVAL (hash(c * 3) % 730) DAY AS DATE), '暗访',
       CASE WHEN hash(c * 5) % 10 < 8 THEN '整改到位' ELSE '虚假整改' END,
       hash(c * 5) % 10 < 8, '督导组', NULL, '随机抽查', NULL
FROM (SELECT c, CAST(hash(c * 11) % $problems AS BIGINT) AS p FROM range(0, $checks) AS t(c));
