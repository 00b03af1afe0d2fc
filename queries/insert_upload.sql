INSERT INTO uploads (upload_id, file_id, kind, region, month, sheet, row_count, state, created_at)
VALUES (nextval('upload_ids'), $file_id, $kind, $region, $month, $sheet, $row_count, 'active', $created_at)
RETURNING upload_id
