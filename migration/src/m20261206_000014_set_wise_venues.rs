//! Venue upkeep per statement on PostgreSQL: a venue's address columns fed from its
//! main address by one update per statement (only the venues that differ), and
//! the venue visibility trigger standing aside while an import writes the flag
//! itself. The reasons are in `sql/set_wise_venues.postgres.sql`. SQLite keeps its
//! triggers: its writes are serialised, in-process calls.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000014_set_wise_venues"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(include_str!("sql/set_wise_venues.postgres.sql"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let db = manager.get_connection();
            db.execute_unprepared(
                "DROP TRIGGER addresses_feed_venues_insert ON addresses; \
                 DROP TRIGGER addresses_feed_venues_update ON addresses; \
                 DROP FUNCTION signpost_feed_venues(); \
                 DROP FUNCTION signpost_feed_venue_addresses(UUID[]); \
                 DROP TRIGGER venues_visible ON venues; \
                 CREATE TRIGGER venues_visible BEFORE INSERT OR UPDATE OF provider_id, deleted_at \
                 ON venues FOR EACH ROW EXECUTE FUNCTION signpost_venue_visible()",
            )
            .await?;
            // The row trigger as the first migration wrote it.
            let feed = include_str!("sql/addresses_feed.postgres.sql");
            db.execute_unprepared(feed).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
