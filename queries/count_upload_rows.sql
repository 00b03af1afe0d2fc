SELECT
    (SELECT count(*) FROM checks WHERE upload_id = $upload_id)
  + (SELECT count(*) FROM satisfaction WHERE upload_id = $upload_id) AS stored_rows
