-- Spot checks of an upload whose 问题编号 no ledger of the unit has ever listed.
SELECT c.region, c.item_id, c.excel_row
FROM checks AS c
WHERE c.upload_id = $upload_id
  AND NOT EXISTS (
      SELECT 1 FROM ledger_items AS l WHERE l.region = c.region AND l.item_id = c.item_id
  )
ORDER BY c.excel_row
