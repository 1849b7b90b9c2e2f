//! From a root list's filter and order to a [`ListSpec`]: the visibility rule, the
//! filter's condition, the search (a plain condition, or a ranked join when the
//! caller orders by relevance) and the ordering.

use super::order_by::{OrderKey, ordering};
use super::search::SearchPlan;
use super::visibility::visible;
use super::{Columns, Frag, ListSpec, Table, Viewer};
use crate::error::{ApiResult, AppError};
use serde::Serialize;

/// What the filter of one root list became.
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
/// the ordering of a root list of `table` for `viewer`.
pub fn list_spec(
    table: Table,
    viewer: &Viewer,
    filtered: &Filtered,
    keys: &[OrderKey],
) -> ApiResult<ListSpec> {
    let mut conditions = vec![
        visible(table, table.name(), viewer),
        filtered.condition.clone(),
    ];
    let mut joins = Vec::new();
    let ranking = match (&filtered.search, keys) {
        (Some(_), [OrderKey::Relevance]) => true,
        (_, keys) if keys.len() > 1 && keys.contains(&OrderKey::Relevance) => {
            return Err(AppError::bad_input(
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
        columns: Columns::ALL,
    })
}
