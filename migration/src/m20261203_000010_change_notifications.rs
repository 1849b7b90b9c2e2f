//! PostgreSQL tells every replica when directory data changed.
//!
//! The response cache of each replica must forget what a write on any replica (or
//! any other client of the database) made stale. A statement trigger per directory
//! table notifies `signpost_changes` on commit; each replica listens. SQLite needs
//! none of this: one process serves a file, and it watches the file's
//! `data_version` instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000010_change_notifications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/change_notifications.postgres.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        // CASCADE drops the triggers with the function.
        manager
            .get_connection()
            .execute_unprepared("DROP FUNCTION IF EXISTS signpost_notify_change() CASCADE")
            .await?;
        Ok(())
    }
}
