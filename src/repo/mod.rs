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
pub mod record;
pub mod record_type;

pub mod contacts;
pub mod cost_options;
pub mod eligibilities;
pub mod events;
pub mod providers;
pub mod service_eligibilities;
pub mod service_venues;
pub mod services;
pub mod taxonomies;
pub mod taxonomy_refs;
pub mod taxonomy_terms;
pub mod venues;

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
