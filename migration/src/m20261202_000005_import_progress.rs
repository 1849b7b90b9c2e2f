//! Imports keep their preview (what a dry run would do, and the first rows read)
//! and how many rows of the current pass are done, so an admin polling `import(id)`
//! on any replica sees progress (PostgreSQL; on SQLite progress stays in memory
//! to keep the single writer free for the import itself).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000005_import_progress"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let json = crate::render::render("{json}", manager.get_database_backend());
        let db = manager.get_connection();
        db.execute_unprepared(&format!("ALTER TABLE imports ADD COLUMN preview {json}"))
            .await?;
        db.execute_unprepared("ALTER TABLE imports ADD COLUMN rows_done BIGINT NOT NULL DEFAULT 0")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE imports DROP COLUMN rows_done")
            .await?;
        db.execute_unprepared("ALTER TABLE imports DROP COLUMN preview")
            .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
