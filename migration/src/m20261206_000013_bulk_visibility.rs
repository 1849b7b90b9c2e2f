//! Lets an import on PostgreSQL write `services.visible` itself, set-wise.
//!
//! The row trigger of `m20261203_000009_service_visibility` looks up (and locks) the
//! provider of every service written: a hundred thousand lookups for a hundred
//! thousand rows, the largest single cost of applying an import. An import knows all
//! its rows at once, so it locks their providers in one statement and computes the
//! flag by a join in its `INSERT … SELECT` (`src/import/visible.rs`). For that one
//! statement it sets the transaction-local `signpost.visible_set` to `on`, and the
//! trigger stands aside; every other writer leaves it unset and keeps the trigger.
//! SQLite keeps its triggers: its writes are serialised and its trigger is a cheap
//! update of the row just written.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000013_bulk_visibility"
    }
}

const TRIGGER: &str = "CREATE TRIGGER services_visible \
    BEFORE INSERT OR UPDATE OF published, deleted_at, provider_id ON services FOR EACH ROW";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "DROP TRIGGER services_visible ON services; \
                     {TRIGGER} WHEN (current_setting('signpost.visible_set', true) IS DISTINCT FROM 'on') \
                     EXECUTE FUNCTION signpost_service_visible()"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "DROP TRIGGER services_visible ON services; \
                     {TRIGGER} EXECUTE FUNCTION signpost_service_visible()"
                ))
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
