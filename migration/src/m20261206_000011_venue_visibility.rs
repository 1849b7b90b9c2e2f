//! Whether the public sees a venue, kept in `venues.visible`.
//!
//! Anonymous callers see a venue when it is live and its provider is published, or
//! when a visible service is offered there (docs/data-model.md). Checked as it is
//! read, that rule was two correlated `EXISTS` per venue a page walked past, one of
//! them through `service_venues` and `services`. Kept by triggers instead (as
//! `services.visible` is, whose changes it follows), every writer keeps it right
//! without knowing it exists, and an anonymous page of venues in name order is one
//! range of a partial index.

use crate::render;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000011_venue_visibility"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let script = if backend == DatabaseBackend::Postgres {
            include_str!("sql/venue_visibility.postgres.sql")
        } else {
            include_str!("sql/venue_visibility.sqlite.sql")
        };
        render::execute(manager.get_connection(), script, backend).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let script = if manager.get_database_backend() == DatabaseBackend::Postgres {
            "DROP TRIGGER IF EXISTS service_venues_visibility_delete ON service_venues; \
             DROP TRIGGER IF EXISTS service_venues_visibility_update ON service_venues; \
             DROP TRIGGER IF EXISTS service_venues_visibility_insert ON service_venues; \
             DROP TRIGGER IF EXISTS services_venue_visibility ON services; \
             DROP TRIGGER IF EXISTS providers_venue_visibility ON providers; \
             DROP TRIGGER IF EXISTS venues_visible ON venues; \
             DROP FUNCTION IF EXISTS signpost_link_venues(); \
             DROP FUNCTION IF EXISTS signpost_service_venues(); \
             DROP FUNCTION IF EXISTS signpost_provider_venues(); \
             DROP FUNCTION IF EXISTS signpost_refresh_venues(UUID[]); \
             DROP FUNCTION IF EXISTS signpost_venue_visible(); \
             DROP FUNCTION IF EXISTS signpost_venue_shown(UUID, UUID, TIMESTAMPTZ); \
             DROP INDEX IF EXISTS venues_visible_name_idx; \
             ALTER TABLE venues DROP COLUMN visible"
        } else {
            "DROP TRIGGER IF EXISTS service_venues_visibility_delete; \
             DROP TRIGGER IF EXISTS service_venues_visibility_update; \
             DROP TRIGGER IF EXISTS service_venues_visibility_insert; \
             DROP TRIGGER IF EXISTS services_venue_visibility; \
             DROP TRIGGER IF EXISTS providers_venue_visibility; \
             DROP TRIGGER IF EXISTS venues_visible_update; \
             DROP TRIGGER IF EXISTS venues_visible_insert; \
             DROP VIEW IF EXISTS signpost_venue_shown; \
             DROP INDEX IF EXISTS venues_visible_name_idx; \
             ALTER TABLE venues DROP COLUMN visible"
        };
        db.execute_unprepared(script).await?;
        Ok(())
    }
}
