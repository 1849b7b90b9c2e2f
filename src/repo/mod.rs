//! Data access: every read and write of directory records goes through here.
//!
//! Functions take `&impl ConnectionTrait` so a caller can pass a pool or a
//! transaction. The shared behaviour of the directory tables (batched reads,
//! batched inserts, versioned updates, tombstones) is written once in [`record`]
//! over the [`Record`] trait; each record type's module says only what is its own:
//! its table and its name in messages. Reading pages for the API is the read side's
//! work ([`crate::read`]).

pub mod children;
pub mod error;
pub mod main_address;
pub mod record;
pub mod record_type;

/// One module per directory table: its entity, and its [`Record`] name in messages.
macro_rules! record_modules {
    ($($(#[$doc:meta])* $module:ident: $kind:literal;)*) => {$(
        $(#[$doc])*
        pub mod $module {
            pub use entities::$module::{ActiveModel, Column, Entity, Model};

            impl super::Record for Entity {
                const KIND: &'static str = $kind;
                const TABLE: &'static str = stringify!($module);
            }
        }
    )*};
}

record_modules! {
    /// Providers: the organisations that run services (HSDS `organization`).
    providers: "provider";
    /// Services: what providers offer, the heart of the directory.
    services: "service";
    /// Venues: the places services are delivered (HSDS `location`).
    venues: "venue";
    /// Service-at-venue links (HSDS `service_at_location`).
    service_venues: "service venue link";
    /// Contacts of providers, services, venues and services at venues.
    contacts: "contact";
    /// Eligibility rules, shared between services.
    eligibilities: "eligibility";
    /// Service-to-eligibility links.
    service_eligibilities: "service eligibility link";
    /// Cost options of services.
    cost_options: "cost option";
    /// Events, dated or recurring.
    events: "event";
    /// Taxonomies: vocabularies of terms.
    taxonomies: "taxonomy";
    /// Taxonomy terms.
    taxonomy_terms: "taxonomy term";
    /// Which term tags which record (HSDS `attribute`).
    taxonomy_refs: "taxonomy reference";
    /// Programmes of services.
    programs: "program";
    /// Phone numbers.
    phones: "phone";
    /// Opening hours.
    schedules: "schedule";
    /// Addresses of venues.
    addresses: "address";
    /// Languages of services, venues and phones.
    languages: "language";
    /// Accessibility of venues.
    accessibility: "accessibility record";
    /// Areas services cover.
    service_areas: "service area";
    /// Funding of providers and services.
    funding: "funding record";
    /// Documents services ask for.
    required_documents: "required document";
    /// Identifiers of providers in other schemes.
    organization_identifiers: "organisation identifier";
    /// Descriptions of published tables.
    meta_table_descriptions: "table description";
    /// Imported HSDS provenance.
    metadata: "metadata record";
}

pub use error::RepoError;
pub use record::{Record, delete, get_by_ids, insert_many, update};
pub use record_type::RecordType;
use sea_orm::{DbErr, TransactionSession, TransactionTrait};
use std::future::Future;
use std::pin::Pin;

/// Ids per `IN (...)` list: well under both backends' bind-parameter limits.
pub(crate) const MAX_IDS_PER_STATEMENT: usize = 5_000;

/// Runs `work` in a transaction: committed when it succeeds, rolled back at once
/// when it fails. (A dropped sqlx transaction is rolled back only when its
/// connection is next used, and until then it holds its locks.)
pub async fn in_transaction<C, T, E>(
    db: &C,
    work: impl for<'c> FnOnce(
        &'c C::Transaction,
    ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>,
) -> Result<T, E>
where
    C: TransactionTrait,
    E: From<DbErr>,
{
    let txn = db.begin().await?;
    match work(&txn).await {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(error) => {
            txn.rollback().await?;
            Err(error)
        }
    }
}
