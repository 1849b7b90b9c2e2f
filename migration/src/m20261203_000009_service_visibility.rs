//! Whether the public sees a service, kept in `services.visible`.
//!
//! Anonymous callers see a service when it and its provider are published and live
//! (docs/data-model.md). Checked as it is read, that rule is a correlated `EXISTS` on
//! `providers` for every service a page walks past, and for every parent check of every
//! record hanging off a service. Kept by triggers instead, every writer — mutations,
//! imports, ingests, publish and unpublish, a provider's tombstone — keeps it right
//! without knowing it exists, and an anonymous page in name order is one range of a
//! partial index.

use crate::render;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000009_service_visibility"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let script = if backend == DatabaseBackend::Postgres {
            include_str!("sql/service_visibility.postgres.sql")
        } else {
            include_str!("sql/service_visibility.sqlite.sql")
        };
        render::execute(manager.get_connection(), script, backend).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let script = if manager.get_database_backend() == DatabaseBackend::Postgres {
            "DROP TRIGGER IF EXISTS providers_visibility ON providers; \
             DROP TRIGGER IF EXISTS services_visible ON services; \
             DROP FUNCTION IF EXISTS signpost_provider_visibility(); \
             DROP FUNCTION IF EXISTS signpost_service_visible(); \
             DROP INDEX IF EXISTS services_visible_name_idx; \
             ALTER TABLE services DROP COLUMN visible"
        } else {
            "DROP TRIGGER IF EXISTS providers_visibility_update; \
             DROP TRIGGER IF EXISTS services_visible_update; \
             DROP TRIGGER IF EXISTS services_visible_insert; \
             DROP INDEX IF EXISTS services_visible_name_idx; \
             ALTER TABLE services DROP COLUMN visible"
        };
        db.execute_unprepared(script).await?;
        Ok(())
    }
}
