//! `Contact`: Someone to contact about a provider, service or venue (HSDS `contact` and `phone`).

use super::hsds::{Phone, ServiceAtLocation};
use super::node_object;
use super::provider::Provider;
use super::related;
use super::service::Service;
use super::venue::Venue;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::read::relations::CONTACT_PHONES;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// Someone to contact about a provider, service or venue (HSDS `contact` and `phone`).
#[derive(Clone)]
pub struct Contact(
    pub crate::repo::contacts::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::contacts::Entity>>,
);

node_object!(Contact, contacts);

/// Someone to contact about a provider, service or venue (HSDS `contact` and `phone`).
#[Object]
impl Contact {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Their name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Their position.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Their department.
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }

    /// Email address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// A web page.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// Facebook page.
    async fn social_facebook(&self) -> Option<&str> {
        self.0.social_facebook.as_deref()
    }

    /// Twitter/X handle.
    async fn social_twitter(&self) -> Option<&str> {
        self.0.social_twitter.as_deref()
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

    /// The provider this contact is for.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Provider>> {
        related(ctx, &self.1, &self.0, "provider", |m| m.provider_id).await
    }

    /// The service this contact is for.
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<Service>> {
        related(ctx, &self.1, &self.0, "service", |m| m.service_id).await
    }

    /// The venue this contact is for.
    async fn venue(&self, ctx: &Context<'_>) -> ApiResult<Option<Venue>> {
        related(ctx, &self.1, &self.0, "venue", |m| m.venue_id).await
    }

    /// The service at a venue it is for, if any (HSDS `service_at_location`).
    async fn service_at_location(&self, ctx: &Context<'_>) -> ApiResult<Option<ServiceAtLocation>> {
        related(ctx, &self.1, &self.0, "serviceAtLocation", |m| {
            m.service_venue_id
        })
        .await
    }

    /// Their phone numbers.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn phones(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Phone>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &CONTACT_PHONES, self.0.id, args).await
    }
}
