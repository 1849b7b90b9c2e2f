//! Filter inputs of the root connections (`filter:`), one per record type, with
//! typed operators on scalar fields, the domain filters of api.md, and
//! `and` / `or` / `not`. Each turns into one SQL condition over the listed table.
//!
//! `search`, `near` and `between` also shape the ordering, so at the top level the
//! root resolver plans them; inside `and`/`or`/`not`, `search` is a plain condition
//! and `near`/`between` are refused.

pub mod records;
pub mod scalar;
pub mod service;

use super::error::bad_input;
use crate::read::Frag;
use crate::read::search::{self, SearchPlan};
use crate::read::{Table, service_filter};
use async_graphql::{ID, InputObject, Result};
use sea_orm::DatabaseBackend;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What building a condition needs besides the filter itself.
pub struct FilterCx {
    pub backend: DatabaseBackend,
    /// Taxonomy terms asked for with `includeDescendants`, expanded beforehand.
    pub expanded: HashMap<Uuid, HashSet<Uuid>>,
}

/// Records tagged with taxonomy terms.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct TaxonomyTermsFilter {
    /// Tagged with at least one of these terms.
    pub any_of: Option<Vec<ID>>,
    /// Tagged with every one of these terms.
    pub all_of: Option<Vec<ID>>,
    /// Count a tag with a narrower term (at any depth) as a tag with the term.
    #[graphql(default = false)]
    pub include_descendants: bool,
}

/// Terms per request at most, across `anyOf` and `allOf`.
const MAX_TERMS: usize = 100;

impl TaxonomyTermsFilter {
    fn ids(&self, path: &str) -> Result<(Vec<Uuid>, Vec<Uuid>)> {
        let parse = |name: &str, ids: &Option<Vec<ID>>| -> Result<Vec<Uuid>> {
            ids.iter()
                .flatten()
                .map(|id| scalar::parse_id(&format!("{path}.{name}"), id))
                .collect()
        };
        let (any, all) = (parse("anyOf", &self.any_of)?, parse("allOf", &self.all_of)?);
        if self.any_of.is_none() && self.all_of.is_none() {
            return Err(bad_input(path, "give anyOf or allOf"));
        }
        if any.len() + all.len() > MAX_TERMS {
            return Err(bad_input(path, format!("at most {MAX_TERMS} terms")));
        }
        Ok((any, all))
    }

    /// The terms to expand before building conditions.
    pub fn roots(&self, path: &str, out: &mut Vec<Uuid>) -> Result<()> {
        let (any, all) = self.ids(path)?;
        if self.include_descendants {
            out.extend(any);
            out.extend(all);
        }
        Ok(())
    }

    /// Rows of `table` tagged as asked (through taxonomy refs' `ref_column`).
    pub fn condition(
        &self,
        cx: &FilterCx,
        path: &str,
        table: Table,
        ref_column: &str,
    ) -> Result<Frag> {
        let (any, all) = self.ids(path)?;
        let set_of = |id: &Uuid| -> HashSet<Uuid> {
            match (self.include_descendants, cx.expanded.get(id)) {
                (true, Some(set)) => set.clone(),
                (true, None) => HashSet::new(),
                (false, _) => HashSet::from([*id]),
            }
        };
        let alias = table.name();
        let mut parts = Vec::new();
        if self.any_of.is_some() {
            let union: HashSet<Uuid> = any.iter().flat_map(set_of).collect();
            parts.push(service_filter::tagged_with_any(alias, ref_column, &union));
        }
        for id in &all {
            parts.push(service_filter::tagged_with_any(
                alias,
                ref_column,
                &set_of(id),
            ));
        }
        Ok(Frag::all(parts))
    }
}

/// The search condition over `table`, for use inside `and`/`or`/`not`.
pub fn search_condition(cx: &FilterCx, path: &str, table: Table, text: &str) -> Result<Frag> {
    Ok(search_plan(cx.backend, path, table, text)?.condition)
}

/// The search plan over `table` for `text`.
pub fn search_plan(
    backend: DatabaseBackend,
    path: &str,
    table: Table,
    text: &str,
) -> Result<SearchPlan> {
    let words = search::words(text).map_err(|e| bad_input(path, e))?;
    Ok(search::plan(backend, table, &words))
}

/// `and`, `or` and `not` around a filter's own conditions.
pub fn combine<F>(
    path: &str,
    mut own: Vec<Frag>,
    and: &Option<Vec<F>>,
    or: &Option<Vec<F>>,
    not: &Option<Box<F>>,
    nested: impl Fn(&F, &str) -> Result<Frag>,
) -> Result<Frag> {
    if let Some(filters) = and {
        for (index, filter) in filters.iter().enumerate() {
            own.push(nested(filter, &format!("{path}.and[{index}]"))?);
        }
    }
    if let Some(filters) = or {
        let alternatives = filters
            .iter()
            .enumerate()
            .map(|(index, filter)| nested(filter, &format!("{path}.or[{index}]")))
            .collect::<Result<Vec<_>>>()?;
        own.push(Frag::any(alternatives));
    }
    if let Some(filter) = not {
        own.push(nested(filter, &format!("{path}.not"))?.negate());
    }
    Ok(Frag::all(own))
}

/// Refuses a filter that only makes sense at the top level.
pub fn top_level_only(path: &str, name: &str, present: bool, top: bool) -> Result<()> {
    if present && !top {
        return Err(bad_input(
            &format!("{path}.{name}"),
            "allowed only at the top level of a filter",
        ));
    }
    Ok(())
}

/// Collects the conditions of the scalar operators shared by every record type.
pub fn common(
    table: Table,
    path: &str,
    id: &Option<scalar::IdFilter>,
    updated_since: &Option<chrono::DateTime<chrono::Utc>>,
    created_at: &Option<scalar::DateTimeFilter>,
    updated_at: &Option<scalar::DateTimeFilter>,
) -> Result<Vec<Frag>> {
    let alias = table.name();
    let mut parts = Vec::new();
    if let Some(filter) = id {
        parts.push(filter.condition(&format!("{path}.id"), &format!("{alias}.id"))?);
    }
    if let Some(since) = updated_since {
        parts.push(Frag::bind(
            format!("{alias}.updated_at >= ?"),
            [sea_orm::Value::from(*since)],
        ));
    }
    if let Some(filter) = created_at {
        parts.push(filter.condition(&format!("{alias}.created_at")));
    }
    if let Some(filter) = updated_at {
        parts.push(filter.condition(&format!("{alias}.updated_at")));
    }
    Ok(parts)
}
