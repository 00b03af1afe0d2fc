-- Lake only, on an analysis connection inside its read transaction: one copy of each small table
-- the staging views read, taken from that transaction's snapshot. A temp table comes first in the
-- search path, so the views and every query read these copies unchanged: each of these tables is
-- then fetched from the lake once per analysis instead of once per reference (a lake table scan
-- costs several catalog round trips to PostgreSQL). ledger_items, the large table, is still read
-- from the lake where it is used. `lake` is the name the lake is attached under (store.LAKE_ALIAS).
CREATE TEMP TABLE uploads AS FROM lake.main.uploads;
CREATE TEMP TABLE files AS FROM lake.main.files;
CREATE TEMP TABLE regions AS FROM lake.main.regions;
CREATE TEMP TABLE summary_rows AS FROM lake.main.summary_rows;
CREATE TEMP TABLE summary_totals AS FROM lake.main.summary_totals;
CREATE TEMP TABLE satisfaction AS FROM lake.main.satisfaction;
CREATE TEMP TABLE checks AS FROM lake.main.checks;
