-- Size of the demo data set, for the one-line summary printed after it is built.
WITH ledger AS (
    SELECT l.region, l.item_id, l.month
    FROM ledger_items AS l
    JOIN uploads AS u USING (upload_id)
    WHERE u.state = 'active'
)
SELECT
    (SELECT count(*) FROM regions) AS units,
    (SELECT count(DISTINCT month) FROM ledger) AS months,
    (SELECT strftime(min(month), '%Y-%m') FROM ledger) AS first_month,
    (SELECT strftime(max(month), '%Y-%m') FROM ledger) AS last_month,
    (SELECT count(*) FROM (SELECT DISTINCT region, item_id FROM ledger)) AS problems,
    (SELECT count(*) FROM files) AS files,
    (SELECT count(*) FROM checks) AS checks
