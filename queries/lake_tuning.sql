-- Settings of a process's DuckDB of a lake (never of a file), measured with bench/lake.py.
-- Keep the footers of the Parquet files read: a report reads the same files a dozen times, and a
-- lake's data file never changes once written (new data and compaction write new files).
SET GLOBAL parquet_metadata_cache = true;
-- No statistics propagation: for every column it reasons about, DuckLake fetches the table's
-- statistics from PostgreSQL (for a table without statistics, such as an empty one, once per
-- column and again), a round trip each; the same results come as fast without it.
SET GLOBAL disabled_optimizers = 'statistics_propagation';
