-- Datasets (docs/data-model.md): any CSV kept as a named, typed, versioned table
-- beside the directory, and the outbox of notifications to data-flow and webhooks.

CREATE TABLE datasets (
    id {uuid} NOT NULL PRIMARY KEY,
    organisation TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 48),
    dataset TEXT NOT NULL CHECK (length(dataset) BETWEEN 1 AND 48),
    current_version_id {uuid},
    created_by TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (organisation, dataset)
);

CREATE TABLE dataset_versions (
    id {uuid} NOT NULL PRIMARY KEY,
    dataset_id {uuid} NOT NULL REFERENCES datasets (id),
    number INTEGER NOT NULL CHECK (number > 0),
    state TEXT NOT NULL
        CHECK (state IN ('uploaded', 'verified', 'processing', 'completed', 'failed', 'discarded')),
    file_name TEXT NOT NULL,
    object_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    preview {json},
    columns {json},
    rows_total BIGINT NOT NULL DEFAULT 0,
    rows_done BIGINT NOT NULL DEFAULT 0,
    error_message TEXT,
    restored_from {uuid} REFERENCES dataset_versions (id),
    submitted_by TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    finished_at {ts},
    UNIQUE (dataset_id, number)
);
-- One version of a dataset processes at a time, whichever replica confirms it.
CREATE UNIQUE INDEX dataset_versions_processing_idx ON dataset_versions (dataset_id)
    WHERE state = 'processing';

CREATE TABLE notifications (
    id {uuid} NOT NULL PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('dataset_version', 'import', 'ingest_run')),
    subject_id {uuid} NOT NULL,
    target TEXT NOT NULL,
    event TEXT NOT NULL,
    payload {json} NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'triggered', 'completed', 'failed')),
    dag_id TEXT,
    run_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL,
    error_message TEXT,
    holder TEXT,
    lease_until {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    finished_at {ts}
);
CREATE INDEX notifications_subject_idx ON notifications (subject_id);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE state IN ('pending', 'triggered');
