-- The lake's newest snapshot: changes with every committed write, on any instance.
SELECT max(snapshot_id) FROM ducklake_snapshots(current_database())
