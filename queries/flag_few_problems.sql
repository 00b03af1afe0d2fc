-- FEW_PROBLEMS 查摆不全 (清仓见底): a unit with a 规模 lists far fewer problems than the other units
-- with a 规模 list per unit of 规模. expected = 规模 x (Σ ledger_total of the others / Σ their 规模).
WITH ledgers AS (
    SELECT region, count(*) AS ledger_total FROM stg_ledger WHERE month = $month GROUP BY region
),
sized AS (
    SELECT l.region, l.ledger_total, u.scale
    FROM ledgers AS l
    JOIN stg_units AS u USING (region)
    WHERE u.scale IS NOT NULL
),
province AS (
    SELECT sum(ledger_total) AS problems, sum(scale) AS scale, count(*) AS units FROM sized
),
expected AS (
    SELECT s.region, s.ledger_total, s.scale, p.units - 1 AS other_units,
           (p.problems - s.ledger_total) / (p.scale - s.scale) AS others_rate,
           s.scale * (p.problems - s.ledger_total) / (p.scale - s.scale) AS expected
    FROM sized AS s, province AS p
    WHERE p.units - 1 >= $few_problems_min_other_units
)
SELECT region, NULL AS project, CAST($month AS DATE) AS month, 'medium' AS severity,
       struct_pack(ledger_total := ledger_total, scale := scale, other_units := other_units,
                   others_rate := others_rate, expected := expected,
                   share := ledger_total / expected) AS facts
FROM expected
WHERE at_least(expected, $few_problems_min_expected)
  AND below(ledger_total, $few_problems_below_share * expected)
