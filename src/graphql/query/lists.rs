//! Root connections: `providers`, `services`, `venues`, `contacts`,
//! `eligibilities`, `costOptions`, `events`, `taxonomies`, `taxonomyTerms`.

// A connection field's arguments are its GraphQL signature: paging, filter, order.
#![allow(clippy::too_many_arguments)]

use super::list::{filtered, list, root_list, spec_of};
use crate::error::{ApiResult, AppError};
use crate::graphql::connection::{Connection, NodeObject, PageArgs, TotalCount};
use crate::graphql::context::ReadContext;
use crate::graphql::filter::records::{
    ContactFilter, CostOptionFilter, EligibilityFilter, EventFilter, ProviderFilter,
    TaxonomyFilter, TaxonomyTermFilter, VenueFilter,
};
use crate::graphql::filter::service::{NearFilter, ServiceFilter};
use crate::graphql::order::order_enum;
use crate::graphql::selection::connection_columns;
use crate::graphql::types::contact::Contact;
use crate::graphql::types::cost_option::CostOption;
use crate::graphql::types::eligibility::Eligibility;
use crate::graphql::types::event::Event;
use crate::graphql::types::node::lookup;
use crate::graphql::types::provider::Provider;
use crate::graphql::types::service::Service;
use crate::graphql::types::taxonomy::{Taxonomy, TaxonomyTerm};
use crate::graphql::types::venue::Venue;
use crate::read::events::{TimeWindow, count_between, fetch_page_between, prefilter};
use crate::read::near::{distance_ordering, page_of, services_within};
use crate::read::order::signature;
use crate::read::order_by::OrderKey;
use crate::read::plan::Filtered;
use crate::read::visibility::visible;
use crate::read::{Columns, Frag, Table};
use crate::repo::events::Entity as EventEntity;
use crate::repo::services::Entity as ServiceEntity;
use async_graphql::{Context, Object};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

order_enum!(ServiceOrder, "Orders of services. Ties are broken by id.", {
    NameAsc => NameAsc, "By name, A to Z.";
    NameDesc => NameDesc, "By name, Z to A.";
    UpdatedAtAsc => UpdatedAtAsc, "Least recently changed first.";
    UpdatedAtDesc => UpdatedAtDesc, "Most recently changed first.";
    Relevance => Relevance, "Best match of `filter.search` first (the default when searching).";
    Distance => Distance, "Nearest to `filter.near` first (the only order with `near`).";
});
order_enum!(ProviderOrder, "Orders of providers. Ties are broken by id.", {
    NameAsc => NameAsc, "By name, A to Z.";
    NameDesc => NameDesc, "By name, Z to A.";
    UpdatedAtAsc => UpdatedAtAsc, "Least recently changed first.";
    UpdatedAtDesc => UpdatedAtDesc, "Most recently changed first.";
    Relevance => Relevance, "Best match of `filter.search` first (the default when searching).";
});
order_enum!(VenueOrder, "Orders of venues. Ties are broken by id.", {
    NameAsc => NameAsc, "By name, A to Z.";
    NameDesc => NameDesc, "By name, Z to A.";
    UpdatedAtAsc => UpdatedAtAsc, "Least recently changed first.";
    UpdatedAtDesc => UpdatedAtDesc, "Most recently changed first.";
    Relevance => Relevance, "Best match of `filter.search` first (the default when searching).";
});
order_enum!(RecordOrder, "Orders of records by name (a contact's or taxonomy's name, an eligibility's description, a cost option's option, an event's title) or by last change. Ties are broken by id.", {
    NameAsc => NameAsc, "By name, A to Z.";
    NameDesc => NameDesc, "By name, Z to A.";
    UpdatedAtAsc => UpdatedAtAsc, "Least recently changed first.";
    UpdatedAtDesc => UpdatedAtDesc, "Most recently changed first.";
});

