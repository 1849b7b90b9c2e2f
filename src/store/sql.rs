//! Objects in SQL tables, for deployments without S3: Signpost's own `objects` and
//! `object_chunks` by default, or `<prefix>objects` and `<prefix>object_chunks` in
//! a database of their own (PostgreSQL, SQLite or MySQL/MariaDB), created there
//! when missing. The content goes in chunks of a few MB, never one huge value.
//!
//! An object of one chunk is written in one transaction. A larger put streams
//! its chunks under a new `writing` row, each in its own statement
//! (no long transaction holds the single SQLite writer or a PostgreSQL snapshot),
//! then one short transaction drops the key's previous `complete` row (its chunks
//! go with it) and marks the new one `complete`; a unique index on complete keys
//! settles two writers racing (the loser retries). A put that fails or is
//! cancelled deletes its `writing` row at once; rows a crashed process left are
//! swept when the store opens and on the key's next put.
//!
//! The statements are written per dialect ([`super::sql_dialect`]) because the
//! three databases disagree on quoting, placeholders, partial indexes and how a
//! key is compared byte by byte.

use super::sql_dialect::{Dialect, Tables};
use super::{Body, Digest, Key, ListPage, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement, TransactionTrait, Value,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Bytes per stored chunk.
/// Tries at publishing an object before the collision is reported.
const PUBLISH_ATTEMPTS: u32 = 8;

const CHUNK: usize = 4 * 1024 * 1024;

/// A `writing` row older than this belongs to a process that died mid-put.
const ABANDONED_AFTER: TimeDelta = TimeDelta::hours(1);

#[derive(Debug)]
pub struct SqlStore {
    db: DatabaseConnection,
    dialect: Dialect,
    tables: Tables,
    /// Whether the tables are Signpost's migrated ones (else created here).
    migrated: bool,
    /// Set once the tables exist and leftovers are swept; retried until it works,
    /// so an unreachable database fails readiness instead of the start.
    ready: OnceCell<()>,
    /// What readiness errors name.
    name: String,
}

fn db_error(error: DbErr) -> StoreError {
    StoreError::Backend(format!("object store database: {error}"))
}

impl SqlStore {
    /// The store in Signpost's own database and migrated tables.
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_tables(db, "", true, "sql store".into())
    }

    fn with_tables(db: DatabaseConnection, prefix: &str, migrated: bool, name: String) -> Self {
        let dialect = Dialect::of(db.get_database_backend());
        Self {
            db,
            dialect,
            tables: Tables::with_prefix(prefix),
            migrated,
            ready: OnceCell::new(),
            name,
        }
    }

    /// The configured store: Signpost's database when `connection_string` is
    /// absent, else a pool of that database's own, connected lazily.
    pub async fn open(
        own: &DatabaseConnection,
        connection_string: Option<&SecretString>,
        table_prefix: Option<&str>,
    ) -> Result<Self, StoreError> {
        let prefix = table_prefix.unwrap_or_default();
        let Some(url) = connection_string else {
            return Ok(Self::with_tables(
                own.clone(),
                prefix,
                prefix.is_empty(),
                "sql store".into(),
            ));
        };
        let url = super::sql_url::normalise(url.expose_secret()).map_err(|error| {
            StoreError::Backend(format!("sql store connection_string: {error}"))
        })?;
        let mut options = sea_orm::ConnectOptions::new(url.clone());
        options
            .max_connections(8)
            .min_connections(0)
            .connect_timeout(std::time::Duration::from_secs(10))
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_lazy(true)
            .sqlx_logging(false);
        let db = sea_orm::Database::connect(options)
            .await
            .map_err(|error| StoreError::Backend(format!("sql store: {error}")))?;
        let name = format!("sql store at {}", super::sql_url::without_password(&url));
        Ok(Self::with_tables(db, prefix, false, name))
    }

    /// Creates the tables (unless migrated) and sweeps abandoned writes, once.
    async fn ready(&self) -> Result<(), StoreError> {
        self.ready
            .get_or_try_init(|| async {
                if !self.migrated {
                    for statement in self.dialect.create_tables(&self.tables) {
                        self.db.execute_unprepared(&statement).await?;
                    }
                }
                self.sweep(None).await
            })
            .await
            .map_err(|error| StoreError::Backend(format!("{}: {error}", self.name)))?;
        Ok(())
    }

    /// Deletes `writing` rows older than [`ABANDONED_AFTER`] (of `key` only, if given).
    async fn sweep(&self, key: Option<&Key>) -> Result<(), DbErr> {
        let d = &self.dialect;
        let mut sql = format!(
            "DELETE FROM {} WHERE state = 'writing' AND created_at < {}",
            self.tables.objects,
            d.p(1)
        );
        let mut values = vec![Value::from(crate::stamp::now() - ABANDONED_AFTER)];
        if let Some(key) = key {
            sql.push_str(&format!(" AND {} = {}", d.key(), d.p(2)));
            values.push(d.key_value(key.as_str()));
        }
        self.execute(&sql, values).await.map(drop)
    }

    async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        let statement = Statement::from_sql_and_values(self.dialect.backend(), sql, values);
        Ok(self.db.execute_raw(statement).await?.rows_affected())
    }

    async fn rows(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>, DbErr> {
        let statement = Statement::from_sql_and_values(self.dialect.backend(), sql, values);
        self.db.query_all_raw(statement).await
    }

    fn select(&self) -> String {
        format!(
            "SELECT id, {}, size_bytes, sha256, created_at FROM {} WHERE state = 'complete'",
            self.dialect.key(),
            self.tables.objects
        )
    }

    fn meta(&self, row: &QueryResult) -> Result<(Uuid, ObjectMeta), StoreError> {
        let read = || -> Result<_, DbErr> {
            let id: Uuid = row.try_get("", "id")?;
            let key = self.dialect.read_key(row)?;
            let size: i64 = row.try_get("", "size_bytes")?;
            let sha256: Option<String> = row.try_get("", "sha256")?;
            let created: DateTime<Utc> = row.try_get("", "created_at")?;
            Ok((id, key, size, sha256, created))
        };
        let (id, key, size, sha256, created) = read().map_err(db_error)?;
        let key = Key::parse(&key)?;
        Ok((
            id,
            ObjectMeta {
                key,
                size: size.max(0) as u64,
                sha256,
                created,
            },
        ))
    }

    async fn complete(&self, key: &Key) -> Result<(Uuid, ObjectMeta), StoreError> {
        self.ready().await?;
        let sql = format!(
            "{} AND {} = {}",
            self.select(),
            self.dialect.key(),
            self.dialect.p(1)
        );
        let rows = self
            .rows(&sql, vec![self.dialect.key_value(key.as_str())])
            .await
            .map_err(db_error)?;
        match rows.first() {
            Some(row) => self.meta(row),
            None => Err(StoreError::NotFound(key.to_string())),
        }
    }

    async fn write_chunk(&self, id: Uuid, seq: i32, data: Bytes) -> Result<(), StoreError> {
        let d = &self.dialect;
        let sql = format!(
            "INSERT INTO {} (object_id, seq, data) VALUES ({}, {}, {})",
            self.tables.chunks,
            d.p(1),
            d.p(2),
            d.p(3)
        );
        self.execute(&sql, vec![id.into(), seq.into(), data.to_vec().into()])
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Writes `buffer` and the rest of `body` as chunks of `id`.
    async fn stream_chunks(
        &self,
        id: Uuid,
        mut buffer: BytesMut,
        mut digest: Digest,
        body: &mut Body,
    ) -> Result<Digest, StoreError> {
        let mut seq = 0;
        while buffer.len() >= CHUNK {
            self.write_chunk(id, seq, buffer.split_to(CHUNK).freeze())
                .await?;
            seq += 1;
        }
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|error| StoreError::io("reading the content", error))?;
            digest.update(&chunk);
            let mut rest = &chunk[..];
            while !rest.is_empty() {
                let take = (CHUNK - buffer.len()).min(rest.len());
                buffer.extend_from_slice(&rest[..take]);
                rest = &rest[take..];
                if buffer.len() == CHUNK {
                    self.write_chunk(id, seq, buffer.split().freeze()).await?;
                    seq += 1;
                }
            }
        }
        if !buffer.is_empty() {
            self.write_chunk(id, seq, buffer.freeze()).await?;
        }
        Ok(digest)
    }

    /// Makes `id` the key's complete object, dropping the previous one: the
    /// `writing` row of a chunked upload, or for a `small` object (one chunk) a row
    /// and chunk written here, in the same transaction (one commit, not three).
    async fn publish(
        &self,
        key: &Key,
        id: Uuid,
        digest: Digest,
        small: Option<Bytes>,
    ) -> Result<ObjectMeta, StoreError> {
        let (size, sha256) = digest.finish();
        let created = crate::stamp::now();
        let d = &self.dialect;
        let insert_small = format!(
            "INSERT INTO {} (id, {}, size_bytes, sha256, state, created_at) \
             VALUES ({}, {}, {}, {}, 'complete', {})",
            self.tables.objects,
            d.key(),
            d.p(1),
            d.p(2),
            d.p(3),
            d.p(4),
            d.p(5)
        );
        let insert_chunk = format!(
            "INSERT INTO {} (object_id, seq, data) VALUES ({}, 0, {})",
            self.tables.chunks,
            d.p(1),
            d.p(2)
        );
        let drop_old = format!(
            "DELETE FROM {} WHERE {} = {} AND state = 'complete'",
            self.tables.objects,
            d.key(),
            d.p(1)
        );
        let complete = format!(
            "UPDATE {} SET state = 'complete', size_bytes = {}, sha256 = {}, created_at = {} \
             WHERE id = {} AND state = 'writing'",
            self.tables.objects,
            d.p(1),
            d.p(2),
            d.p(3),
            d.p(4)
        );
        let mut last_error = None;
        for attempt in 0..PUBLISH_ATTEMPTS {
            if attempt > 0 {
                // Writers that collided (a unique-index race, or an InnoDB deadlock
                // on the key's gap locks) try again at different moments.
                let jitter = rand::random_range(0..=10u64 << attempt.min(5));
                tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
            }
            let txn = self.db.begin().await.map_err(db_error)?;
            let result = async {
                // Writers of one key publish one at a time where the database can
                // say so: otherwise two can each delete the complete row they see
                // (none), and the second fails on the unique index when the first
                // commits, as often as it retries. SQLite serialises writers already.
                if let Some(lock) = d.key_lock() {
                    txn.execute_raw(Statement::from_sql_and_values(
                        d.backend(),
                        lock,
                        [key.as_str().into()],
                    ))
                    .await?;
                }
                txn.execute_raw(Statement::from_sql_and_values(
                    d.backend(),
                    &drop_old,
                    [d.key_value(key.as_str())],
                ))
                .await?;
                if let Some(data) = &small {
                    let values: [Value; 5] = [
                        id.into(),
                        d.key_value(key.as_str()),
                        (size as i64).into(),
                        sha256.clone().into(),
                        created.into(),
                    ];
                    txn.execute_raw(Statement::from_sql_and_values(
                        d.backend(),
                        &insert_small,
                        values,
                    ))
                    .await?;
                    let values: [Value; 2] = [id.into(), data.to_vec().into()];
                    txn.execute_raw(Statement::from_sql_and_values(
                        d.backend(),
                        &insert_chunk,
                        values,
                    ))
                    .await?;
                    return Ok::<u64, DbErr>(1);
                }
                let values: [Value; 4] = [
                    (size as i64).into(),
                    sha256.clone().into(),
                    created.into(),
                    id.into(),
                ];
                let updated = txn
                    .execute_raw(Statement::from_sql_and_values(
                        d.backend(),
                        &complete,
                        values,
                    ))
                    .await?
                    .rows_affected();
                Ok::<u64, DbErr>(updated)
            }
            .await;
            match result {
                Ok(1) => match txn.commit().await {
                    Ok(()) => {
                        return Ok(ObjectMeta {
                            key: key.clone(),
                            size,
                            sha256: Some(sha256),
                            created,
                        });
                    }
                    // A deadlock or serialisation failure may surface at commit.
                    Err(error) => last_error = Some(error),
                },
                Ok(_) => {
                    let _ = sea_orm::TransactionSession::rollback(txn).await;
                    return Err(StoreError::Backend(format!(
                        "the upload of {key} was swept as abandoned before it finished"
                    )));
                }
                Err(error) => {
                    let _ = sea_orm::TransactionSession::rollback(txn).await;
                    last_error = Some(error);
                }
            }
        }
        Err(last_error.map_or_else(|| StoreError::Backend("could not publish".into()), db_error))
    }

    fn chunk_stream(&self, id: Uuid, expected: u64, key: &Key) -> Body {
        let sql = format!(
            "SELECT data FROM {} WHERE object_id = {} AND seq = {}",
            self.tables.chunks,
            self.dialect.p(1),
            self.dialect.p(2)
        );
        let (db, backend) = (self.db.clone(), self.dialect.backend());
        let key = key.to_string();
        let state = (0i32, 0u64, false);
        let stream = futures_util::stream::unfold(state, move |(seq, read, done)| {
            let (db, sql, key) = (db.clone(), sql.clone(), key.clone());
            async move {
                if done {
                    return None;
                }
                let statement =
                    Statement::from_sql_and_values(backend, sql, [id.into(), seq.into()]);
                let chunk = match db.query_one_raw(statement).await {
                    Ok(Some(row)) => row.try_get::<Vec<u8>>("", "data").map(Some),
                    Ok(None) => Ok(None),
                    Err(error) => Err(error),
                };
                match chunk {
                    Ok(Some(data)) => {
                        let read = read + data.len() as u64;
                        Some((Ok(Bytes::from(data)), (seq + 1, read, false)))
                    }
                    Ok(None) if read == expected => None,
                    Ok(None) => Some((
                        Err(std::io::Error::other(format!(
                            "object {key} changed or was deleted while being read"
                        ))),
                        (seq, read, true),
                    )),
                    Err(error) => Some((
                        Err(std::io::Error::other(error.to_string())),
                        (seq, read, true),
                    )),
                }
            }
        });
        Box::pin(stream)
    }

    /// Deletes an unfinished upload's row (its chunks go with it).
    async fn discard(db: &DatabaseConnection, dialect: Dialect, objects: &str, id: Uuid) {
        let sql = format!(
            "DELETE FROM {objects} WHERE id = {} AND state = 'writing'",
            dialect.p(1)
        );
        let statement = Statement::from_sql_and_values(dialect.backend(), sql, [id.into()]);
        if let Err(error) = db.execute_raw(statement).await {
            tracing::warn!(%error, %id, "could not delete an unfinished object upload; it is swept later");
        }
    }
}

