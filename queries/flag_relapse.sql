-- RELAPSE 问题反弹: items whose latest check up to the end of M found the problem back.
WITH latest AS (
    SELECT s.region, s.project, s.month, s.item_id, c.result,
           row_number() OVER (PARTITION BY s.region, s.item_id
                              ORDER BY c.check_date DESC, c.upload_id DESC, c.excel_row DESC) AS recency
    FROM stg_ledger AS s
    JOIN stg_checks AS c ON c.region = s.region AND c.item_id = s.item_id AND c.check_date <= s.month_end
    WHERE s.month = $month
)
SELECT region, project, month, 'medium' AS severity,
       struct_pack(items := count(*), examples := string_agg(item_id, '、' ORDER BY item_id)) AS facts
FROM latest
WHERE recency = 1 AND result = '问题反弹'
GROUP BY ALL
