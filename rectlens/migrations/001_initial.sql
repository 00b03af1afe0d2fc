-- Schema version 1: region master, upload register and the four sheet kinds.
-- Every stored row keeps its upload, sheet and Excel row so that any figure
-- can be traced back to the cell it came from.
--
-- No sequences, keys, unique constraints or indexes (a DuckLake has none):
-- ids are the next number, chosen by the library under the write lock, and
-- a file's bytes are stored once because the library looks before it writes.
-- Files created before version 6 had them; migration 6 rebuilds those tables.

CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR NOT NULL,
    value VARCHAR
);

CREATE TABLE regions (
    region VARCHAR NOT NULL,
    zone VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE region_counties (
    region VARCHAR NOT NULL,
    county VARCHAR NOT NULL
);

CREATE TABLE files (
    file_id INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    uploader VARCHAR,
    uploader_unit VARCHAR,
    notices VARCHAR
);

-- One upload per (file, sheet kind, unit, month). Ledgers and summaries
-- supersede the earlier active upload of the same unit, month and kind;
-- spot checks and satisfaction rows add up (unit and month left empty).
CREATE TABLE uploads (
    upload_id INTEGER NOT NULL,
    file_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    region VARCHAR,
    month DATE,
    sheet VARCHAR NOT NULL,
    row_count INTEGER NOT NULL,
    state VARCHAR NOT NULL,   -- active | superseded | withdrawn
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE upload_events (
    event_id INTEGER NOT NULL,
    upload_id INTEGER NOT NULL,
    action VARCHAR NOT NULL,  -- stored | superseded | restored | withdrawn
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR,
    note VARCHAR
);

CREATE TABLE ledger_items (
    upload_id INTEGER NOT NULL,
    sheet VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    month DATE NOT NULL,
    item_id VARCHAR NOT NULL,
    county VARCHAR,
    responsible_unit VARCHAR,
    project VARCHAR NOT NULL,
    source VARCHAR,
    description VARCHAR,
    root_cause VARCHAR,
    measures VARCHAR,
    found_date DATE,
    deadline DATE,
    status VARCHAR NOT NULL,
    completed_date DATE,
    evidence VARCHAR,
    extra VARCHAR
);

CREATE TABLE summary_rows (
    upload_id INTEGER NOT NULL,
    sheet VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    month DATE NOT NULL,
    project VARCHAR NOT NULL,
    total INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    stated_rate DOUBLE,
    extra VARCHAR
);

-- The 合计 row of a summary sheet: not data, kept to check it against the rows.
CREATE TABLE summary_totals (
    upload_id INTEGER NOT NULL,
    sheet VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    month DATE NOT NULL,
    total INTEGER,
    completed INTEGER,
    stated_rate DOUBLE
);

CREATE TABLE checks (
    upload_id INTEGER NOT NULL,
    sheet VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    check_date DATE NOT NULL,
    method VARCHAR,
    result VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    inspector VARCHAR,
    note VARCHAR,
    sampling VARCHAR,
    extra VARCHAR
);

CREATE TABLE satisfaction (
    upload_id INTEGER NOT NULL,
    sheet VARCHAR NOT NULL,
    excel_row INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    project VARCHAR NOT NULL,
    month DATE NOT NULL,
    satisfaction DOUBLE NOT NULL,
    sample_size INTEGER,
    extra VARCHAR
);
