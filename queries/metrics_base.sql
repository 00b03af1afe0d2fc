-- Counts per unit (R), project (P) and report month (M) for M in [$month_from, $month_to],
-- kept as the temp table base_metrics that metrics and warnings read.
CREATE OR REPLACE TEMP TABLE base_metrics AS
WITH snapshot AS (
    SELECT *
    FROM stg_ledger
    WHERE month BETWEEN $month_from AND $month_to
),
ledger_counts AS (
    SELECT region, project, month,
           count(*) AS ledger_total,
           count(*) FILTER (WHERE status = '已完成') AS ledger_completed,
           count(*) FILTER (WHERE deadline <= month_end) AS due,
           count(*) FILTER (WHERE deadline <= month_end AND status <> '已完成') AS overdue
    FROM snapshot
    GROUP BY ALL
),
checks_after_completion AS (
    -- checks dated from the item's completion to the end of M; `recency` ranks all of an item's
    -- checks, `stratum_recency` ranks its random draws apart from its other checks
    SELECT s.region, s.project, s.month, s.item_id, c.passed,
           coalesce(c.sampling = '随机抽查', false) AS random_draw,
           row_number() OVER (PARTITION BY s.region, s.month, s.item_id
                              ORDER BY c.check_date DESC, c.upload_id DESC, c.excel_row DESC) AS recency,
           row_number() OVER (PARTITION BY s.region, s.month, s.item_id, coalesce(c.sampling = '随机抽查', false)
                              ORDER BY c.check_date DESC, c.upload_id DESC, c.excel_row DESC) AS stratum_recency
    FROM snapshot AS s
    JOIN stg_checks AS c
      ON c.region = s.region AND c.item_id = s.item_id
     AND c.check_date >= s.completed_date AND c.check_date <= s.month_end
    WHERE s.status = '已完成'
),
check_counts AS (
    -- checked / passed: the latest check of each item; random_checked / random_passed: the latest
    -- random draw (抽样方式 随机抽查; blank is not random) of each item, whatever came after it
    SELECT region, project, month,
           count(*) FILTER (WHERE recency = 1) AS checked,
           count(*) FILTER (WHERE recency = 1 AND passed) AS passed,
           count(*) FILTER (WHERE random_draw AND stratum_recency = 1) AS random_checked,
           count(*) FILTER (WHERE random_draw AND stratum_recency = 1 AND passed) AS random_passed
    FROM checks_after_completion
    WHERE recency = 1 OR (random_draw AND stratum_recency = 1)
    GROUP BY ALL
),
summary AS (
    SELECT region, project, month, total, completed, stated_rate
    FROM stg_summary
    WHERE month BETWEEN $month_from AND $month_to
),
group_keys AS (
    SELECT region, project, month FROM ledger_counts
    UNION
    SELECT region, project, month FROM summary
)
SELECT k.region,
       u.zone,
       k.project,
       k.month,
       coalesce(s.total, l.ledger_total, 0) AS total,
       coalesce(s.completed, l.ledger_completed, 0) AS completed,
       s.stated_rate,
       s.total IS NOT NULL AS has_summary,
       coalesce(l.ledger_total, 0) AS ledger_total,
       coalesce(l.ledger_completed, 0) AS ledger_completed,
       coalesce(c.checked, 0) AS checked,
       coalesce(c.passed, 0) AS passed,
       coalesce(c.random_checked, 0) AS random_checked,
       coalesce(c.random_passed, 0) AS random_passed,
       coalesce(l.due, 0) AS due,
       coalesce(l.overdue, 0) AS overdue
FROM group_keys AS k
LEFT JOIN ledger_counts AS l USING (region, project, month)
LEFT JOIN summary AS s USING (region, project, month)
LEFT JOIN check_counts AS c USING (region, project, month)
LEFT JOIN stg_units AS u ON u.region = k.region;
