-- GAP 纸面整改风险: enough checks and even the optimistic pass rate is low.
SELECT region, project, month,
       CASE WHEN below(wilson_high(passed, checked), $gap_high_severity_pass_high) THEN 'high' ELSE 'medium' END AS severity,
       struct_pack(completed := ledger_completed, checked := checked, passed := passed,
                   pass_rate := passed / checked,
                   pass_high := wilson_high(passed, checked)) AS facts
FROM base_metrics
WHERE month = $month
  AND gap_fires(passed, checked, $gap_min_checked, $gap_pass_high)
