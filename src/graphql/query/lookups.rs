//! Single records by id: `node`, `nodes`, and one field per record type.

use crate::error::{ApiResult, AppError};
use crate::graphql::connection::NodeObject;
use crate::graphql::context::ReadContext;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::selection::object_columns;
use crate::graphql::types::contact::Contact;
use crate::graphql::types::cost_option::CostOption;
use crate::graphql::types::eligibility::Eligibility;
use crate::graphql::types::event::Event;
use crate::graphql::types::node::{Node, lookup, nodes};
use crate::graphql::types::provider::Provider;
use crate::graphql::types::service::Service;
use crate::graphql::types::taxonomy::{Taxonomy, TaxonomyTerm};
use crate::graphql::types::taxonomy_ref::TaxonomyRef;
use crate::graphql::types::venue::Venue;
use async_graphql::{Context, ID, Object};

async fn by_id<N: NodeObject>(ctx: &Context<'_>, id: &ID) -> ApiResult<Option<N>> {
    let id = parse_id("id", id)?;
    let read = ctx.data::<ReadContext>()?;
    Ok(
        lookup::<N>(read, &[id], object_columns::<N::Entity>(ctx, read))
            .await?
            .remove(&id),
    )
}

/// Lookups by id. Each returns null when no record has the id or the caller may
/// not see it.
#[derive(Default)]
pub struct LookupQuery;

#[Object]
impl LookupQuery {
    /// Any record by its id.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A record's UUID.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        let id = parse_id("id", &id)?;
        Ok(nodes(ctx, &[id]).await?.into_iter().next().flatten())
    }

    /// Records by their ids, in the order asked (null for each id not found or not
    /// visible). At most the maximum page size of ids.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Records' UUIDs.")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        let limit = ctx.data::<ReadContext>()?.limits.max_page_size;
        if ids.len() as u64 > limit {
            return Err(AppError::limit(
                "maxPageSize",
                format!("ids: at most {limit} ids (maxPageSize)"),
            ));
        }
        let ids = ids
            .iter()
            .enumerate()
            .map(|(index, id)| parse_id(&format!("ids[{index}]"), id))
            .collect::<ApiResult<Vec<_>>>()?;
        nodes(ctx, &ids).await
    }

    /// A provider by id.
    async fn provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Provider>> {
        by_id(ctx, &id).await
    }

    /// A service by id.
    async fn service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Service>> {
        by_id(ctx, &id).await
    }

    /// A venue by id.
    async fn venue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Venue>> {
        by_id(ctx, &id).await
    }

    /// A contact by id.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Contact>> {
        by_id(ctx, &id).await
    }

    /// An eligibility by id.
    async fn eligibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Eligibility>> {
        by_id(ctx, &id).await
    }

    /// A cost option by id.
    async fn cost_option(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<CostOption>> {
        by_id(ctx, &id).await
    }

    /// An event by id.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Event>> {
        by_id(ctx, &id).await
    }

    /// A taxonomy by id.
    async fn taxonomy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<Taxonomy>> {
        by_id(ctx, &id).await
    }

    /// A taxonomy term by id.
    async fn taxonomy_term(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<TaxonomyTerm>> {
        by_id(ctx, &id).await
    }

    /// A taxonomy reference (tag) by id.
    async fn taxonomy_ref(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its UUID.")] id: ID,
    ) -> ApiResult<Option<TaxonomyRef>> {
        by_id(ctx, &id).await
    }
}
