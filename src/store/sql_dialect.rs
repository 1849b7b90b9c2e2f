//! What the `sql` store writes differently on PostgreSQL, SQLite and MySQL/MariaDB.
//!
//! Keys must compare byte by byte on every backend, as S3 lists them: PostgreSQL
//! compares with `COLLATE "C"`, SQLite's default collation already is bytewise,
//! and MySQL stores the key as `VARBINARY` (a `VARCHAR` of 1,024 four-byte
//! characters is too long to index, and its collations are not bytewise).
//! `key` is a reserved word in MySQL, so it is always quoted.

use sea_orm::{DatabaseBackend, DbErr, QueryResult, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
    MySql,
}

/// The two tables of one store.
#[derive(Clone, Debug)]
pub struct Tables {
    pub objects: String,
    pub chunks: String,
}

impl Tables {
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            objects: format!("{prefix}objects"),
            chunks: format!("{prefix}object_chunks"),
        }
    }
}

impl Dialect {
    pub fn of(backend: DatabaseBackend) -> Self {
        match backend {
            DatabaseBackend::Postgres => Self::Postgres,
            DatabaseBackend::MySql => Self::MySql,
            _ => Self::Sqlite,
        }
    }

    pub fn backend(self) -> DatabaseBackend {
        match self {
            Self::Postgres => DatabaseBackend::Postgres,
            Self::Sqlite => DatabaseBackend::Sqlite,
            Self::MySql => DatabaseBackend::MySql,
        }
    }

    /// The `n`th bind parameter (from 1).
    pub fn p(self, n: usize) -> String {
        match self {
            Self::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        }
    }

    /// The key column, quoted.
    pub fn key(self) -> &'static str {
        match self {
            Self::MySql => "`key`",
            _ => "\"key\"",
        }
    }

    /// The key column as ordered and compared in listings.
    pub fn ordered_key(self) -> &'static str {
        match self {
            Self::Postgres => "\"key\" COLLATE \"C\"",
            Self::Sqlite => "\"key\"",
            Self::MySql => "`key`",
        }
    }

    /// The first characters (bytes, on MySQL) of the key, as many as `prefix` has;
    /// compared with `=` rather than LIKE, which ignores case on SQLite.
    pub fn key_prefix(self, prefix: &str) -> String {
        match self {
            Self::MySql => format!("LEFT(`key`, {})", prefix.len()),
            _ => format!("substr(\"key\", 1, {})", prefix.chars().count()),
        }
    }

    /// A key (or prefix) as bound.
    pub fn key_value(self, key: &str) -> Value {
        match self {
            Self::MySql => Value::from(key.as_bytes().to_vec()),
            _ => Value::from(key),
        }
    }

    pub fn read_key(self, row: &QueryResult) -> Result<String, DbErr> {
        match self {
            Self::MySql => {
                let bytes: Vec<u8> = row.try_get("", "key")?;
                String::from_utf8(bytes)
                    .map_err(|_| DbErr::Custom("an object key is not UTF-8".into()))
            }
            _ => row.try_get("", "key"),
        }
    }

    /// A statement, taking the key as its one parameter, that makes writers of
    /// one key wait for each other until the transaction ends.
    pub fn key_lock(self) -> Option<&'static str> {
        match self {
            Self::Postgres => Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"),
            // SQLite has one writer; on MySQL the unique index and the retries settle it.
            _ => None,
        }
    }

    /// The tables, created when missing, as Signpost's migration creates its own.
    pub fn create_tables(self, tables: &Tables) -> Vec<String> {
        let Tables { objects, chunks } = tables;
        match self {
            Self::Postgres => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS {objects} (id UUID NOT NULL PRIMARY KEY, \
                     key TEXT NOT NULL, size_bytes BIGINT NOT NULL DEFAULT 0, sha256 TEXT, \
                     state TEXT NOT NULL CHECK (state IN ('writing', 'complete')), \
                     created_at TIMESTAMPTZ NOT NULL)"
                ),
                format!(
                    "CREATE UNIQUE INDEX IF NOT EXISTS {objects}_key_complete_uq \
                     ON {objects} (key) WHERE state = 'complete'"
                ),
                // Listings walk keys in byte order.
                format!(
                    "CREATE INDEX IF NOT EXISTS {objects}_key_order_idx \
                     ON {objects} (key COLLATE \"C\") WHERE state = 'complete'"
                ),
                format!(
                    "CREATE TABLE IF NOT EXISTS {chunks} (object_id UUID NOT NULL \
                     REFERENCES {objects} (id) ON DELETE CASCADE, seq INTEGER NOT NULL, \
                     data BYTEA NOT NULL, PRIMARY KEY (object_id, seq))"
                ),
            ],
            Self::Sqlite => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS {objects} (id BLOB NOT NULL PRIMARY KEY, \
                     key TEXT NOT NULL, size_bytes BIGINT NOT NULL DEFAULT 0, sha256 TEXT, \
                     state TEXT NOT NULL CHECK (state IN ('writing', 'complete')), \
                     created_at TEXT NOT NULL)"
                ),
                format!(
                    "CREATE UNIQUE INDEX IF NOT EXISTS {objects}_key_complete_uq \
                     ON {objects} (key) WHERE state = 'complete'"
                ),
                format!(
                    "CREATE TABLE IF NOT EXISTS {chunks} (object_id BLOB NOT NULL \
                     REFERENCES {objects} (id) ON DELETE CASCADE, seq INTEGER NOT NULL, \
                     data BLOB NOT NULL, PRIMARY KEY (object_id, seq))"
                ),
            ],
            // No partial indexes: a generated column holds the key of complete
            // rows only, and NULLs do not collide in a unique index.
            Self::MySql => vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS {objects} (id BINARY(16) NOT NULL PRIMARY KEY, \
                     `key` VARBINARY(1024) NOT NULL, size_bytes BIGINT NOT NULL DEFAULT 0, \
                     sha256 VARCHAR(64) NULL, state VARCHAR(16) NOT NULL, \
                     created_at DATETIME(6) NOT NULL, \
                     complete_key VARBINARY(1024) AS (CASE WHEN state = 'complete' THEN `key` END) STORED, \
                     UNIQUE KEY {objects}_key_complete_uq (complete_key), \
                     KEY {objects}_key_idx (`key`)) ENGINE=InnoDB"
                ),
                format!(
                    "CREATE TABLE IF NOT EXISTS {chunks} (object_id BINARY(16) NOT NULL, \
                     seq INT NOT NULL, data LONGBLOB NOT NULL, PRIMARY KEY (object_id, seq), \
                     CONSTRAINT {chunks}_object_fk FOREIGN KEY (object_id) \
                     REFERENCES {objects} (id) ON DELETE CASCADE) ENGINE=InnoDB"
                ),
            ],
        }
    }
}
