-- What the list-quality results of month $month depend on: its active ledger uploads and their
-- files, and (so that a cached result can never outlive a change to the rows themselves) the
-- number of items and a hash of every text the rules read.
SELECT (
    SELECT coalesce(string_agg(u.upload_id || ':' || f.sha256, ',' ORDER BY u.upload_id), '')
    FROM uploads AS u
    JOIN files AS f ON f.file_id = u.file_id
    WHERE u.kind = 'ledger' AND u.state = 'active' AND u.month = $month
) AS uploads,
(
    SELECT count(*) || ':' || coalesce(sum(hash(region, project, item_id, measures, description)::HUGEINT), 0)
    FROM stg_ledger
    WHERE month = $month
) AS contents
