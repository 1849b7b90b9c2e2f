//! The GraphQL schema. It knows nothing of HTTP: a handler builds a request,
//! attaches a [`ReadContext`] (database, caller, limits) with [`attach`] and
//! executes it here.
//!
//! Map: [`types`] (record objects), [`query`] (root fields), [`filter`] (filter
//! inputs), [`connection`] (Relay connections), [`batch`] (batched relations), [`context`],
//! [`order`], [`enums`], [`scalars`].

pub mod batch;
pub mod connection;
pub mod context;
pub mod documents;
pub mod enums;
pub mod filter;
pub mod limits;
pub mod mutation;
pub mod nesting;
pub mod newest;
pub mod order;
pub mod page_sizes;
pub mod query;
pub mod scalars;
pub mod selection;
pub mod types;
pub mod variables;

pub use connection::PageLimits;
pub use context::ReadContext;
pub use query::QueryRoot;

use crate::read::Viewer;
use async_graphql::{EmptySubscription, Request, Schema};
pub use mutation::MutationRoot;
use sea_orm::DatabaseConnection;

pub type SignpostSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Limits applied to every request, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct ApiLimits {
    pub pages: PageLimits,
    /// The largest `near.radiusKm` accepted.
    pub max_radius_km: f64,
    /// Depth, complexity and aliases.
    pub query: limits::QueryLimits,
    /// How far the export watermark is held back (see [`crate::export::watermark`]).
    pub export_lag: std::time::Duration,
    /// Read only the columns a query selects ([`crate::read::Columns`]).
    pub project_columns: bool,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            pages: PageLimits::default(),
            max_radius_km: 100.0,
            export_lag: std::time::Duration::from_secs(5),
            query: limits::QueryLimits::default(),
            project_columns: true,
        }
    }
}

/// Builds the schema: no I/O, so `print-schema` and tests can call it freely.
pub fn build_schema() -> SignpostSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .extension(limits::Guard)
    .finish()
}

/// The schema in SDL, as `signpost print-schema` prints it and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}

/// Gives `request` what its resolvers read with. Nothing is cached across
/// requests or callers.
pub fn attach(
    request: Request,
    db: &DatabaseConnection,
    viewer: Viewer,
    limits: ApiLimits,
) -> Request {
    let operation = limits::OperationName(request.operation_name.clone());
    request
        .data(limits.query)
        .data(operation)
        .data(ReadContext {
            db: db.clone(),
            viewer,
            limits: limits.pages,
            max_radius_km: limits.max_radius_km,
            export_lag: limits.export_lag,
            project_columns: limits.project_columns,
        })
}
