-- Every metric of the spec at every level: unit x project, unit, zone x project,
-- zone, project and province. Counts are summed; rates are recomputed from the
-- sums, never averaged. Only the unit x project level uses a stated 整改完成率.
WITH rolled AS (
    SELECT month, zone, region, project,
           CASE
               WHEN grouping(region) = 0 AND grouping(project) = 0 THEN 'region,project'
               WHEN grouping(region) = 0 THEN 'region'
               WHEN grouping(zone) = 0 AND grouping(project) = 0 THEN 'zone,project'
               WHEN grouping(zone) = 0 THEN 'zone'
               WHEN grouping(project) = 0 THEN 'project'
               ELSE 'province'
           END AS level,
           sum(total) AS total,
           sum(completed) AS completed,
           CASE WHEN grouping(region) = 0 AND grouping(project) = 0 THEN any_value(stated_rate) END AS stated_rate,
           sum(ledger_total) AS ledger_total,
           sum(ledger_completed) AS ledger_completed,
           sum(checked) AS checked,
           sum(passed) AS passed,
           sum(random_checked) AS random_checked,
           sum(random_passed) AS random_passed,
           sum(due) AS due,
           sum(overdue) AS overdue
    FROM base_metrics
    GROUP BY GROUPING SETS (
        (month, zone, region, project),
        (month, zone, region),
        (month, zone, project),
        (month, zone),
        (month, project),
        (month)
    )
),
rates AS (
    SELECT *,
           reported_rate_of(stated_rate, completed, total) AS reported_rate,
           ratio(ledger_completed, ledger_total) AS ledger_rate,
           ratio(passed, checked) AS pass_rate,
           wilson_low(passed, checked) AS pass_low,
           wilson_high(passed, checked) AS pass_high,
           ratio(random_passed, random_checked) AS random_pass_rate,
           wilson_low(random_passed, random_checked) AS random_pass_low,
           wilson_high(random_passed, random_checked) AS random_pass_high,
           ratio(due, ledger_total) AS schedule_rate
    FROM rolled
)
SELECT level, month, zone, region, project,
       CAST(total AS BIGINT) AS total,
       CAST(completed AS BIGINT) AS completed,
       reported_rate,
       CAST(ledger_total AS BIGINT) AS ledger_total,
       CAST(ledger_completed AS BIGINT) AS ledger_completed,
       ledger_rate,
       CAST(checked AS BIGINT) AS checked,
       CAST(passed AS BIGINT) AS passed,
       pass_rate,
       pass_low,
       pass_high,
       reported_rate * pass_rate AS verified_rate,
       reported_rate * pass_low AS verified_low,
       reported_rate * pass_high AS verified_high,
       reported_rate - reported_rate * pass_rate AS gap,
       CAST(due AS BIGINT) AS due,
       schedule_rate,
       CAST(overdue AS BIGINT) AS overdue,
       CAST(random_checked AS BIGINT) AS random_checked,
       CAST(random_passed AS BIGINT) AS random_passed,
       random_pass_rate,
       random_pass_low,
       random_pass_high,
       reported_rate * random_pass_rate AS random_verified_rate,
       -- not in the command line's columns: the interval the pages draw around random_verified_rate
       reported_rate * random_pass_low AS random_verified_low,
       reported_rate * random_pass_high AS random_verified_high,
       stated_rate,
       CASE
           WHEN checked = 0 THEN 'no_checks'
           WHEN checked < $gap_min_checked THEN 'insufficient'
           ELSE 'sufficient'
       END AS check_status
FROM rates
WHERE level IN (SELECT unnest($levels))
ORDER BY month, level, zone NULLS LAST, region NULLS LAST, project NULLS LAST
