UPDATE uploads SET state = $state WHERE upload_id = $upload_id
