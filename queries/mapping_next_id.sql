-- The id of a new column mapping (read inside the writing transaction).
SELECT coalesce(max(mapping_id), 0) + 1 FROM column_mappings
