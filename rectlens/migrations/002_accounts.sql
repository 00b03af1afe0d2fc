-- Schema version 2: accounts, the review of uploads and the audit log.
-- No sequences, keys or unique constraints: uniqueness (one login, one
-- audit sequence number) is kept by the library under the write lock, so
-- the same schema can later live where those do not exist.

CREATE TABLE accounts (
    login VARCHAR NOT NULL,
    display_name VARCHAR NOT NULL,
    email VARCHAR,
    roles VARCHAR[] NOT NULL,
    units VARCHAR[] NOT NULL,
    password_hash VARCHAR,              -- argon2id; never the password itself
    must_change_password BOOLEAN NOT NULL,
    disabled BOOLEAN NOT NULL,
    demo BOOLEAN NOT NULL,              -- 演示账号: exists only in the demo database
    failed_attempts INTEGER NOT NULL,
    locked_until TIMESTAMP,
    sessions_valid_from TIMESTAMP,      -- sign-out everywhere: sessions begun earlier are void
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- 专班审核: one row per decision; the latest decision on an upload counts.
CREATE TABLE reviews (
    upload_id INTEGER NOT NULL,
    decision VARCHAR NOT NULL,          -- approved | returned
    reason VARCHAR,
    reviewer VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL
);

-- 留痕: append-only; each record carries the hash of the one before it.
CREATE TABLE audit_log (
    seq BIGINT NOT NULL,
    happened_at TIMESTAMP NOT NULL,
    account VARCHAR NOT NULL,
    roles VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    target VARCHAR,
    outcome VARCHAR NOT NULL,
    detail VARCHAR,
    prev_hash VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
);
