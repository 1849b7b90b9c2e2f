//! PostgreSQL keeps `hawk_nonces` UNLOGGED: a nonce lives for the HAWK skew window
//! only, so writing it to the WAL (and waiting for the flush on every signed
//! request) buys nothing worth its cost. After a crash the table comes back empty,
//! which reopens replays only for requests signed in the minute before the crash.
//! SQLite has no such table kind and needs no change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000004_unlogged_nonces"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE hawk_nonces SET UNLOGGED")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE hawk_nonces SET LOGGED")
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
