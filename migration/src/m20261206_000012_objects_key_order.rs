//! The `sql` object store lists keys in byte order (`key COLLATE "C"`), as S3
//! does, and `store migrate` walks whole listings page by page. On PostgreSQL
//! the key indexes use the database's collation, so every page sorted all
//! complete objects: a million objects cost a million-row sort per page. This
//! index serves the listing in order. SQLite compares bytes already and its
//! existing index on complete keys serves it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000012_objects_key_order"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX objects_key_order_idx ON objects (key COLLATE \"C\") \
                     WHERE state = 'complete'",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX objects_key_order_idx")
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
