//! Relay cursor connections for every list: `edges { cursor node }`, `nodes`,
//! `pageInfo` and a `totalCount` that runs its query only when selected.
//!
//! [`PageArgs`] turns `first`/`after`/`last`/`before` into a keyset [`Window`],
//! refusing cursors issued for another query.

use super::batch::{Batch, ChildCount, ChildQuery, LoadKey, child_pages};
use super::context::ReadContext;
use super::selection::connection_columns;
use crate::error::{ApiResult, AppError};
use crate::read::children::Relation;
use crate::read::page::Positioned;
use crate::read::{Cursor, Ordering, Page, Readable, Take, Window};
use async_graphql::{Context, Object, OutputType, SimpleObject, TypeName};
use futures_util::future::BoxFuture;
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

/// Page sizes, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct PageLimits {
    pub default_page_size: u64,
    pub max_page_size: u64,
}

impl Default for PageLimits {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
        }
    }
}

impl PageLimits {
    /// The page size a `first` argument asks for (the default when absent).
    pub fn first(&self, first: Option<i32>) -> ApiResult<u64> {
        first.map_or(Ok(self.default_page_size), |n| self.size("first", n))
    }

    /// The page size argument `name` asks for: `BAD_USER_INPUT` when negative,
    /// `LIMIT_EXCEEDED` (`maxPageSize`) when over the limit.
    pub fn size(&self, name: &str, value: i32) -> ApiResult<u64> {
        let value =
            u64::try_from(value).map_err(|_| AppError::bad_input(name, "must not be negative"))?;
        if value > self.max_page_size {
            return Err(AppError::limit(
                "maxPageSize",
                format!(
                    "{name}: {value} is over the page size limit (maxPageSize {})",
                    self.max_page_size
                ),
            ));
        }
        Ok(value)
    }
}

/// A GraphQL object wrapping one directory record.
pub trait NodeObject: OutputType + Send + Sync + 'static {
    type Entity: Readable<Model: Send + Sync>;
    /// The GraphQL type name, e.g. `Service`.
    const NAME: &'static str;
    /// The object for `model`, one of the records of `batch`.
    fn new(
        model: <Self::Entity as sea_orm::EntityTrait>::Model,
        batch: Arc<Batch<Self::Entity>>,
    ) -> Self;
}

/// The paging arguments of a connection field.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }

    /// The window these arguments ask for in `ordering`, for the query `signature`.
    pub fn window(
        &self,
        limits: &PageLimits,
        signature: &str,
        ordering: &Ordering,
    ) -> ApiResult<Window> {
        let size = |name: &str, value: i32| limits.size(name, value);
        let take = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "last",
                    "give either first or last, not both",
                ));
            }
            (_, Some(last)) => Take::Last(size("last", last)?),
            (Some(first), None) => Take::First(size("first", first)?),
            (None, None) => Take::First(limits.default_page_size),
        };
        let decode = |name: &str, text: &Option<String>| -> ApiResult<Option<Cursor>> {
            text.as_deref()
                .map(|text| {
                    Cursor::decode(text, signature, ordering)
                        .map_err(|e| AppError::bad_input(name, e))
                })
                .transpose()
        };
        Ok(Window {
            after: decode("after", &self.after)?,
            before: decode("before", &self.before)?,
            take,
        })
    }
}

/// A deferred count, run when `totalCount` is selected.
pub trait CountQuery: Send + Sync {
    fn count<'a>(
        &'a self,
        read: &'a ReadContext,
    ) -> Pin<Box<dyn Future<Output = ApiResult<i64>> + Send + 'a>>;
}

/// Where a connection's total comes from.
#[derive(Clone)]
pub enum TotalCount {
    /// Already known (the near search computes every match anyway).
    Known(i64),
    /// Counted when asked for: a root list's count query, or the children of one
    /// parent (counted for every parent of its batch at once).
    Deferred(Arc<dyn CountQuery>),
}

/// A page of records, with cursors to walk on in either direction.
pub struct Connection<N: NodeObject> {
    edges: Vec<Edge<N>>,
    has_previous: bool,
    has_next: bool,
    total: TotalCount,
}

impl<N: NodeObject> Connection<N> {
    /// Builds the connection from a page of models read under `signature`.
    pub fn from_page(
        page: &Page<Positioned<<N::Entity as sea_orm::EntityTrait>::Model>>,
        signature: Arc<str>,
        total: TotalCount,
        batch: Option<Arc<Batch<N::Entity>>>,
    ) -> Self {
        let batch = batch
            .unwrap_or_else(|| Batch::new(page.rows.iter().map(|row| row.model.clone()).collect()));
        Self::from_nodes(
            page.rows
                .iter()
                .map(|row| (N::new(row.model.clone(), batch.clone()), row.cursor.clone())),
            &signature,
            page.has_previous,
            page.has_next,
            total,
        )
    }

