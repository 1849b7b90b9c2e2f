//! Admin mutations. Resolvers are thin: check the role, turn the input into a row
//! and its problems, and call [`crate::write`], which validates references, writes
//! in one transaction with the change log and bumps the version.
//!
//! Errors: `FORBIDDEN` for callers below admin, `VALIDATION_FAILED` with
//! `extensions.errors: [{field, message}]` listing every problem at once,
//! `CONFLICT` for a stale `version` or a delete refused while live children exist,
//! and `NOT_FOUND`. Errors are [`crate::error::AppError`]s: resolvers use `?`.

mod common;
mod contact;
mod cost_option;
mod dataset;
mod eligibility;
mod event;
mod hsds;
mod import;
mod ingest;
mod provider;
mod service;
mod taxonomy;
mod taxonomy_ref;
mod venue;

use async_graphql::MergedObject;

/// The root `Mutation` type.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    provider::ProviderMutations,
    service::ServiceMutations,
    venue::VenueMutations,
    cost_option::CostOptionMutations,
    eligibility::EligibilityMutations,
    contact::ContactMutations,
    event::EventMutations,
    import::ImportMutations,
    ingest::IngestMutations,
    taxonomy::TaxonomyMutations,
    taxonomy_ref::TaxonomyRefMutations,
    hsds::HsdsMutations,
    dataset::DatasetMutations,
);
