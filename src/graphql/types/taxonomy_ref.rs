//! `TaxonomyRef`: Tags one record (a service, provider, venue or event) with a taxonomy term (HSDS `attribute`).

use super::event::Event;
use super::node_object;
use super::provider::Provider;
use super::related;
use super::service::Service;
use super::taxonomy::TaxonomyTerm;
use super::venue::Venue;
use crate::error::ApiResult;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// Tags one record (a service, provider, venue or event) with a taxonomy term (HSDS `attribute`).
#[derive(Clone)]
pub struct TaxonomyRef(
    pub crate::repo::taxonomy_refs::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::taxonomy_refs::Entity>>,
);

node_object!(TaxonomyRef, taxonomy_refs);

/// Tags one record (a service, provider, venue or event) with a taxonomy term (HSDS `attribute`).
#[Object]
impl TaxonomyRef {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// A value for the tag, where the term needs one.
    async fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }

    /// A label for the value.
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
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

    /// The term.
    async fn term(&self, ctx: &Context<'_>) -> ApiResult<Option<TaxonomyTerm>> {
        related(ctx, &self.1, &self.0, "term", |m| Some(m.taxonomy_term_id)).await
    }

    /// The service tagged, if a service.
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<Service>> {
        related(ctx, &self.1, &self.0, "service", |m| m.service_id).await
    }

    /// The provider tagged, if a provider.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Provider>> {
        related(ctx, &self.1, &self.0, "provider", |m| m.provider_id).await
    }

    /// The venue tagged, if a venue.
    async fn venue(&self, ctx: &Context<'_>) -> ApiResult<Option<Venue>> {
        related(ctx, &self.1, &self.0, "venue", |m| m.venue_id).await
    }

    /// The event tagged, if an event.
    async fn event(&self, ctx: &Context<'_>) -> ApiResult<Option<Event>> {
        related(ctx, &self.1, &self.0, "event", |m| m.event_id).await
    }

    /// What the tag says about the record (HSDS `link_type`), e.g. "audience".
    async fn link_type(&self) -> Option<&str> {
        self.0.link_type.as_deref()
    }

    /// The id of the record it tags, whichever kind it is (HSDS `link_id`).
    async fn link_id(&self) -> Option<ID> {
        self.target().map(|(_, id)| ID(id))
    }

    /// The HSDS table of the record it tags (HSDS `link_entity`), e.g. "service".
    async fn link_entity(&self) -> Option<&'static str> {
        self.target()
            .and_then(|(column, _)| crate::hsds::attribute::link_entity(column))
    }
}

impl TaxonomyRef {
    /// The one set target column and the id in it (the model as a row once).
    fn target(&self) -> Option<(&'static str, String)> {
        let row = serde_json::to_value(&self.0).ok()?;
        crate::hsds::attribute::target_columns().find_map(|column| {
            row.get(column)
                .and_then(serde_json::Value::as_str)
                .map(|id| (column, id.to_owned()))
        })
    }
}