    /// Builds the connection from nodes and their positions in the ordering of the
    /// query with `signature`. Cursors are encoded only when selected.
    pub fn from_nodes(
        nodes: impl IntoIterator<Item = (N, Cursor)>,
        signature: &Arc<str>,
        has_previous: bool,
        has_next: bool,
        total: TotalCount,
    ) -> Self {
        Self {
            edges: nodes
                .into_iter()
                .map(|(node, position)| Edge {
                    position,
                    signature: signature.clone(),
                    node,
                })
                .collect(),
            has_previous,
            has_next,
            total,
        }
    }
}

impl<N: NodeObject> TypeName for Connection<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::NAME).into()
    }
}

/// A page of records with cursors to continue from in either direction.
#[Object(name_type)]
impl<N: NodeObject> Connection<N> {
    /// The records of this page, each with its cursor.
    async fn edges(&self) -> &[Edge<N>] {
        &self.edges
    }

    /// The records of this page, without cursors.
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// Where this page stands in the whole list.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self.edges.first().map(Edge::encoded_cursor),
            end_cursor: self.edges.last().map(Edge::encoded_cursor),
        }
    }

    /// How many records the whole list holds (all pages). Counted only when asked for.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        match &self.total {
            TotalCount::Known(total) => Ok(*total),
            TotalCount::Deferred(query) => query.count(ctx.data::<ReadContext>()?).await,
        }
    }
}

/// One record of a connection and its position (encoded as a cursor on demand:
/// most pages are read without asking for every edge's cursor).
pub struct Edge<N: NodeObject> {
    position: Cursor,
    signature: Arc<str>,
    node: N,
}

impl<N: NodeObject> Edge<N> {
    fn encoded_cursor(&self) -> String {
        self.position.encode(&self.signature)
    }
}

impl<N: NodeObject> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", N::NAME).into()
    }
}

/// One record of a connection, with the cursor that continues the list after it
/// (`after`) or before it (`before`).
#[Object(name_type)]
impl<N: NodeObject> Edge<N> {
    /// An opaque cursor, valid for the same query (type, ordering and filter) only.
    async fn cursor(&self) -> String {
        self.encoded_cursor()
    }

    /// The record.
    async fn node(&self) -> &N {
        &self.node
    }
}

/// Where a page stands in its list (Relay). Walking forwards, `hasPreviousPage` is
/// true when the page was asked for `after` a cursor; walking backwards,
/// `hasNextPage` is true when it was asked for `before` one.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// More records come before this page.
    pub has_previous_page: bool,
    /// More records come after this page.
    pub has_next_page: bool,
    /// The cursor of the first record of the page.
    pub start_cursor: Option<String>,
    /// The cursor of the last record of the page.
    pub end_cursor: Option<String>,
}

/// A nested connection: one page of `relation`'s children for `parent`, loaded
/// with the same page of every other record of the parent's batch in one statement.
///
/// Boxed because a record type's field future is as large as its largest field's,
/// and async-graphql allocates and copies one per field resolved: kept inline, this
/// load's deep future would be paid for by every `id` and `name` of every record.
pub fn children<'a, N: NodeObject, P: Readable>(
    ctx: &'a Context<'_>,
    parents: &'a Arc<Batch<P>>,
    relation: &'static Relation,
    parent: Uuid,
    args: PageArgs,
) -> BoxFuture<'a, ApiResult<Connection<N>>> {
    Box::pin(load_children(ctx, parents, relation, parent, args))
}

async fn load_children<N: NodeObject, P: Readable>(
    ctx: &Context<'_>,
    parents: &Arc<Batch<P>>,
    relation: &'static Relation,
    parent: Uuid,
    args: PageArgs,
) -> ApiResult<Connection<N>> {
    let read = ctx.data::<ReadContext>()?;
    let key = LoadKey::Children(relation.name, LoadKey::field_of(ctx));
    let loaded = child_pages::<N::Entity, P>(read, parents, key, relation, || {
        let ordering = crate::read::order_by::default_ordering(relation.child);
        let signature = crate::read::order::signature(&[relation.name, &ordering.name]);
        let window = args.window(&read.limits, &signature, &ordering)?;
        let columns = connection_columns::<N::Entity>(ctx, read);
        Ok(ChildQuery {
            ordering,
            window,
            columns,
            signature: signature.into(),
        })
    })
    .await?;
    let empty = Page::default();
    let total = TotalCount::Deferred(Arc::new(ChildCount {
        parents: parents.clone(),
        relation,
        parent,
    }));
    Ok(Connection::from_page(
        loaded.page(parent).unwrap_or(&empty),
        loaded.signature.clone(),
        total,
        Some(loaded.batch.clone()),
    ))
}
