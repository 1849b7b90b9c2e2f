//! Data files remember the ingest run that last touched them (`run_id`), so a
//! run can list its files; imports remember the dry run they confirm
//! (`confirms`, unique, so that a confirmation retried by a browser or raced by
//! two replicas makes one import) and the encoding they declared (`encoding`),
//! so that re-applying a stored file reads it as the first import did
//! (`sql/run_files_and_confirms.sql`).
//!
//! No foreign keys: SQLite cannot drop a column that has one, and `down` must.
//! Indexes go before their columns on the way down for the same reason.

use crate::render;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000017_run_files_and_confirms"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        render::execute(
            manager.get_connection(),
            include_str!("sql/run_files_and_confirms.sql"),
            manager.get_database_backend(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DROP INDEX IF EXISTS imports_confirms_idx;
                 ALTER TABLE imports DROP COLUMN encoding;
                 ALTER TABLE imports DROP COLUMN confirms;
                 DROP INDEX IF EXISTS data_files_run_idx;
                 ALTER TABLE data_files DROP COLUMN run_id;",
            )
            .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
