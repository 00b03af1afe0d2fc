-- Per project: the incoming ledger snapshot (registered as `incoming`) next to the unit's
-- previous month (the stored rows of upload $previous_upload; none when it is NULL).
WITH current_items AS (
    SELECT project, status, nullif(trim(evidence), '') AS evidence
    FROM incoming
),
previous_items AS (
    SELECT project, status
    FROM ledger_items
    WHERE upload_id = CAST($previous_upload AS INTEGER)
),
current_counts AS (
    SELECT project,
           count(*) AS total,
           count(*) FILTER (WHERE status = $done) AS completed,
           count(*) FILTER (WHERE status = $ongoing) AS ongoing,
           count(*) FILTER (WHERE status = $not_started) AS not_started,
           count(*) FILTER (WHERE status = $done AND evidence IS NULL) AS done_without_evidence
    FROM current_items
    GROUP BY project
),
previous_counts AS (
    SELECT project,
           count(*) AS previous_total,
           count(*) FILTER (WHERE status = $done) AS previous_completed
    FROM previous_items
    GROUP BY project
)
SELECT coalesce(c.project, p.project) AS project,
       coalesce(c.total, 0) AS total,
       coalesce(c.completed, 0) AS completed,
       coalesce(c.ongoing, 0) AS ongoing,
       coalesce(c.not_started, 0) AS not_started,
       coalesce(c.done_without_evidence, 0) AS done_without_evidence,
       p.previous_total,
       p.previous_completed
FROM current_counts AS c
FULL OUTER JOIN previous_counts AS p USING (project)
