//! From a root connection's arguments to a page: visibility, filter, search
//! ranking, ordering, cursor binding and the deferred total.

use crate::graphql::connection::{Connection, CountQuery, NodeObject, PageArgs, TotalCount};
use crate::graphql::context::ReadContext;
use crate::graphql::error::{bad_input, db};
use crate::graphql::filter::{FilterCx, search_plan};
use crate::graphql::order::{OrderKey, ordering};
use crate::read::order::signature;
use crate::read::page::{count, fetch_page};
use crate::read::search::SearchPlan;
use crate::read::visibility::visible;
use crate::read::{Frag, ListSpec, Readable, Table, service_filter};
use async_graphql::{Context, Result};
use serde::Serialize;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

/// The filter context, with the taxonomy terms in `roots` expanded.
pub async fn filter_cx(read: &ReadContext, roots: Vec<Uuid>) -> Result<FilterCx> {
    let expanded = service_filter::with_descendants(&read.db, &roots)
        .await
        .map_err(db)?;
    Ok(FilterCx {
        backend: read.db.get_database_backend(),
        expanded,
    })
}

/// The filter of a searchable root connection (services, providers, venues): its
/// taxonomy terms expanded, its condition built and its top-level `search` planned.
pub async fn searchable<F: Serialize>(
    read: &ReadContext,
    table: Table,
    filter: &F,
    term_roots: Vec<Uuid>,
    search: Option<&str>,
    condition: impl FnOnce(&FilterCx) -> Result<Frag>,
) -> Result<Filtered> {
    let cx = filter_cx(read, term_roots).await?;
    let condition = condition(&cx)?;
    let search = search
        .map(|text| search_plan(cx.backend, "filter.search", table, text))
        .transpose()?;
    Ok(Filtered::new(filter, condition, search))
}

/// What the filter of one root connection became.
pub struct Filtered {
    /// The canonical filter, part of cursor signatures.
    pub filter_json: String,
    pub condition: Frag,
    /// The top-level `search`, if any.
    pub search: Option<SearchPlan>,
}

impl Filtered {
    pub fn new(filter: &impl Serialize, condition: Frag, search: Option<SearchPlan>) -> Self {
        Self {
            filter_json: serde_json::to_string(filter).unwrap_or_default(),
            condition,
            search,
        }
    }
}

/// The visibility, filter and (unless ranking) search conditions, the joins and
/// the ordering for a root list of `N`.
pub fn list_spec<N: NodeObject>(
    read: &ReadContext,
    filtered: &Filtered,
    keys: &[OrderKey],
) -> Result<ListSpec> {
    let table = N::Entity::READ_TABLE;
    let mut conditions = vec![
        visible(table, table.name(), &read.viewer),
        filtered.condition.clone(),
    ];
    let mut joins = Vec::new();
    let ranking = match (&filtered.search, keys) {
        (Some(_), [OrderKey::Relevance]) => true,
        (_, keys) if keys.len() > 1 && keys.contains(&OrderKey::Relevance) => {
            return Err(bad_input(
                "orderBy",
                "RELEVANCE cannot be combined with other orders",
            ));
        }
        _ => false,
    };
    let mut special = None;
    if let Some(search) = &filtered.search {
        if ranking {
            joins.push(search.rank_join.clone());
            conditions.push(search.ranked_condition.clone());
            special = Some(search.ordering.clone());
        } else {
            conditions.push(search.condition.clone());
        }
    }
    Ok(ListSpec {
        joins,
        conditions,
        ordering: ordering(table, keys, special)?,
    })
}

/// A root connection of `N`: one statement for the page, one more only when
/// `totalCount` is selected.
pub async fn root_list<N: NodeObject>(
    ctx: &Context<'_>,
    filtered: Filtered,
    keys: &[OrderKey],
    args: PageArgs,
) -> Result<Connection<N>> {
    let read = ctx.data::<ReadContext>()?;
    let spec = list_spec::<N>(read, &filtered, keys)?;
    let signature = signature(&[N::NAME, &spec.ordering.name, &filtered.filter_json]);
    let window = args.window(&read.limits, &signature, &spec.ordering)?;
    let page = fetch_page::<N::Entity>(&read.db, &spec, &window)
        .await
        .map_err(db)?;
    let total = TotalCount::Deferred(Arc::new(RootCount::<N::Entity>(spec, PhantomData)));
    Ok(Connection::from_page(&page, &signature, total, None))
}

/// The total of a root list, counted when asked for.
pub struct RootCount<E>(pub ListSpec, pub PhantomData<fn() -> E>);

impl<E: Readable> CountQuery for RootCount<E> {
    fn count<'a>(
        &'a self,
        read: &'a ReadContext,
    ) -> Pin<Box<dyn Future<Output = Result<i64>> + Send + 'a>> {
        Box::pin(async move { count::<E>(&read.db, &self.0).await.map_err(db) })
    }
}
