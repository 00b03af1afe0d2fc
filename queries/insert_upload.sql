INSERT INTO uploads (upload_id, file_id, kind, region, month, sheet, row_count, state, created_at)
VALUES ($upload_id, $file_id, $kind, $region, $month, $sheet, $row_count, 'active', $created_at)
