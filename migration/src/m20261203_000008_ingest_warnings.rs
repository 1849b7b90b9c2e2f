//! Ingest runs keep their warnings (a listing cut short, a page over its bounds, a
//! column not stored), one per line, so a run triggered from GraphQL or by the
//! schedule says what the command line prints.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000008_ingest_warnings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE ingest_runs ADD COLUMN warnings TEXT")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE ingest_runs DROP COLUMN warnings")
            .await?;
        Ok(())
    }
}
