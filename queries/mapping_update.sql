UPDATE column_mappings
SET name = $name, fields = $fields, constants = $constants, statuses = $statuses, updated_at = $changed_at, updated_by = $actor
WHERE mapping_id = $mapping_id
