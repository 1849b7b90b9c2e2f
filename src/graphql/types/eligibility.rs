//! `Eligibility`: Who a service is for, e.g. "Over 60s only" (a Signpost extension; services link to it).

use super::node_object;
use super::service::Service;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::read::relations::ELIGIBILITY_SERVICES;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// Who a service is for, e.g. "Over 60s only" (a Signpost extension; services link to it).
#[derive(Clone)]
pub struct Eligibility(
    pub crate::repo::eligibilities::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::eligibilities::Entity>>,
);

node_object!(Eligibility, eligibilities);

/// Who a service is for, e.g. "Over 60s only" (a Signpost extension; services link to it).
#[Object]
impl Eligibility {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Who is eligible, in words.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Youngest age eligible.
    async fn minimum_age(&self) -> Option<i32> {
        self.0.minimum_age
    }

    /// Oldest age eligible.
    async fn maximum_age(&self) -> Option<i32> {
        self.0.maximum_age
    }

    /// When the record was created (set by the server).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed (set by the server).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The record version: 1 when created, one more on every change. Updates must name it.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Services with this eligibility.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn services(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Service>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &ELIGIBILITY_SERVICES, self.0.id, args).await
    }
}
