//! `CostOption`: What a service costs (HSDS `cost_option`).

use super::node_object;
use super::related;
use super::service::Service;
use crate::error::ApiResult;
use crate::graphql::scalars::Date;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// What a service costs (HSDS `cost_option`).
#[derive(Clone)]
pub struct CostOption(
    pub crate::repo::cost_options::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::cost_options::Entity>>,
);

node_object!(CostOption, cost_options);

/// What a service costs (HSDS `cost_option`).
#[Object]
impl CostOption {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The cost in words, e.g. "£8.50 an hour".
    async fn option(&self) -> &str {
        &self.0.option
    }

    /// The amount (exact decimal), when there is one.
    async fn amount(&self) -> Option<Decimal> {
        self.0.amount
    }

    /// Currency of the amount (ISO 4217, e.g. GBP).
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// What the amount covers.
    async fn amount_description(&self) -> Option<&str> {
        self.0.amount_description.as_deref()
    }

    /// First day it applies.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }

    /// Last day it applies.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
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

    /// The service it is the cost of.
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<Service>> {
        related(ctx, &self.1, &self.0, "service", |m| Some(m.service_id)).await
    }
}
