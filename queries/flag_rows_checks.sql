-- The spot checks behind GAP and RELAPSE of unit $region, project $project, month $month:
-- for each item the check that decides it, with where that check came from.
WITH snapshot AS (
    SELECT * FROM stg_ledger
    WHERE region = $region AND month = $month AND ($project IS NULL OR project = $project)
),
deciding AS (
    SELECT s.item_id, s.project, s.status, s.completed_date, c.check_date, c.method, c.result, c.passed,
           c.inspector, c.sampling, c.file_name, c.sheet, c.excel_row, c.upload_id,
           row_number() OVER (PARTITION BY s.item_id
                              ORDER BY c.check_date DESC, c.upload_id DESC, c.excel_row DESC) AS recency
    FROM snapshot AS s
    JOIN stg_checks AS c
      ON c.region = s.region AND c.item_id = s.item_id AND c.check_date <= s.month_end
     AND ($code = 'RELAPSE' OR (s.status = '已完成' AND c.check_date >= s.completed_date))
)
SELECT '核查' AS source, item_id, project, status, completed_date, check_date, method, result,
       CASE WHEN passed THEN '通过' ELSE '未通过' END AS verdict, inspector, sampling,
       file_name, sheet, excel_row, upload_id
FROM deciding
WHERE recency = 1 AND ($code <> 'RELAPSE' OR result = '问题反弹')
ORDER BY passed, item_id
