-- Schema version 5: column mappings (列对应). A unit that keeps its ledger or summary in a
-- layout of its own maps it once to the template; the mapping is stored per unit and
-- header signature and applied to the next file with the same header.
-- No key, sequence or index (the store is moving to DuckLake): ids are max + 1, taken
-- inside the writing transaction.
CREATE TABLE column_mappings (
    mapping_id BIGINT NOT NULL,
    unit VARCHAR NOT NULL,          -- the region master's name of the unit
    kind VARCHAR NOT NULL,          -- ledger or summary
    signature VARCHAR NOT NULL,     -- hash of the sheet's column headers, in order
    name VARCHAR NOT NULL,          -- shown in notices, e.g. 江城市 问题台账（原有格式）
    headers VARCHAR NOT NULL,       -- JSON list of the sheet's column labels (for editing)
    fields VARCHAR NOT NULL,        -- JSON {template field: column label}
    constants VARCHAR NOT NULL,     -- JSON {template field: value for every row}, e.g. 地区
    statuses VARCHAR NOT NULL,      -- JSON {value as written: 未启动 / 推进中 / 已完成}
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL
);
