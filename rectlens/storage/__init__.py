"""The DuckDB store: connections, schema upgrades, uploads and history."""
