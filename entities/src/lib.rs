//! sea-orm entities: one module per Signpost table (`docs/data-model.md` describes them).
//!
//! Entities hold data only. They carry no GraphQL derives: the API wraps them in its own
//! types so the schema can change without touching storage.

pub mod accessibility;
pub mod addresses;
pub mod change_log;
pub mod contacts;
pub mod cost_options;
pub mod data_files;
pub mod dataset_versions;
pub mod datasets;
pub mod eligibilities;
pub mod enums;
pub mod events;
pub mod funding;
pub mod hawk_nonces;
pub mod imports;
pub mod ingest_runs;
pub mod languages;
pub mod locks;
pub mod meta_table_descriptions;
pub mod metadata;
pub mod notifications;
pub mod object_chunks;
pub mod objects;
pub mod organization_identifiers;
pub mod phones;
pub mod postcodes;
pub mod programs;
pub mod providers;
pub mod required_documents;
pub mod schedules;
pub mod service_areas;
pub mod service_eligibilities;
pub mod service_venues;
pub mod services;
pub mod taxonomies;
pub mod taxonomy_refs;
pub mod taxonomy_terms;
pub mod venues;
