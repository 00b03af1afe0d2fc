-- NO_EVIDENCE 佐证缺失: completed items without evidence, many and a large share.
SELECT region, project, month, 'medium' AS severity,
       struct_pack(done := count(*), without := count(*) FILTER (WHERE evidence IS NULL),
                   share := count(*) FILTER (WHERE evidence IS NULL) / count(*)) AS facts
FROM stg_ledger
WHERE month = $month AND status = '已完成'
GROUP BY ALL
HAVING count(*) FILTER (WHERE evidence IS NULL) >= $no_evidence_min_items
   AND at_least(count(*) FILTER (WHERE evidence IS NULL) / count(*), $no_evidence_min_share)
