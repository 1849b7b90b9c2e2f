//! `/graphql`: executes GraphQL requests against the schema, as the caller.
//!
//! For now every caller is anonymous (the auth issue adds credentials) and the
//! protocol is async-graphql's axum integration (the HTTP issue adds full
//! GraphQL-over-HTTP content negotiation and status codes).

use crate::graphql;
use crate::read::Viewer;
use crate::state::AppState;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;

/// Runs one GraphQL request (POST body or GET query string).
pub async fn execute(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let request = graphql::attach(
        request.into_inner(),
        &state.db,
        Viewer::anonymous(),
        state.config.api_limits(),
    );
    state.schema.execute(request).await.into()
}