/// Deletes an upload's `writing` row if the put is dropped before it ends (a
/// cancelled request), instead of leaving it for the sweep.
struct Unfinished<'a> {
    store: &'a SqlStore,
    id: Uuid,
    armed: bool,
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (db, dialect, objects, id) = (
            self.store.db.clone(),
            self.store.dialect,
            self.store.tables.objects.clone(),
            self.id,
        );
        runtime.spawn(async move { SqlStore::discard(&db, dialect, &objects, id).await });
    }
}

#[async_trait]
impl ObjectStore for SqlStore {
    fn kind(&self) -> String {
        match self.dialect {
            _ if self.migrated => "sql".into(),
            Dialect::Postgres => "sql (PostgreSQL)".into(),
            Dialect::Sqlite => "sql (SQLite)".into(),
            Dialect::MySql => "sql (MySQL)".into(),
        }
    }

    async fn put(&self, key: &Key, mut body: Body) -> Result<ObjectMeta, StoreError> {
        self.ready().await?;
        let id = crate::stamp::new_id();
        // Until the content outgrows one chunk nothing is written: most objects
        // are small, and one transaction is all they need.
        let mut digest = Digest::default();
        let mut buffer = BytesMut::new();
        while buffer.len() < CHUNK {
            match body.next().await {
                Some(chunk) => {
                    let chunk =
                        chunk.map_err(|error| StoreError::io("reading the content", error))?;
                    digest.update(&chunk);
                    buffer.extend_from_slice(&chunk);
                }
                None => return self.publish(key, id, digest, Some(buffer.freeze())).await,
            }
        }
        self.sweep(Some(key)).await.map_err(db_error)?;
        let d = &self.dialect;
        let insert = format!(
            "INSERT INTO {} (id, {}, size_bytes, sha256, state, created_at) \
             VALUES ({}, {}, 0, NULL, 'writing', {})",
            self.tables.objects,
            d.key(),
            d.p(1),
            d.p(2),
            d.p(3)
        );
        let values = vec![
            id.into(),
            d.key_value(key.as_str()),
            crate::stamp::now().into(),
        ];
        self.execute(&insert, values).await.map_err(db_error)?;
        // From here on the row must not outlive a failed or cancelled put.
        let mut unfinished = Unfinished {
            store: self,
            id,
            armed: true,
        };
        let written = match self.stream_chunks(id, buffer, digest, &mut body).await {
            Ok(digest) => self.publish(key, id, digest, None).await,
            Err(error) => Err(error),
        };
        if written.is_ok() {
            unfinished.armed = false;
        }
        written
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let (id, meta) = self.complete(key).await?;
        let body = self.chunk_stream(id, meta.size, key);
        Ok((meta, body))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        Ok(self.complete(key).await?.1)
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.ready().await?;
        let d = &self.dialect;
        let limit = limit.max(1);
        let mut values = vec![d.key_value(prefix)];
        let mut sql = format!(
            "{} AND {} = {}",
            self.select(),
            d.key_prefix(prefix),
            d.p(1)
        );
        if let Some(after) = after {
            values.push(d.key_value(after.as_str()));
            sql.push_str(&format!(" AND {} > {}", d.ordered_key(), d.p(2)));
        }
        sql.push_str(&format!(
            " ORDER BY {} LIMIT {}",
            d.ordered_key(),
            limit + 1
        ));
        let rows = self.rows(&sql, values).await.map_err(db_error)?;
        let mut objects = Vec::with_capacity(rows.len());
        for row in &rows {
            objects.push(self.meta(row)?.1);
        }
        let next = if objects.len() > limit {
            objects.truncate(limit);
            objects.last().map(|meta| meta.key.clone())
        } else {
            None
        };
        Ok(ListPage { objects, next })
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.ready().await?;
        let d = &self.dialect;
        let sql = format!(
            "DELETE FROM {} WHERE {} = {} AND state = 'complete'",
            self.tables.objects,
            d.key(),
            d.p(1)
        );
        self.execute(&sql, vec![d.key_value(key.as_str())])
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.ready().await?;
        self.db
            .execute_unprepared(&format!("SELECT 1 FROM {} LIMIT 1", self.tables.objects))
            .await
            .map_err(|error| StoreError::Backend(format!("{}: {error}", self.name)))?;
        Ok(())
    }
}
