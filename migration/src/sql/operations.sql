-- Operations records (docs/data-model.md): imports, the ingest file registry and runs,
-- HAWK nonces, postcodes, the `sql` object store, cross-replica leases, the change log.

CREATE TABLE imports (
    id {uuid} NOT NULL PRIMARY KEY,
    record_type TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('upsert', 'replace')),
    dry_run {bool} NOT NULL DEFAULT {false},
    force {bool} NOT NULL DEFAULT {false},
    strict {bool} NOT NULL DEFAULT {false},
    file_name TEXT NOT NULL,
    object_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    state TEXT NOT NULL
        CHECK (state IN ('uploaded', 'validating', 'validated', 'applying', 'completed', 'failed')),
    rows_total BIGINT NOT NULL DEFAULT 0,
    rows_inserted BIGINT NOT NULL DEFAULT 0,
    rows_updated BIGINT NOT NULL DEFAULT 0,
    rows_deleted BIGINT NOT NULL DEFAULT 0,
    rows_rejected BIGINT NOT NULL DEFAULT 0,
    errors {json},
    warnings {json},
    submitted_by TEXT,
    restored_from {uuid} REFERENCES imports (id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    finished_at {ts}
);
CREATE INDEX imports_created_idx ON imports (created_at, id);
CREATE INDEX imports_sha256_idx ON imports (sha256);
CREATE INDEX imports_restored_from_idx ON imports (restored_from);

CREATE TABLE data_files (
    id {uuid} NOT NULL PRIMARY KEY,
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    object_key TEXT NOT NULL,
    sha256 TEXT,
    size_bytes BIGINT CHECK (size_bytes >= 0),
    state TEXT NOT NULL CHECK (state IN ('processing', 'processed', 'failed', 'ignored')),
    error_message TEXT,
    rows_loaded BIGINT NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    processed_at {ts},
    UNIQUE (source, file_name)
);
CREATE INDEX data_files_state_idx ON data_files (source, state);

CREATE TABLE ingest_runs (
    id {uuid} NOT NULL PRIMARY KEY,
    source TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'mutation', 'cli')),
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed')),
    force {bool} NOT NULL DEFAULT {false},
    files_seen INTEGER NOT NULL DEFAULT 0,
    files_fetched INTEGER NOT NULL DEFAULT 0,
    files_loaded INTEGER NOT NULL DEFAULT 0,
    files_failed INTEGER NOT NULL DEFAULT 0,
    error_message TEXT,
    holder TEXT,
    started_at {ts} NOT NULL,
    heartbeat_at {ts},
    finished_at {ts}
);
CREATE INDEX ingest_runs_source_idx ON ingest_runs (source, started_at);

CREATE TABLE hawk_nonces (
    client_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    ts {ts} NOT NULL,
    PRIMARY KEY (client_id, nonce)
);
CREATE INDEX hawk_nonces_ts_idx ON hawk_nonces (ts);

CREATE TABLE postcodes (
    postcode TEXT NOT NULL PRIMARY KEY CHECK (postcode = upper(replace(postcode, ' ', ''))),
    latitude {float} CHECK (latitude BETWEEN -90 AND 90),
    longitude {float} CHECK (longitude BETWEEN -180 AND 180),
    terminated {bool} NOT NULL DEFAULT {false},
    source_file TEXT,
    updated_at {ts} NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

-- The `sql` object store. An object is written under a fresh id in state `writing`
-- and becomes visible by switching to `complete` in one statement, so a reader never
-- sees half an object and an overwrite is atomic.
CREATE TABLE objects (
    id {uuid} NOT NULL PRIMARY KEY,
    key TEXT NOT NULL,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    sha256 TEXT,
    state TEXT NOT NULL CHECK (state IN ('writing', 'complete')),
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX objects_key_complete_uq ON objects (key) WHERE state = 'complete';
CREATE INDEX objects_key_idx ON objects (key);

CREATE TABLE object_chunks (
    object_id {uuid} NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL CHECK (seq >= 0),
    data {bytes} NOT NULL,
    PRIMARY KEY (object_id, seq)
);

CREATE TABLE locks (
    name TEXT NOT NULL PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at {ts} NOT NULL,
    heartbeat_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);

CREATE TABLE change_log (
    id {uuid} NOT NULL PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id {uuid} NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    field TEXT,
    old_value {json},
    new_value {json},
    actor TEXT,
    changed_at {ts} NOT NULL
);
CREATE INDEX change_log_record_idx ON change_log (record_type, record_id, changed_at);
CREATE INDEX change_log_changed_idx ON change_log (changed_at, id);