fn keys<T: Into<OrderKey> + Copy>(order_by: &Option<Vec<T>>) -> Vec<OrderKey> {
    order_by.iter().flatten().map(|key| (*key).into()).collect()
}

/// Root connections over every record type.
#[derive(Default)]
pub struct ListQuery;

#[Object]
impl ListQuery {
    /// Services, filtered and ordered. Anonymous callers see published services of
    /// published providers.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn services(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which services.")] filter: Option<ServiceFilter>,
        #[graphql(
            desc = "In which order (default NAME_ASC, or DISTANCE near a place; RELEVANCE ranks a search)."
        )]
        order_by: Option<Vec<ServiceOrder>>,
    ) -> ApiResult<Connection<Service>> {
        let read = ctx.data::<ReadContext>()?;
        let filter = filter.unwrap_or_default();
        let filtered = filtered(read, &filter).await?;
        let args = PageArgs::new(first, after, last, before);
        let keys = keys(&order_by);
        match &filter.near {
            Some(near) => {
                let columns = connection_columns::<ServiceEntity>(ctx, read);
                near_services(read, near, filtered, &keys, args, columns).await
            }
            None => {
                let columns = connection_columns::<ServiceEntity>(ctx, read);
                root_list(read, filtered, &keys, args, columns).await
            }
        }
    }

    /// Providers (organisations), filtered and ordered. Anonymous callers see
    /// published providers.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn providers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which providers.")] filter: Option<ProviderFilter>,
        #[graphql(desc = "In which order (default NAME_ASC; RELEVANCE ranks a search).")] order_by: Option<Vec<ProviderOrder>>,
    ) -> ApiResult<Connection<Provider>> {
        list::<Provider, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Venues (places and addresses), filtered and ordered.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn venues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which venues.")] filter: Option<VenueFilter>,
        #[graphql(desc = "In which order (default NAME_ASC; RELEVANCE ranks a search).")] order_by: Option<Vec<VenueOrder>>,
    ) -> ApiResult<Connection<Venue>> {
        list::<Venue, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Contacts, filtered and ordered.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which contacts.")] filter: Option<ContactFilter>,
        #[graphql(desc = "In which order (default NAME_ASC).")] order_by: Option<Vec<RecordOrder>>,
    ) -> ApiResult<Connection<Contact>> {
        list::<Contact, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Eligibilities, filtered and ordered (NAME orders by description).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn eligibilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which eligibilities.")] filter: Option<EligibilityFilter>,
        #[graphql(desc = "In which order (default NAME_ASC).")] order_by: Option<Vec<RecordOrder>>,
    ) -> ApiResult<Connection<Eligibility>> {
        list::<Eligibility, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Cost options, filtered and ordered (NAME orders by the option text).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn cost_options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which cost options.")] filter: Option<CostOptionFilter>,
        #[graphql(desc = "In which order (default NAME_ASC).")] order_by: Option<Vec<RecordOrder>>,
    ) -> ApiResult<Connection<CostOption>> {
        list::<CostOption, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Events, filtered and ordered (NAME orders by title).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which events.")] filter: Option<EventFilter>,
        #[graphql(desc = "In which order (default NAME_ASC).")] order_by: Option<Vec<RecordOrder>>,
    ) -> ApiResult<Connection<Event>> {
        let read = ctx.data::<ReadContext>()?;
        let filter = filter.unwrap_or_default();
        let mut filtered = filtered(read, &filter).await?;
        let args = PageArgs::new(first, after, last, before);
        let between = filter
            .between
            .map(|between| between.checked("filter.between"))
            .transpose()?;
        match between {
            Some(time) => {
                filtered.condition = Frag::all([filtered.condition, prefilter(time)]);
                events_between(read, filtered, &keys(&order_by), args, time).await
            }
            None => {
                let columns = connection_columns::<EventEntity>(ctx, read);
                root_list(read, filtered, &keys(&order_by), args, columns).await
            }
        }
    }

    /// Taxonomies (vocabularies), filtered and ordered.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn taxonomies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which taxonomies.")] filter: Option<TaxonomyFilter>,
        #[graphql(desc = "In which order (default NAME_ASC).")] order_by: Option<Vec<RecordOrder>>,
    ) -> ApiResult<Connection<Taxonomy>> {
        list::<Taxonomy, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }

    /// Taxonomy terms, filtered and ordered.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
    async fn taxonomy_terms(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many to return from the start (default 20, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
        #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
        #[graphql(desc = "Which terms.")] filter: Option<TaxonomyTermFilter>,
        #[graphql(desc = "In which order (default NAME_ASC).")] order_by: Option<Vec<RecordOrder>>,
    ) -> ApiResult<Connection<TaxonomyTerm>> {
        list::<TaxonomyTerm, _>(
            ctx,
            filter,
            &keys(&order_by),
            PageArgs::new(first, after, last, before),
        )
        .await
    }
}

