-- SLOW 进度滞后: reported completion well behind the share of items already due.
SELECT region, project, month, 'medium' AS severity,
       struct_pack(reported_rate := reported_rate_of(stated_rate, completed, total),
                   schedule_rate := ratio(due, ledger_total), due := due, ledger_total := ledger_total) AS facts
FROM base_metrics
WHERE month = $month
  AND below(reported_rate_of(stated_rate, completed, total), ratio(due, ledger_total) - $slow_margin)
