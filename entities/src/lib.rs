//! sea-orm entities: one module per Signpost table (see `shared/design/data-model.md`).
//!
//! Entities hold data only. They carry no GraphQL derives: the API wraps them in its own
//! types so the schema can change without touching storage.

pub mod enums;
pub mod providers;
pub mod services;
pub mod venues;
pub mod service_venues;
pub mod contacts;
pub mod eligibilities;
pub mod service_eligibilities;
pub mod cost_options;
pub mod events;
pub mod taxonomies;
pub mod taxonomy_terms;
pub mod taxonomy_refs;
pub mod imports;
pub mod data_files;
pub mod ingest_runs;
pub mod hawk_nonces;
pub mod postcodes;
pub mod objects;
pub mod object_chunks;
pub mod locks;
pub mod change_log;
