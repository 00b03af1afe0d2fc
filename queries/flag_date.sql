-- DATE 日期异常: a completion date after the end of the month or before discovery.
SELECT region, project, month, 'low' AS severity,
       struct_pack(items := count(*),
                   after_month := count(*) FILTER (WHERE completed_date > month_end),
                   before_found := count(*) FILTER (WHERE completed_date < found_date),
                   examples := string_agg(item_id, '、' ORDER BY item_id)) AS facts
FROM stg_ledger
WHERE month = $month AND status = '已完成'
  AND (completed_date > month_end OR completed_date < found_date)
GROUP BY ALL
