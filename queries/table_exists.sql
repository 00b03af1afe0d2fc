-- Does a table exist in the main schema?
SELECT count(*) > 0 AS present
FROM information_schema.tables
WHERE table_schema = 'main' AND table_name = $table_name
