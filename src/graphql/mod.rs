//! The GraphQL schema. It knows nothing of HTTP: handlers build a request, attach
//! the caller's identity as request data and execute it here.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

/// The root of every read.
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// The version of the Signpost server answering.
    async fn server_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

pub type SignpostSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema: no I/O, so `print-schema` and tests can call it freely.
pub fn build_schema() -> SignpostSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription).finish()
}

/// The schema in SDL, as `signpost print-schema` prints it and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema().sdl()
}
