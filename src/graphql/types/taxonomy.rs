//! `Taxonomy` and `TaxonomyTerm`: vocabularies and their terms.

use super::event::Event;
use super::node_object;
use super::provider::Provider;
use super::related;
use super::service::Service;
use super::taxonomy_ref::TaxonomyRef;
use super::venue::Venue;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::read::relations::TAXONOMY_TERMS;
use crate::read::relations::TERM_CHILDREN;
use crate::read::relations::TERM_EVENTS;
use crate::read::relations::TERM_PROVIDERS;
use crate::read::relations::TERM_REFS;
use crate::read::relations::TERM_SERVICES;
use crate::read::relations::TERM_VENUES;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// A vocabulary of terms, e.g. "Category" or "Need" (HSDS `taxonomy`).
#[derive(Clone)]
pub struct Taxonomy(
    pub crate::repo::taxonomies::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::taxonomies::Entity>>,
);

node_object!(Taxonomy, taxonomies);

/// A vocabulary of terms, e.g. "Category" or "Need" (HSDS `taxonomy`).
#[Object]
impl Taxonomy {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it classifies.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Where it is published.
    async fn uri(&self) -> Option<&str> {
        self.0.uri.as_deref()
    }

    /// Its published version, e.g. "2.1".
    async fn version_label(&self) -> Option<&str> {
        self.0.version_label.as_deref()
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

    /// Its terms, at every level.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn terms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<TaxonomyTerm>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &TAXONOMY_TERMS, self.0.id, args).await
    }
}

/// A term of a taxonomy, possibly under a broader term (HSDS `taxonomy_term`).
#[derive(Clone)]
pub struct TaxonomyTerm(
    pub crate::repo::taxonomy_terms::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::taxonomy_terms::Entity>>,
);

node_object!(TaxonomyTerm, taxonomy_terms);

/// A term of a taxonomy, possibly under a broader term (HSDS `taxonomy_term`).
#[Object]
impl TaxonomyTerm {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its code in the taxonomy.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it means.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Where it is published.
    async fn term_uri(&self) -> Option<&str> {
        self.0.term_uri.as_deref()
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

    /// The taxonomy it belongs to.
    async fn taxonomy(&self, ctx: &Context<'_>) -> ApiResult<Option<Taxonomy>> {
        related(ctx, &self.1, &self.0, "taxonomy", |m| Some(m.taxonomy_id)).await
    }

    /// The broader term, if any.
    async fn parent(&self, ctx: &Context<'_>) -> ApiResult<Option<TaxonomyTerm>> {
        related(ctx, &self.1, &self.0, "parent", |m| m.parent_id).await
    }

    /// Narrower terms directly under it.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<TaxonomyTerm>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &TERM_CHILDREN, self.0.id, args).await
    }

    /// Services tagged with it.
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
        children(ctx, &self.1, &TERM_SERVICES, self.0.id, args).await
    }

    /// Providers tagged with it.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn providers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Provider>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &TERM_PROVIDERS, self.0.id, args).await
    }

    /// Venues tagged with it.
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
        children(ctx, &self.1, &TERM_VENUES, self.0.id, args).await
    }

    /// Events tagged with it.
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
        children(ctx, &self.1, &TERM_EVENTS, self.0.id, args).await
    }

    /// The tags that use it, with their values.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn refs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<TaxonomyRef>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &TERM_REFS, self.0.id, args).await
    }

    /// The language of its name (ISO 639).
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    /// HSDS's text name of its taxonomy (`taxonomy` is the taxonomy record).
    async fn taxonomy_name(&self) -> Option<&str> {
        self.0.taxonomy.as_deref()
    }
}
