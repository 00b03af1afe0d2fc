-- Every stored column mapping, newest first (there are a few per unit at most).
SELECT mapping_id, unit, kind, signature, name, headers, fields, constants, statuses,
       created_at, created_by, updated_at, updated_by
FROM column_mappings
ORDER BY updated_at DESC, mapping_id DESC
