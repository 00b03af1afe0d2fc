-- Set one meta key (no key constraint to lean on: replace the row if there is one).
MERGE INTO meta USING (SELECT $key AS key, $value AS value) AS given ON meta.key = given.key
WHEN MATCHED THEN UPDATE SET value = given.value
WHEN NOT MATCHED THEN INSERT (key, value) VALUES (given.key, given.value)
