INSERT INTO column_mappings (mapping_id, unit, kind, signature, name, headers, fields, constants, statuses,
                             created_at, created_by, updated_at, updated_by)
VALUES ($mapping_id, $unit, $kind, $signature, $name, $headers, $fields, $constants, $statuses,
        $changed_at, $actor, $changed_at, $actor)
