-- RUSH 集中销号: many items completed in M, most of them in its last days.
SELECT region, project, month, 'medium' AS severity,
       struct_pack(completed_in_month := count(*),
                   last_days := count(*) FILTER (WHERE completed_date > month_end - $rush_last_days),
                   share := count(*) FILTER (WHERE completed_date > month_end - $rush_last_days) / count(*),
                   days := $rush_last_days) AS facts
FROM stg_ledger
WHERE month = $month AND completed_date BETWEEN month AND month_end
GROUP BY ALL
HAVING count(*) >= $rush_min_items
   AND at_least(count(*) FILTER (WHERE completed_date > month_end - $rush_last_days) / count(*), $rush_min_share)
