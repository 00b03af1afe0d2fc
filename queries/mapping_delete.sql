DELETE FROM column_mappings WHERE mapping_id = $mapping_id
