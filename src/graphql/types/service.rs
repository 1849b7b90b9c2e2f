//! `Service`: A service a provider offers: the heart of the directory (HSDS `service`).

use super::contact::Contact;
use super::cost_option::CostOption;
use super::eligibility::Eligibility;
use super::event::Event;
use super::hsds::{
    Funding, Language, Phone, Program, RequiredDocument, Schedule, ServiceArea, ServiceAtLocation,
};
use super::provider::Provider;
use super::related;
use super::taxonomy::TaxonomyTerm;
use super::taxonomy_ref::TaxonomyRef;
use super::venue::Venue;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::graphql::enums::ServiceStatus;
use crate::graphql::scalars::Date;
use crate::read::relations::SERVICE_AREAS;
use crate::read::relations::SERVICE_CONTACTS;
use crate::read::relations::SERVICE_COST_OPTIONS;
use crate::read::relations::SERVICE_DOCUMENTS;
use crate::read::relations::SERVICE_ELIGIBILITIES;
use crate::read::relations::SERVICE_EVENTS;
use crate::read::relations::SERVICE_FUNDING;
use crate::read::relations::SERVICE_LANGUAGES;
use crate::read::relations::SERVICE_PHONES;
use crate::read::relations::SERVICE_REFS;
use crate::read::relations::SERVICE_SCHEDULES;
use crate::read::relations::SERVICE_TERMS;
use crate::read::relations::SERVICE_VENUES;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// A service a provider offers: the heart of the directory (HSDS `service`).
#[derive(Clone)]
pub struct Service(
    pub crate::repo::services::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::services::Entity>>,
    pub Option<f64>,
);

/// A service a provider offers: the heart of the directory (HSDS `service`).
#[Object]
impl Service {
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

    /// What it offers.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Its web page.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// Its email address.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Whether it is running.
    async fn status(&self) -> ServiceStatus {
        ServiceStatus::from(self.0.status)
    }

    /// What it costs, in words (see `costOptions` for amounts).
    async fn fees_description(&self) -> Option<&str> {
        self.0.fees_description.as_deref()
    }

    /// How to use it or apply.
    async fn application_process(&self) -> Option<&str> {
        self.0.application_process.as_deref()
    }

    /// How long people wait.
    async fn wait_time(&self) -> Option<&str> {
        self.0.wait_time.as_deref()
    }

    /// Youngest age served.
    async fn minimum_age(&self) -> Option<i32> {
        self.0.minimum_age
    }

    /// Oldest age served.
    async fn maximum_age(&self) -> Option<i32> {
        self.0.maximum_age
    }

    /// When the record was last checked.
    async fn assured_date(&self) -> Option<Date> {
        self.0.assured_date.map(Date)
    }

    /// Shown to the public when true and its provider is published.
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

    /// The organisation that provides it.
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Provider>> {
        related(ctx, &self.1, &self.0, "provider", |m| Some(m.provider_id)).await
    }

    /// Where it is offered.
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
        children(ctx, &self.1, &SERVICE_VENUES, self.0.id, args).await
    }

    /// Where it is offered, each with what is particular to it there (HSDS `service_at_location`).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn service_at_locations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<ServiceAtLocation>> {
        let args = PageArgs::new(first, after, last, before);
        children(
            ctx,
            &self.1,
            &crate::read::relations::SERVICE_AT_LOCATIONS,
            self.0.id,
            args,
        )
        .await
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
        children(ctx, &self.1, &SERVICE_CONTACTS, self.0.id, args).await
    }

    /// Who it is for.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn eligibilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Eligibility>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_ELIGIBILITIES, self.0.id, args).await
    }

    /// What it costs.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn cost_options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<CostOption>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_COST_OPTIONS, self.0.id, args).await
    }

    /// Its events and sessions.
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
        children(ctx, &self.1, &SERVICE_EVENTS, self.0.id, args).await
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
        children(ctx, &self.1, &SERVICE_TERMS, self.0.id, args).await
    }

    /// Its tags, with their values.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn taxonomy_refs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<TaxonomyRef>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_REFS, self.0.id, args).await
    }

    /// Kilometres from the point of `filter.near` to its nearest venue; null without `near`.
    async fn distance_km(&self) -> Option<f64> {
        self.2
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
        children(ctx, &self.1, &SERVICE_PHONES, self.0.id, args).await
    }

    /// When it is open.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn schedules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Schedule>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_SCHEDULES, self.0.id, args).await
    }

    /// Languages it works in.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn languages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Language>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_LANGUAGES, self.0.id, args).await
    }

    /// Where it is offered.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn service_areas(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<ServiceArea>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_AREAS, self.0.id, args).await
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
        children(ctx, &self.1, &SERVICE_FUNDING, self.0.id, args).await
    }

    /// Documents to bring.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn required_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<RequiredDocument>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &SERVICE_DOCUMENTS, self.0.id, args).await
    }
    /// Interpretation it offers, e.g. "BSL on request".
    async fn interpretation_services(&self) -> Option<&str> {
        self.0.interpretation_services.as_deref()
    }

    /// HSDS 3.0's deprecated `fees` (see `feesDescription`).
    async fn fees(&self) -> Option<&str> {
        self.0.fees.as_deref()
    }

    /// Its accreditations.
    async fn accreditations(&self) -> Option<&str> {
        self.0.accreditations.as_deref()
    }

    /// Who it is for, in words.
    async fn eligibility_description(&self) -> Option<&str> {
        self.0.eligibility_description.as_deref()
    }

    /// Who last checked the record.
    async fn assurer_email(&self) -> Option<&str> {
        self.0.assurer_email.as_deref()
    }

    /// Licences it holds.
    async fn licenses(&self) -> Option<&str> {
        self.0.licenses.as_deref()
    }

    /// A notice to show with it, e.g. a temporary closure.
    async fn alert(&self) -> Option<&str> {
        self.0.alert.as_deref()
    }

    /// When its source last changed the record (HSDS); `updatedAt` is Signpost's.
    async fn last_modified(&self) -> Option<DateTime<Utc>> {
        self.0.last_modified
    }

    /// The programme it belongs to.
    async fn program(&self, ctx: &Context<'_>) -> ApiResult<Option<Program>> {
        related(ctx, &self.1, &self.0, "program", |m| m.program_id).await
    }
}

impl crate::graphql::connection::NodeObject for Service {
    type Entity = crate::repo::services::Entity;
    const NAME: &'static str = "Service";
    fn new(
        model: crate::repo::services::Model,
        batch: std::sync::Arc<crate::graphql::batch::Batch<Self::Entity>>,
    ) -> Self {
        Self(model, batch, None)
    }
}
