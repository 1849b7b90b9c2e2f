//! The operations tables: imports, ingest registry and runs, nonces, postcodes,
//! the `sql` object store, leases and the change log.

use crate::render;
use sea_orm_migration::prelude::*;

pub struct Migration;

const TABLES: &[&str] = &[
    "change_log",
    "locks",
    "object_chunks",
    "objects",
    "postcodes",
    "hawk_nonces",
    "ingest_runs",
    "data_files",
    "imports",
];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000002_create_operations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        render::execute(
            manager.get_connection(),
            include_str!("sql/operations.sql"),
            backend,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&render::drop_tables(TABLES))
            .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
