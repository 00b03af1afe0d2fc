-- Mappings of one unit for one header signature (a new one replaces them).
SELECT mapping_id FROM column_mappings WHERE unit = $unit AND kind = $kind AND signature = $signature
