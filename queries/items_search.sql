-- Problems of month $month's ledger snapshots, filtered; empty filters match everything.
SELECT l.region, l.item_id, l.project, l.county, l.responsible_unit, l.source, l.description,
       l.root_cause, l.measures, l.found_date, l.deadline, l.status, l.completed_date, l.evidence,
       coalesce(l.deadline <= l.month_end AND l.status <> '已完成', false) AS overdue,
       l.file_name, l.sheet, l.excel_row, l.upload_id
FROM stg_ledger AS l
LEFT JOIN stg_units AS u ON u.region = l.region
WHERE l.month = $month
  AND ($zone IS NULL OR u.zone = $zone)
  AND ($region IS NULL OR l.region = $region)
  AND ($project IS NULL OR l.project = $project)
  AND ($status IS NULL OR l.status = $status)
  AND ($text IS NULL
       OR contains(lower(l.item_id), lower($text))
       OR contains(lower(coalesce(l.description, '')), lower($text))
       OR contains(lower(coalesce(l.measures, '')), lower($text))
       OR contains(lower(coalesce(l.responsible_unit, '')), lower($text)))
ORDER BY u.sort_order NULLS LAST, l.region, l.project, l.item_id
LIMIT $limit
