//! `Venue`: A place where services are offered, or an address (HSDS `location` with its `address`).

use super::contact::Contact;
use super::event::Event;
use super::hsds::{Accessibility, Address, Language, Phone, Schedule, ServiceAtLocation};
use super::node_object;
use super::provider::Provider;
use super::related;
use super::service::Service;
use super::taxonomy::TaxonomyTerm;
use crate::error::ApiResult;
use crate::graphql::connection::{Connection, PageArgs, children};
use crate::graphql::enums::LocationType;
use crate::read::relations::VENUE_ACCESSIBILITY;
use crate::read::relations::VENUE_ADDRESSES;
use crate::read::relations::VENUE_CONTACTS;
use crate::read::relations::VENUE_EVENTS;
use crate::read::relations::VENUE_LANGUAGES;
use crate::read::relations::VENUE_PHONES;
use crate::read::relations::VENUE_SCHEDULES;
use crate::read::relations::VENUE_SERVICES;
use crate::read::relations::VENUE_TERMS;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// A place where services are offered, or an address (HSDS `location` with its `address`).
#[derive(Clone)]
pub struct Venue(
    pub crate::repo::venues::Model,
    pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::venues::Entity>>,
);

node_object!(Venue, venues);

/// A place where services are offered, or an address (HSDS `location` with its `address`).
#[Object]
impl Venue {
    /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the place is.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Physical, postal or virtual.
    async fn location_type(&self) -> LocationType {
        LocationType::from(self.0.location_type)
    }

    /// First line of the address.
    async fn address_1(&self) -> Option<&str> {
        self.0.address_1.as_deref()
    }

    /// Second line of the address.
    async fn address_2(&self) -> Option<&str> {
        self.0.address_2.as_deref()
    }

    /// Town or city.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// Region.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }

    /// County, state or province.
    async fn state_province(&self) -> Option<&str> {
        self.0.state_province.as_deref()
    }

    /// Postcode.
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    /// Country (ISO 3166-1 alpha-2, e.g. GB).
    async fn country(&self) -> &str {
        &self.0.country
    }

    /// Latitude (WGS84 degrees).
    async fn latitude(&self) -> Option<f64> {
        self.0.latitude
    }

    /// Longitude (WGS84 degrees).
    async fn longitude(&self) -> Option<f64> {
        self.0.longitude
    }

    /// How to get there.
    async fn transportation(&self) -> Option<&str> {
        self.0.transportation.as_deref()
    }

    /// Accessibility of the place.
    async fn accessibility(&self) -> Option<&str> {
        self.0.accessibility.as_deref()
    }

    /// A web page about the place.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
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
    async fn provider(&self, ctx: &Context<'_>) -> ApiResult<Option<Provider>> {
        related(ctx, &self.1, &self.0, "provider", |m| m.provider_id).await
    }

    /// Services offered here.
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
        children(ctx, &self.1, &VENUE_SERVICES, self.0.id, args).await
    }

    /// Events held here.
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
        children(ctx, &self.1, &VENUE_EVENTS, self.0.id, args).await
    }

    /// The services offered here, each with what is particular to it here (HSDS `service_at_location`).
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
            &crate::read::relations::VENUE_SERVICE_AT_LOCATIONS,
            self.0.id,
            args,
        )
        .await
    }

    /// People to contact here.
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
        children(ctx, &self.1, &VENUE_CONTACTS, self.0.id, args).await
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
        children(ctx, &self.1, &VENUE_TERMS, self.0.id, args).await
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
        children(ctx, &self.1, &VENUE_PHONES, self.0.id, args).await
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
        children(ctx, &self.1, &VENUE_SCHEDULES, self.0.id, args).await
    }

    /// Its addresses (the main one feeds `address1`, `city`, `postalCode`, …).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn addresses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Address>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &VENUE_ADDRESSES, self.0.id, args).await
    }

    /// Languages spoken there.
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
        children(ctx, &self.1, &VENUE_LANGUAGES, self.0.id, args).await
    }

    /// What it offers disabled visitors, item by item (HSDS `accessibility`; the
    /// `accessibility` text is the venue's own summary).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn accessibility_features(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
    ) -> ApiResult<Connection<Accessibility>> {
        let args = PageArgs::new(first, after, last, before);
        children(ctx, &self.1, &VENUE_ACCESSIBILITY, self.0.id, args).await
    }
    /// Another name it is known by.
    async fn alternate_name(&self) -> Option<&str> {
        self.0.alternate_name.as_deref()
    }

    /// Its id in another scheme, e.g. a UPRN.
    async fn external_identifier(&self) -> Option<&str> {
        self.0.external_identifier.as_deref()
    }

    /// The scheme of `externalIdentifier`.
    async fn external_identifier_type(&self) -> Option<&str> {
        self.0.external_identifier_type.as_deref()
    }
}
