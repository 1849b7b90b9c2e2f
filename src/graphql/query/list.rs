//! The one body of every root connection: the filter's taxonomy terms expanded,
//! its condition built and its top-level search planned ([`filtered`]), then the
//! read side's plan ([`crate::read::plan`]) paged under the caller's cursors
//! ([`root_list`]), with the total counted only when selected.

use crate::error::{ApiResult, AppError};
use crate::graphql::connection::{Connection, CountQuery, NodeObject, PageArgs, TotalCount};
use crate::graphql::context::ReadContext;
use crate::graphql::filter::service::Origin;
use crate::graphql::filter::{FilterExtras, RecordFilter};
use crate::graphql::selection::connection_columns;
use crate::read::filter::expand_terms;
use crate::read::hsds_filters::services_covering;
use crate::read::near::{Point, postcode_point};
use crate::read::order::signature;
use crate::read::order_by::OrderKey;
use crate::read::page::{count, fetch_page};
use crate::read::plan::{Filtered, list_spec};
use crate::read::{Columns, ListSpec, Readable, search};
use async_graphql::Context;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

/// A root connection of `N` filtered by `filter` (the whole resolver of most types).
pub async fn list<N, F>(
    ctx: &Context<'_>,
    filter: Option<F>,
    keys: &[OrderKey],
    args: PageArgs,
) -> ApiResult<Connection<N>>
where
    N: NodeObject,
    F: RecordFilter + FilterExtras,
{
    let read = ctx.data::<ReadContext>()?;
    let filtered = filtered(read, &filter.unwrap_or_default()).await?;
    let columns = connection_columns::<N::Entity>(ctx, read);
    root_list(read, filtered, keys, args, columns).await
}

/// What `filter` became: its condition, with its top-level `search` planned apart
/// (the ordering may rank by it).
pub async fn filtered<F: RecordFilter + FilterExtras>(
    read: &ReadContext,
    filter: &F,
) -> ApiResult<Filtered> {
    let mut roots = Vec::new();
    filter.term_roots("filter", &mut roots)?;
    let mut cx = expand_terms(&read.db, &roots).await?;
    if let Some(place) = filter.service_area() {
        let path = "filter.serviceArea";
        let point = place_point(read, place.checked(path)?, path).await?;
        cx.services_in_area = Some(services_covering(&read.db, point).await?);
    }
    let condition = filter.condition(&cx, "filter", true)?;
    let search = filter
        .search()
        .map(|text| {
            search::words(text)
                .map(|words| search::plan(cx.backend, F::TABLE, &words))
                .map_err(|e| AppError::bad_input("filter.search", e))
        })
        .transpose()?;
    Ok(Filtered::new(filter, condition, search))
}

/// A root connection of `N` with `columns` filled: one statement for the page, one
/// more only when `totalCount` is selected.
pub async fn root_list<N: NodeObject>(
    read: &ReadContext,
    filtered: Filtered,
    keys: &[OrderKey],
    args: PageArgs,
    columns: Columns,
) -> ApiResult<Connection<N>> {
    let mut spec = spec_of::<N>(read, &filtered, keys)?;
    spec.columns = columns;
    let signature = signature(&[N::NAME, &spec.ordering.name, &filtered.filter_json]);
    let window = args.window(&read.limits, &signature, &spec.ordering)?;
    let page = fetch_page::<N::Entity>(&read.db, &spec, &window).await?;
    let total = TotalCount::Deferred(Arc::new(RootCount::<N::Entity>(spec, PhantomData)));
    Ok(Connection::from_page(&page, signature.into(), total, None))
}

/// The read side's plan of a root list of `N` for this caller.
pub fn spec_of<N: NodeObject>(
    read: &ReadContext,
    filtered: &Filtered,
    keys: &[OrderKey],
) -> ApiResult<ListSpec> {
    list_spec(N::Entity::READ_TABLE, &read.viewer, filtered, keys)
}

/// The total of a root list, counted when asked for.
pub struct RootCount<E>(pub ListSpec, pub PhantomData<fn() -> E>);

impl<E: Readable> CountQuery for RootCount<E> {
    fn count<'a>(
        &'a self,
        read: &'a ReadContext,
    ) -> Pin<Box<dyn Future<Output = ApiResult<i64>> + Send + 'a>> {
        Box::pin(async move { Ok(count::<E>(&read.db, &self.0).await?) })
    }
}

/// The point of a place: as given, or its postcode's; `BAD_USER_INPUT` at `path`
/// for an unknown postcode.
pub async fn place_point(read: &ReadContext, origin: Origin, path: &str) -> ApiResult<Point> {
    match origin {
        Origin::Point(point) => Ok(point),
        Origin::Postcode(postcode) => postcode_point(&read.db, &postcode).await?.ok_or_else(|| {
            AppError::bad_input(
                &format!("{path}.postcode"),
                format!("unknown postcode {postcode:?}"),
            )
        }),
    }
}
