-- Schema version 6: no sequences, keys or unique constraints anywhere, so that
-- one schema serves both a DuckDB file and a DuckLake (which has none of them).
-- Files created before this version had them on meta, regions, files, uploads
-- and upload_events: those tables are rebuilt as migration 1 now creates them
-- (same columns in the same order, NOT NULL kept), rows and all, and the
-- sequences dropped; the library now chooses the next id itself under the
-- write lock. On a store created at this version it rebuilds empty tables.
-- (Version 5 is left to the column mappings of another change.)

CREATE TABLE meta_v6 (key VARCHAR NOT NULL, value VARCHAR);
INSERT INTO meta_v6 SELECT key, value FROM meta;
DROP TABLE meta;
ALTER TABLE meta_v6 RENAME TO meta;

CREATE TABLE regions_v6 (region VARCHAR NOT NULL, zone VARCHAR NOT NULL, sort_order INTEGER NOT NULL, scale DOUBLE);
INSERT INTO regions_v6 SELECT region, zone, sort_order, scale FROM regions;
DROP TABLE regions;
ALTER TABLE regions_v6 RENAME TO regions;

CREATE TABLE files_v6 (
    file_id INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    uploader VARCHAR,
    uploader_unit VARCHAR,
    notices VARCHAR
);
INSERT INTO files_v6 SELECT file_id, sha256, file_name, size_bytes, received_at, uploader, uploader_unit, notices FROM files;
DROP TABLE files;
ALTER TABLE files_v6 RENAME TO files;

CREATE TABLE uploads_v6 (
    upload_id INTEGER NOT NULL,
    file_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    region VARCHAR,
    month DATE,
    sheet VARCHAR NOT NULL,
    row_count INTEGER NOT NULL,
    state VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO uploads_v6 SELECT upload_id, file_id, kind, region, month, sheet, row_count, state, created_at FROM uploads;
DROP TABLE uploads;
ALTER TABLE uploads_v6 RENAME TO uploads;

CREATE TABLE upload_events_v6 (
    event_id INTEGER NOT NULL,
    upload_id INTEGER NOT NULL,
    action VARCHAR NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR,
    note VARCHAR
);
INSERT INTO upload_events_v6 SELECT event_id, upload_id, action, happened_at, actor, note FROM upload_events;
DROP TABLE upload_events;
ALTER TABLE upload_events_v6 RENAME TO upload_events;

DROP SEQUENCE IF EXISTS file_ids;
DROP SEQUENCE IF EXISTS upload_ids;
DROP SEQUENCE IF EXISTS event_ids;
