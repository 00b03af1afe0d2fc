-- OVERDUE 逾期未完成: items past their deadline and not completed.
SELECT region, project, month,
       CASE WHEN at_least(overdue / ledger_total, $overdue_high_share) THEN 'high' ELSE 'medium' END AS severity,
       struct_pack(overdue := overdue, ledger_total := ledger_total, share := overdue / ledger_total) AS facts
FROM base_metrics
WHERE month = $month AND overdue >= 1
