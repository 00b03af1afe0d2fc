-- Schema version 3: LQAS rounds (批质量保证抽样) of the spot-check planner.
-- A round remembers which items it drew per unit and the design its decision
-- rule was computed from, so that the results of the round can be classified
-- once its checks come back, whatever the settings say later.

CREATE TABLE lqas_rounds (
    round_id INTEGER NOT NULL,
    month DATE NOT NULL,                -- the report month whose snapshot the items were drawn from
    sample_size INTEGER NOT NULL,       -- n asked for per unit (a unit with fewer candidates gave all of them)
    p_high DOUBLE NOT NULL,
    p_low DOUBLE NOT NULL,
    alpha DOUBLE NOT NULL,
    beta DOUBLE NOT NULL,
    seed BIGINT NOT NULL,
    scope VARCHAR NOT NULL,             -- e.g. 全省, 南片, 青岚市 · 微腐败
    fingerprint VARCHAR NOT NULL,       -- the same plan registered twice is one round
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE lqas_round_items (
    round_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    region VARCHAR NOT NULL,
    item_id VARCHAR NOT NULL,
    project VARCHAR NOT NULL,
    completed_date DATE NOT NULL
);
