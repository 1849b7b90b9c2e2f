//! PostgreSQL search words tokenized like SQLite's FTS5 (see
//! `sql/search_words.postgres.sql` for why). SQLite needs no change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000003_search_words"
    }
}

/// The first migration's `simple` vectors, restored by `down`.
const SIMPLE_VECTORS: &str = "
DROP INDEX providers_search_idx;
DROP INDEX services_search_idx;
DROP INDEX venues_search_idx;
ALTER TABLE providers DROP COLUMN search_vector;
ALTER TABLE services DROP COLUMN search_vector;
ALTER TABLE venues DROP COLUMN search_vector;
DROP TEXT SEARCH CONFIGURATION signpost_search;
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/search_words.postgres.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(SIMPLE_VECTORS).await?;
        // The extension stays: other schemas of the database may use it.
        let search = include_str!("sql/search.postgres.sql");
        db.execute_unprepared(search).await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
