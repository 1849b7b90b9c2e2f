//! `Provider`: An organisation that provides services (HSDS `organization`).

use super::contact::Contact;
use super::event::Event;
use super::hsds::{Funding, OrganizationIdentifier, Phone, Program};
use super::node_object;
use super::related;
use super::service::Service;
use super::taxonomy::TaxonomyTerm;
use super::venue::Venue;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::read::relations::PROVIDER_CHILDREN;
use crate::read::relations::PROVIDER_CONTACTS;
use crate::read::relations::PROVIDER_EVENTS;
use crate::read::relations::PROVIDER_FUNDING;
use crate::read::relations::PROVIDER_IDENTIFIERS;
use crate::read::relations::PROVIDER_PHONES;
use crate::read::relations::PROVIDER_PROGRAMS;
use crate::read::relations::PROVIDER_SERVICES;
use crate::read::relations::PROVIDER_TERMS;
use crate::read::relations::PROVIDER_VENUES;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// An organisation that provides services (HSDS `organization`).
#[derive(Clone)]
pub struct Provider(
    pub crate::repo::providers::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::providers::Entity>>,
);

node_object!(Provider, providers);

/// An organisation that provides services (HSDS `organization`).
#[Object]
impl Provider {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Another name it is known by.
    async fn alternate_name(&self) -> Option<&str> {
        self.0.alternate_name.as_deref()
    }

    /// What it is and does.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Its main email address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Its website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// A link to its logo.
    async fn logo(&self) -> Option<&str> {
        self.0.logo.as_deref()
    }

    /// Shown to the public when true (anonymous callers see only published providers).
    async fn published(&self) -> bool {
        self.0.published
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

    /// The organisation it belongs to, if any.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<Provider>> {
        related(ctx, &self.1, &self.0, "parent", |m| m.parent_provider_id).await
    }

    /// Organisations that belong to it.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Provider>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_CHILDREN, self.0.id, args).await
    }

    /// The services it provides.
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
        children(ctx, &self.1, &PROVIDER_SERVICES, self.0.id, args).await
    }

    /// Its venues.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn venues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Venue>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_VENUES, self.0.id, args).await
    }

    /// People to contact about it.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Contact>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_CONTACTS, self.0.id, args).await
    }

    /// Events it runs.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Event>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_EVENTS, self.0.id, args).await
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
        children(ctx, &self.1, &PROVIDER_TERMS, self.0.id, args).await
    }

    /// Its phone numbers.
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
        children(ctx, &self.1, &PROVIDER_PHONES, self.0.id, args).await
    }

    /// Its programmes of services.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Program>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_PROGRAMS, self.0.id, args).await
    }

    /// Where its money comes from.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn funding(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Funding>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_FUNDING, self.0.id, args).await
    }

    /// Its identifiers in other schemes (charity or company numbers).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn organization_identifiers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<OrganizationIdentifier>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &PROVIDER_IDENTIFIERS, self.0.id, args).await
    }
    /// Its tax status, e.g. "charity".
    async fn tax_status(&self) -> Option<&str> {
        self.0.tax_status.as_deref()
    }

    /// Its tax reference.
    async fn tax_id(&self) -> Option<&str> {
        self.0.tax_id.as_deref()
    }

    /// The year it was founded.
    async fn year_incorporated(&self) -> Option<i32> {
        self.0.year_incorporated
    }

    /// Its legal form, e.g. "CIO".
    async fn legal_status(&self) -> Option<&str> {
        self.0.legal_status.as_deref()
    }

    /// A persistent identifier of it.
    async fn uri(&self) -> Option<&str> {
        self.0.uri.as_deref()
    }
}
