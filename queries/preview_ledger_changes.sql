-- Item by item, what the incoming ledger snapshot (registered as `incoming`) changes against
-- the unit's previous month (upload $previous_upload): new problems, problems completed since,
-- problems gone from the list, and completed problems without evidence. Without a previous
-- month ($previous_upload NULL) only the last kind is listed.
WITH current_items AS (
    SELECT sheet, excel_row, item_id, project, description, status, nullif(trim(evidence), '') AS evidence
    FROM incoming
),
previous_items AS (
    SELECT item_id, project, description, status
    FROM ledger_items
    WHERE upload_id = CAST($previous_upload AS INTEGER)
),
new_items AS (
    SELECT 'new' AS change, c.item_id, c.project, c.description, NULL AS status_before, c.status AS status_now, c.sheet, c.excel_row
    FROM current_items AS c
    WHERE CAST($previous_upload AS INTEGER) IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM previous_items AS p WHERE p.item_id = c.item_id)
),
newly_completed AS (
    SELECT 'completed' AS change, c.item_id, c.project, c.description, p.status AS status_before, c.status AS status_now, c.sheet, c.excel_row
    FROM current_items AS c
    JOIN previous_items AS p USING (item_id)
    WHERE c.status = $done AND p.status <> $done
),
disappeared AS (
    SELECT 'disappeared' AS change, p.item_id, p.project, p.description, p.status AS status_before, NULL AS status_now,
           NULL AS sheet, NULL AS excel_row
    FROM previous_items AS p
    WHERE NOT EXISTS (SELECT 1 FROM current_items AS c WHERE c.item_id = p.item_id)
),
without_evidence AS (
    SELECT 'no_evidence' AS change, c.item_id, c.project, c.description, NULL AS status_before, c.status AS status_now, c.sheet, c.excel_row
    FROM current_items AS c
    WHERE c.status = $done AND c.evidence IS NULL
)
SELECT *
FROM (
    SELECT * FROM new_items
    UNION ALL SELECT * FROM newly_completed
    UNION ALL SELECT * FROM disappeared
    UNION ALL SELECT * FROM without_evidence
)
ORDER BY CASE change WHEN 'disappeared' THEN 0 WHEN 'new' THEN 1 WHEN 'completed' THEN 2 ELSE 3 END, item_id
