-- For each unit and report month: whether an active 问题台账 and an active
-- 汇总 are stored, and when the latest of them arrived.
WITH active_reports AS (
    SELECT region, month, kind, created_at
    FROM uploads
    WHERE state = 'active' AND kind IN ($ledger_kind, $summary_kind)
),

per_unit_month AS (
    SELECT region,
           month,
           bool_or(kind = $ledger_kind) AS has_ledger,
           bool_or(kind = $summary_kind) AS has_summary,
           max(created_at) AS last_received_at
    FROM active_reports
    GROUP BY region, month
)

SELECT region, strftime(month, '%Y-%m') AS month, has_ledger, has_summary, last_received_at
FROM per_unit_month
ORDER BY month, region COLLATE zh
