-- LOW_SATISFACTION 群众评价偏低: the public is unhappy where completion is reported as high.
SELECT b.region, b.project, b.month, 'medium' AS severity,
       struct_pack(satisfaction := s.satisfaction, sample_size := s.sample_size,
                   reported_rate := reported_rate_of(b.stated_rate, b.completed, b.total)) AS facts
FROM base_metrics AS b
JOIN stg_satisfaction AS s USING (region, project, month)
WHERE b.month = $month
  AND below(s.satisfaction, $low_satisfaction_below)
  AND at_least(reported_rate_of(b.stated_rate, b.completed, b.total), $low_satisfaction_min_reported)
