-- SLOW 进度滞后: reported completion well behind the share of items already due.
SELECT region, project, month, 'medium' AS severity,
       struct_pack(reported_rate := coalesce(stated_rate, ratio(completed, total)),
                   schedule_rate := ratio(due, ledger_total), due := due, ledger_total := ledger_total) AS facts
FROM base_metrics
WHERE month = $month
  AND below(coalesce(stated_rate, ratio(completed, total)), ratio(due, ledger_total) - $slow_margin)