/// Services near a place, nearest first; the whole match set is ranked (it is
/// needed for the distances anyway), so the total is known.
async fn near_services(
    read: &ReadContext,
    near: &NearFilter,
    filtered: Filtered,
    keys: &[OrderKey],
    args: PageArgs,
    columns: Columns,
) -> ApiResult<Connection<Service>> {
    if !keys.is_empty() && keys != [OrderKey::Distance] {
        return Err(AppError::bad_input(
            "orderBy",
            "results near a place are ordered by DISTANCE",
        ));
    }
    let (origin, radius_km) = near.checked("filter.near", read.max_radius_km)?;
    let center = super::list::place_point(read, origin, "filter.near").await?;
    let mut conditions = vec![
        visible(Table::Services, "services", &read.viewer),
        filtered.condition,
    ];
    conditions.extend(filtered.search.map(|search| search.condition));
    let ranked = services_within(&read.db, center, radius_km, conditions).await?;
    let ordering = distance_ordering();
    let signature = signature(&[Service::NAME, &ordering.name, &filtered.filter_json]);
    let window = args.window(&read.limits, &signature, &ordering)?;
    let page = page_of(&ranked, &window);
    let ids: Vec<_> = page.rows.iter().map(|(id, _, _)| *id).collect();
    let mut found = lookup::<Service>(read, &ids, columns).await?;
    let nodes = page.rows.iter().filter_map(|(id, distance, cursor)| {
        let mut service = found.remove(id)?;
        service.2 = Some(*distance);
        Some((service, cursor.clone()))
    });
    let total = TotalCount::Known(i64::try_from(ranked.len()).unwrap_or(i64::MAX));
    Ok(Connection::from_nodes(
        nodes,
        &signature.into(),
        page.has_previous,
        page.has_next,
        total,
    ))
}

/// Events overlapping a time window, recurrences included.
async fn events_between(
    read: &ReadContext,
    filtered: Filtered,
    keys: &[OrderKey],
    args: PageArgs,
    time: TimeWindow,
) -> ApiResult<Connection<Event>> {
    let spec = spec_of::<Event>(read, &filtered, keys)?;
    let signature = signature(&[Event::NAME, &spec.ordering.name, &filtered.filter_json]);
    let window = args.window(&read.limits, &signature, &spec.ordering)?;
    let page = fetch_page_between(&read.db, &spec, &window, time).await?;
    let total = TotalCount::Deferred(Arc::new(BetweenCount(spec, time)));
    Ok(Connection::from_page(&page, signature.into(), total, None))
}

struct BetweenCount(crate::read::ListSpec, TimeWindow);

impl crate::graphql::connection::CountQuery for BetweenCount {
    fn count<'a>(
        &'a self,
        read: &'a ReadContext,
    ) -> Pin<Box<dyn Future<Output = ApiResult<i64>> + Send + 'a>> {
        Box::pin(async move {
            count_between(&read.db, &self.0, self.1)
                .await
                .map_err(AppError::from)
        })
    }
}
