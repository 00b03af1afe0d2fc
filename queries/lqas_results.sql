-- LQAS rounds of report month $month, one row per round and unit: the items the round drew
-- (planned), how many have come back checked and how many of those passed. An item counts as
-- checked when it has a random draw (抽样方式 随机抽查) dated on or after its completion; its
-- latest such check decides (same day: the later upload, then the lower row).
WITH round_items AS (
    SELECT r.round_id, i.region, i.item_id, i.completed_date
    FROM lqas_rounds AS r
    JOIN lqas_round_items AS i USING (round_id)
    WHERE r.month = $month
),
random_draws AS (
    SELECT ri.round_id, ri.region, ri.item_id, c.passed,
           row_number() OVER (PARTITION BY ri.round_id, ri.region, ri.item_id
                              ORDER BY c.check_date DESC, c.upload_id DESC, c.excel_row DESC) AS recency
    FROM round_items AS ri
    JOIN stg_checks AS c
      ON c.region = ri.region AND c.item_id = ri.item_id
     AND c.check_date >= ri.completed_date AND c.sampling = '随机抽查'
),
per_unit AS (
    SELECT ri.round_id, ri.region,
           count(*) AS planned,
           count(d.item_id) AS checked,
           count(d.item_id) FILTER (WHERE d.passed) AS passed
    FROM round_items AS ri
    LEFT JOIN random_draws AS d
      ON d.round_id = ri.round_id AND d.region = ri.region AND d.item_id = ri.item_id AND d.recency = 1
    GROUP BY ri.round_id, ri.region
)
SELECT r.round_id, r.month, r.sample_size, r.p_high, r.p_low, r.alpha, r.beta, r.seed, r.scope,
       r.created_by, r.created_at, u.zone, p.region, p.planned, p.checked, p.passed
FROM per_unit AS p
JOIN lqas_rounds AS r USING (round_id)
LEFT JOIN stg_units AS u ON u.region = p.region
ORDER BY r.round_id, u.sort_order NULLS LAST, p.region
