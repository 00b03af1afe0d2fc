-- Items of the month per unit x project by 问题来源 and by 根源类别, each folded into the listed
-- classes ($sources, $root_causes), 其他 and 未填写 / 未分类.
SELECT l.region, u.zone, l.project,
       CASE WHEN l.source IS NULL THEN '未填写'
            WHEN list_contains($sources, l.source) THEN l.source
            ELSE '其他' END AS source,
       coalesce(l.root_cause, '未分类') AS root_cause,
       count(*) AS items
FROM stg_ledger AS l
LEFT JOIN stg_units AS u USING (region)
WHERE l.month = $month
GROUP BY ALL
