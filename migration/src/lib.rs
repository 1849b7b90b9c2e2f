//! Signpost's schema migrations.
//!
//! The DDL is plain SQL kept in `src/sql/`, one template per migration rendered for
//! SQLite or PostgreSQL by [`render`]. Raw SQL rather than sea-query builders because
//! the schema leans on things the builders cannot say on both backends: CHECK
//! constraints, partial unique indexes, FTS5 virtual tables with triggers and
//! generated tsvector columns. Rules for adding one (see also `README.md` here):
//! migrations are append-only, every `up` has a `down`, and no seed data lives here.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_directory;
mod m20261122_000002_create_operations;
mod m20261201_000003_search_words;
mod m20261201_000004_unlogged_nonces;
mod m20261202_000005_import_progress;
mod m20261202_000006_ingest_outcome;
mod m20261203_000007_hsds_objects;
mod m20261203_000008_ingest_warnings;
mod m20261203_000009_service_visibility;
mod m20261203_000010_change_notifications;
mod m20261206_000011_venue_visibility;
mod m20261206_000012_objects_key_order;
mod m20261206_000013_bulk_visibility;
mod m20261206_000014_set_wise_venues;
mod m20261206_000015_shown_services_index;
mod m20261207_000016_datasets;
mod m20261208_000017_run_files_and_confirms;
pub mod render;

/// Every migration of the schema, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_directory::Migration),
            Box::new(m20261122_000002_create_operations::Migration),
            Box::new(m20261201_000003_search_words::Migration),
            Box::new(m20261201_000004_unlogged_nonces::Migration),
            Box::new(m20261202_000005_import_progress::Migration),
            Box::new(m20261202_000006_ingest_outcome::Migration),
            Box::new(m20261203_000007_hsds_objects::Migration),
            Box::new(m20261203_000008_ingest_warnings::Migration),
            Box::new(m20261203_000009_service_visibility::Migration),
            Box::new(m20261203_000010_change_notifications::Migration),
            Box::new(m20261206_000011_venue_visibility::Migration),
            Box::new(m20261206_000012_objects_key_order::Migration),
            Box::new(m20261206_000013_bulk_visibility::Migration),
            Box::new(m20261206_000014_set_wise_venues::Migration),
            Box::new(m20261206_000015_shown_services_index::Migration),
            Box::new(m20261207_000016_datasets::Migration),
            Box::new(m20261208_000017_run_files_and_confirms::Migration),
        ]
    }
}
