UPDATE uploads SET row_count = $row_count WHERE upload_id = $upload_id
