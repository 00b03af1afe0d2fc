-- Does a table exist in the main schema of the store (not among this connection's temp tables)?
SELECT count(*) > 0 AS present
FROM information_schema.tables
WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = $table_name
