//! Lists of operations records — imports, ingest runs, data files — newest first.
//!
//! Their ids are UUID v7, so creation order is id order: a page is a walk down the
//! primary key from the cursor's id, one statement whatever the depth. Cursors are
//! the connection module's ([`crate::read::Cursor`]), bound to the list they came
//! from, so an imports cursor handed to `dataFiles` is refused.

use crate::error::{ApiResult, AppError};
use crate::graphql::connection::PageInfo;
use crate::graphql::context::ReadContext;
use crate::read::order::signature;
use crate::read::{Cursor, Ordering};
use async_graphql::{Object, OutputType, TypeName};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use std::borrow::Cow;
use uuid::Uuid;

/// A GraphQL object over one operations record.
pub trait Newest: OutputType + Send + Sync + 'static {
    type Entity: EntityTrait;
    /// The GraphQL type name (`Import`): the connection is `ImportConnection`.
    const NAME: &'static str;
    /// Its `id` column.
    const ID: <Self::Entity as EntityTrait>::Column;
    fn of(model: <Self::Entity as EntityTrait>::Model) -> Self;
    fn id(&self) -> Uuid;
}

/// Newest first by id: no sort terms, the id descending.
fn newest_first() -> Ordering {
    Ordering {
        name: "newest_first".into(),
        terms: Vec::new(),
        id_expr: "id".into(),
        id_descending: true,
    }
}

/// A page of `T`, newest first.
pub struct NewestConnection<T: Newest> {
    edges: Vec<NewestEdge<T>>,
    has_previous: bool,
    has_next: bool,
}

impl<T: Newest> NewestConnection<T> {
    /// The page of `query`'s rows after the cursor `after`, `first` of them.
    pub async fn load(
        read: &ReadContext,
        query: Select<T::Entity>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Self> {
        let first = read.limits.first(first)?;
        let signature = signature(&[T::NAME, "newest_first"]);
        let after = after
            .map(|text| {
                Cursor::decode(&text, &signature, &newest_first())
                    .map_err(|e| AppError::bad_input("after", e))
            })
            .transpose()?;
        let mut query = query;
        if let Some(cursor) = &after {
            query = query.filter(T::ID.lt(cursor.id));
        }
        let mut rows = query
            .order_by_desc(T::ID)
            .limit(first + 1)
            .all(&read.db)
            .await?;
        let has_next = rows.len() as u64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        let edges = rows
            .into_iter()
            .map(|model| {
                let node = T::of(model);
                let cursor = Cursor {
                    keys: Vec::new(),
                    id: node.id(),
                }
                .encode(&signature);
                NewestEdge { cursor, node }
            })
            .collect();
        Ok(Self {
            edges,
            has_previous: after.is_some(),
            has_next,
        })
    }
}

impl<T: Newest> TypeName for NewestConnection<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", T::NAME).into()
    }
}

/// A page of records, newest first.
#[Object(name_type)]
impl<T: Newest> NewestConnection<T> {
    /// The records of this page, each with its cursor.
    async fn edges(&self) -> &[NewestEdge<T>] {
        &self.edges
    }

    /// The records of this page, without cursors.
    async fn nodes(&self) -> Vec<&T> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    /// Where this page stands in the whole list.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous,
            has_next_page: self.has_next,
            start_cursor: self.edges.first().map(|edge| edge.cursor.clone()),
            end_cursor: self.edges.last().map(|edge| edge.cursor.clone()),
        }
    }
}

/// One record and the cursor to continue after it.
pub struct NewestEdge<T: Newest> {
    cursor: String,
    node: T,
}

impl<T: Newest> TypeName for NewestEdge<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", T::NAME).into()
    }
}

/// One record of a newest-first list.
#[Object(name_type)]
impl<T: Newest> NewestEdge<T> {
    /// An opaque cursor, valid for this list only.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// The record.
    async fn node(&self) -> &T {
        &self.node
    }
}
