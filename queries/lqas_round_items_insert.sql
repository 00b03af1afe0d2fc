-- The items a round drew (one row per item, from the `incoming_round_items` frame).
INSERT INTO lqas_round_items (round_id, position, region, item_id, project, completed_date)
SELECT $round_id, position, region, item_id, project, CAST(completed_date AS DATE)
FROM incoming_round_items
