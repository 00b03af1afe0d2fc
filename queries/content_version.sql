-- The latest change to the data (uploads, their history, the region master, column mappings), read off the audit
-- log: unlike the file's own version it stays put when only sign-ins, reviews or exports are recorded.
SELECT coalesce(max(seq), 0)
FROM audit_log
WHERE outcome = 'ok' AND action IN ('upload', 'supersede', 'restore', 'withdraw', 'regions_load',
                                      'mapping_create', 'mapping_edit', 'mapping_delete')
