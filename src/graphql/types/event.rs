//! `Event`: Something that happens at a time: a session, a drop-in, a class (a Signpost extension).

use super::node_object;
use super::provider::Provider;
use super::related;
use super::service::Service;
use super::taxonomy::TaxonomyTerm;
use super::venue::Venue;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::graphql::enums::AttendingType;
use crate::read::relations::EVENT_TERMS;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// Something that happens at a time: a session, a drop-in, a class (a Signpost extension).
#[derive(Clone)]
pub struct Event(
    pub crate::repo::events::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::events::Entity>>,
);

node_object!(Event, events);

/// Something that happens at a time: a session, a drop-in, a class (a Signpost extension).
#[Object]
impl Event {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What happens.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// When it starts (the first occurrence when it recurs).
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }

    /// When it ends (of the first occurrence when it recurs).
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    /// When, in words, e.g. "every first Thursday".
    async fn time_description(&self) -> Option<&str> {
        self.0.time_description.as_deref()
    }

    /// How it recurs: an RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TH.
    async fn rrule(&self) -> Option<&str> {
        self.0.rrule.as_deref()
    }

    /// In person, online or both.
    async fn attending_type(&self) -> Option<AttendingType> {
        self.0.attending_type.map(AttendingType::from)
    }

    /// Where to book.
    async fn booking_url(&self) -> Option<&str> {
        self.0.booking_url.as_deref()
    }

    /// Needs review. Hides nothing.
    async fn flagged(&self) -> bool {
        self.0.flagged
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

    /// The service it belongs to.
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<Service>> {
        related(ctx, &self.1, &self.0, "service", |m| m.service_id).await
    }

    /// Where it happens.
    async fn venue(&self, ctx: &Context<'_>) -> ApiResult<Option<Venue>> {
        related(ctx, &self.1, &self.0, "venue", |m| m.venue_id).await
    }

    /// Who runs it.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Provider>> {
        related(ctx, &self.1, &self.0, "provider", |m| m.provider_id).await
    }

    /// Taxonomy terms it is tagged with.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn taxonomy_terms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<TaxonomyTerm>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &EVENT_TERMS, self.0.id, args).await
    }
}
