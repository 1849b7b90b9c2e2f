//! Objects in the database (`objects` + `object_chunks`), for small deployments
//! without S3: the content goes in chunks of a few MB, never one huge value.
//!
//! A put streams its chunks under a new `writing` row, each in its own statement
//! (no long transaction holds the single SQLite writer or a PostgreSQL snapshot),
//! then one short transaction drops the key's previous `complete` row (its chunks
//! go with it) and marks the new one `complete`; a unique index on complete keys
//! settles two writers racing (the loser retries). Rows left `writing` by a crashed
//! writer are swept on the key's next put.

use super::{Body, Digest, Key, ListPage, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use entities::{object_chunks, objects};
use futures_util::StreamExt;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    Statement, TransactionTrait,
};
use uuid::Uuid;

/// Bytes per stored chunk.
const CHUNK: usize = 4 * 1024 * 1024;

#[derive(Debug)]
pub struct SqlStore {
    db: DatabaseConnection,
}

fn db_error(error: sea_orm::DbErr) -> StoreError {
    StoreError::Backend(format!("object store database: {error}"))
}

impl SqlStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn complete(&self, key: &Key) -> Result<objects::Model, StoreError> {
        objects::Entity::find()
            .filter(objects::Column::Key.eq(key.as_str()))
            .filter(objects::Column::State.eq("complete"))
            .one(&self.db)
            .await
            .map_err(db_error)?
            .ok_or_else(|| StoreError::NotFound(key.to_string()))
    }

    async fn write_chunk(&self, id: Uuid, seq: i32, data: Bytes) -> Result<(), StoreError> {
        object_chunks::Entity::insert(object_chunks::ActiveModel {
            object_id: Set(id),
            seq: Set(seq),
            data: Set(data.to_vec()),
        })
        .exec_without_returning(&self.db)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn stream_chunks(&self, id: Uuid, body: &mut Body) -> Result<Digest, StoreError> {
        let mut digest = Digest::default();
        let mut buffer = BytesMut::with_capacity(CHUNK);
        let mut seq = 0;
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

    /// Makes `id` the key's complete object, dropping the previous one.
    async fn publish(
        &self,
        key: &Key,
        id: Uuid,
        size: u64,
        sha256: &str,
    ) -> Result<(), StoreError> {
        let mut last_error = None;
        for _ in 0..5 {
            let txn = self.db.begin().await.map_err(db_error)?;
            let result = async {
                // Writers of one key publish one at a time on PostgreSQL: otherwise two
                // can each delete the complete row they see (none), and the second then
                // fails on the unique index when the first commits, as often as it
                // retries under contention. SQLite serialises writers already.
                if txn.get_database_backend() == DatabaseBackend::Postgres {
                    txn.execute_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Postgres,
                        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                        [key.as_str().into()],
                    ))
                    .await?;
                }
                objects::Entity::delete_many()
                    .filter(objects::Column::Key.eq(key.as_str()))
                    .filter(objects::Column::State.eq("complete"))
                    .exec(&txn)
                    .await?;
                objects::Entity::update_many()
                    .col_expr(
                        objects::Column::State,
                        sea_orm::sea_query::Expr::value("complete"),
                    )
                    .col_expr(
                        objects::Column::SizeBytes,
                        sea_orm::sea_query::Expr::value(size as i64),
                    )
                    .col_expr(
                        objects::Column::Sha256,
                        sea_orm::sea_query::Expr::value(sha256),
                    )
                    .col_expr(
                        objects::Column::CreatedAt,
                        sea_orm::sea_query::Expr::value(crate::stamp::now()),
                    )
                    .filter(objects::Column::Id.eq(id))
                    .exec(&txn)
                    .await?;
                Ok::<(), sea_orm::DbErr>(())
            }
            .await;
            match result {
                Ok(()) => {
                    txn.commit().await.map_err(db_error)?;
                    return Ok(());
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
        let db = self.db.clone();
        let key = key.to_string();
        let state = (db, 0i32, 0u64, false);
        let stream = futures_util::stream::unfold(state, move |(db, seq, read, done)| {
            let key = key.clone();
            async move {
                if done {
                    return None;
                }
                let chunk = object_chunks::Entity::find_by_id((id, seq)).one(&db).await;
                match chunk {
                    Ok(Some(chunk)) => {
                        let read = read + chunk.data.len() as u64;
                        Some((Ok(Bytes::from(chunk.data)), (db, seq + 1, read, false)))
                    }
                    Ok(None) if read == expected => None,
                    Ok(None) => Some((
                        Err(std::io::Error::other(format!(
                            "object {key} changed or was deleted while being read"
                        ))),
                        (db, seq, read, true),
                    )),
                    Err(error) => Some((
                        Err(std::io::Error::other(error.to_string())),
                        (db, seq, read, true),
                    )),
                }
            }
        });
        Box::pin(stream)
    }
}

fn meta(model: &objects::Model, key: &Key) -> ObjectMeta {
    ObjectMeta {
        key: key.clone(),
        size: model.size_bytes.max(0) as u64,
        sha256: model.sha256.clone(),
        created: model.created_at,
    }
}

#[async_trait]
impl ObjectStore for SqlStore {
    async fn put(&self, key: &Key, mut body: Body) -> Result<ObjectMeta, StoreError> {
        let stale: DateTime<Utc> = crate::stamp::now() - chrono::TimeDelta::hours(24);
        objects::Entity::delete_many()
            .filter(objects::Column::Key.eq(key.as_str()))
            .filter(objects::Column::State.eq("writing"))
            .filter(objects::Column::CreatedAt.lt(stale))
            .exec(&self.db)
            .await
            .map_err(db_error)?;
        let id = crate::stamp::new_id();
        objects::Entity::insert(objects::ActiveModel {
            id: Set(id),
            key: Set(key.to_string()),
            size_bytes: Set(0),
            sha256: Set(None),
            state: Set("writing".into()),
            created_at: Set(crate::stamp::now()),
        })
        .exec_without_returning(&self.db)
        .await
        .map_err(db_error)?;
        let written = match self.stream_chunks(id, &mut body).await {
            Ok(digest) => {
                let (size, sha256) = digest.finish();
                self.publish(key, id, size, &sha256).await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = written {
            let _ = objects::Entity::delete_by_id(id).exec(&self.db).await;
            return Err(error);
        }
        self.head(key).await
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let model = self.complete(key).await?;
        let body = self.chunk_stream(model.id, model.size_bytes.max(0) as u64, key);
        Ok((meta(&model, key), body))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        let model = self.complete(key).await?;
        Ok(meta(&model, key))
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let backend = self.db.get_database_backend();
        // Byte order of keys on both backends, as S3 lists them.
        let postgres = backend == DatabaseBackend::Postgres;
        let collate = if postgres { " COLLATE \"C\"" } else { "" };
        let p = |n: usize| {
            if postgres {
                format!("${n}")
            } else {
                "?".to_owned()
            }
        };
        let limit = limit.max(1);
        // `substr` rather than LIKE: SQLite's LIKE ignores case.
        let mut values: Vec<sea_orm::Value> = vec![prefix.into()];
        let mut sql = format!(
            "SELECT id, key, size_bytes, sha256, state, created_at FROM objects \
             WHERE state = 'complete' AND substr(key, 1, {}) = {}",
            prefix.chars().count(),
            p(1)
        );
        if let Some(after) = after {
            values.push(after.as_str().into());
            sql.push_str(&format!(" AND key{collate} > {}", p(2)));
        }
        sql.push_str(&format!(" ORDER BY key{collate} LIMIT {}", limit + 1));
        let rows = objects::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
            .all(&self.db)
            .await
            .map_err(db_error)?;
        let mut objects: Vec<ObjectMeta> = rows
            .iter()
            .filter_map(|row| Key::parse(&row.key).ok().map(|key| meta(row, &key)))
            .collect();
        let next = if objects.len() > limit {
            objects.truncate(limit);
            objects.last().map(|meta| meta.key.clone())
        } else {
            None
        };
        Ok(ListPage { objects, next })
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        objects::Entity::delete_many()
            .filter(objects::Column::Key.eq(key.as_str()))
            .filter(objects::Column::State.eq("complete"))
            .exec(&self.db)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.db
            .execute_unprepared("SELECT 1 FROM objects LIMIT 1")
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
