//! The directory record tables, their indexes and full-text search structures.

use crate::render;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

/// Children before parents, so each drop meets no live foreign key.
const TABLES: &[&str] = &[
    "taxonomy_refs",
    "taxonomy_terms",
    "taxonomies",
    "events",
    "cost_options",
    "service_eligibilities",
    "eligibilities",
    "contacts",
    "service_venues",
    "venues",
    "services",
    "providers",
];

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_create_directory"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        render::execute(db, include_str!("sql/directory.sql"), backend).await?;
        let search = match backend {
            DatabaseBackend::Postgres => include_str!("sql/search.postgres.sql"),
            _ => include_str!("sql/search.sqlite.sql"),
        };
        render::execute(db, search, backend).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        if backend != DatabaseBackend::Postgres {
            // Dropping a base table drops its triggers, not its FTS5 virtual table.
            db.execute_unprepared(&render::drop_tables(&[
                "providers_fts",
                "services_fts",
                "venues_fts",
            ]))
            .await?;
        }
        db.execute_unprepared(&render::drop_tables(TABLES)).await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        // DDL is transactional on both backends: a failed migration leaves nothing behind.
        Some(true)
    }
}
