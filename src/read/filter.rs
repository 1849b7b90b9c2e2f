//! Filter conditions as SQL: the operators on one column, the domain filters that
//! are more than a comparison (`age`, `free`, `taxonomyTerms`, `search`) and the
//! `and` / `or` / `not` around them.
//!
//! Every function returns a [`Frag`] over a table aliased by its own name, to be
//! ANDed, ORed or negated like any other. The API layers (GraphQL filter inputs, the
//! HSDS REST parameters) check and name their inputs and call these; no SQL is
//! written anywhere else for a filter, and no caller text ever enters the SQL.

use super::Table;
use super::search::{self, SearchError};
use super::sql::Frag;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Values in one `in` / `notIn` list at most.
pub const MAX_LIST: usize = 1_000;

/// Terms per filter at most, across `anyOf` and `allOf`.
pub const MAX_TERMS: usize = 100;

/// A comparison of a column with one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Lt => "<",
            Self::Lte => "<=",
            Self::Gt => ">",
            Self::Gte => ">=",
        }
    }
}

/// `column <cmp> value`.
pub fn compare(column: &str, cmp: Cmp, value: impl Into<Value>) -> Frag {
    Frag::bind(format!("{column} {} ?", cmp.sql()), [value.into()])
}

/// A list longer than [`MAX_LIST`].
#[derive(Debug, thiserror::Error)]
#[error("at most {MAX_LIST} values")]
pub struct TooMany;

/// `column IN (values)`, or with `negate` `NOT IN`.
pub fn one_of(column: &str, values: Vec<Value>, negate: bool) -> Result<Frag, TooMany> {
    if values.len() > MAX_LIST {
        return Err(TooMany);
    }
    let frag = Frag::is_in(column, values);
    Ok(if negate { frag.negate() } else { frag })
}

/// `column IS NULL` (`true`) or `IS NOT NULL` (`false`).
pub fn is_null(column: &str, null: bool) -> Frag {
    Frag::raw(format!(
        "{column} IS {}NULL",
        if null { "" } else { "NOT " }
    ))
}

/// Text containing `text` (or, with `prefix_only`, starting with it), ignoring ASCII
/// case on both databases; `%` and `_` are literal in what people search for.
pub fn text_match(column: &str, text: &str, prefix_only: bool) -> Frag {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
        .to_lowercase();
    let pattern = if prefix_only {
        format!("{escaped}%")
    } else {
        format!("%{escaped}%")
    };
    Frag::bind(
        format!("lower({column}) LIKE ? ESCAPE '\\'"),
        [Value::from(pattern)],
    )
}

/// `and`, `or` and `not` around a filter's own conditions: all of `own` and of
/// `and`, at least one of `or` (when given), and not `not`.
pub fn combine(
    mut own: Vec<Frag>,
    and: impl IntoIterator<Item = Frag>,
    or: Option<Vec<Frag>>,
    not: Option<Frag>,
) -> Frag {
    own.extend(and);
    own.extend(or.map(Frag::any));
    own.extend(not.map(Frag::negate));
    Frag::all(own)
}

/// What building conditions needs besides the filter itself: the backend (search
/// is FTS5 on one, `tsvector` on the other) and the taxonomy terms asked for with
/// their descendants, expanded beforehand by [`expand_terms`], and the services
/// whose areas cover the place a `serviceArea` filter names (found beforehand by
/// [`super::hsds_filters::services_covering`]).
#[derive(Clone, Debug)]
pub struct FilterCx {
    pub backend: DatabaseBackend,
    pub expanded: HashMap<Uuid, HashSet<Uuid>>,
    pub services_in_area: Option<Vec<Uuid>>,
}

/// The filter context for a filter naming `roots` with `includeDescendants`: each
/// root with the live terms under it, in one recursive statement.
pub async fn expand_terms(db: &impl ConnectionTrait, roots: &[Uuid]) -> Result<FilterCx, DbErr> {
    Ok(FilterCx {
        backend: db.get_database_backend(),
        expanded: with_descendants(db, roots).await?,
        services_in_area: None,
    })
}

/// Each of `roots` with the live terms under it (itself included). Unknown or
/// deleted roots map to an empty set.
pub async fn with_descendants(
    db: &impl ConnectionTrait,
    roots: &[Uuid],
) -> Result<HashMap<Uuid, HashSet<Uuid>>, DbErr> {
    let mut expanded: HashMap<Uuid, HashSet<Uuid>> =
        roots.iter().map(|id| (*id, HashSet::new())).collect();
    if roots.is_empty() {
        return Ok(expanded);
    }
    // UNION (not UNION ALL) stops at a cycle in bad data instead of looping.
    let mut sql =
        Frag::raw("WITH RECURSIVE tree(root, id) AS (SELECT id, id FROM taxonomy_terms WHERE ");
    sql.append(Frag::is_in("id", roots.iter().map(|id| Value::from(*id))))
        .push(
            " AND deleted_at IS NULL UNION SELECT tree.root, child.id FROM taxonomy_terms child \
             JOIN tree ON child.parent_id = tree.id WHERE child.deleted_at IS NULL) \
             SELECT root, id FROM tree",
        );
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    for row in &rows {
        let root: Uuid = row.try_get("", "root")?;
        let id: Uuid = row.try_get("", "id")?;
        expanded.entry(root).or_default().insert(id);
    }
    Ok(expanded)
}

/// Which taxonomy terms a record must be tagged with.
#[derive(Clone, Debug, Default)]
pub struct Tags {
    /// At least one of these (when `Some`).
    pub any_of: Option<Vec<Uuid>>,
    /// Every one of these.
    pub all_of: Vec<Uuid>,
    /// A tag with a narrower term (at any depth) counts as a tag with the term.
    pub include_descendants: bool,
}

impl Tags {
    /// The terms [`expand_terms`] must expand before [`Tags::condition`].
    pub fn roots(&self) -> impl Iterator<Item = Uuid> + '_ {
        let expand = self.include_descendants;
        self.any_of
            .iter()
            .flatten()
            .chain(&self.all_of)
            .copied()
            .filter(move |_| expand)
    }

    /// Rows of `table` tagged as asked, through taxonomy refs' `ref_column`.
    pub fn condition(&self, cx: &FilterCx, table: Table, ref_column: &str) -> Frag {
        let set_of = |id: &Uuid| -> HashSet<Uuid> {
            match (self.include_descendants, cx.expanded.get(id)) {
                (true, Some(set)) => set.clone(),
                (true, None) => HashSet::new(),
                (false, _) => HashSet::from([*id]),
            }
        };
        let alias = table.name();
        let mut parts = Vec::new();
        if let Some(any) = &self.any_of {
            let union: HashSet<Uuid> = any.iter().flat_map(set_of).collect();
            parts.push(tagged_with_any(alias, ref_column, &union));
        }
        for id in &self.all_of {
            parts.push(tagged_with_any(alias, ref_column, &set_of(id)));
        }
        Frag::all(parts)
    }
}

/// Rows of `alias` tagged (by a live taxonomy ref through `ref_column`) with any of
/// `terms`.
pub fn tagged_with_any(alias: &str, ref_column: &str, terms: &HashSet<Uuid>) -> Frag {
    let mut ids: Vec<Uuid> = terms.iter().copied().collect();
    ids.sort();
    let mut sql = Frag::raw(format!(
        "EXISTS (SELECT 1 FROM taxonomy_refs tagged WHERE tagged.{ref_column} = {alias}.id \
         AND tagged.deleted_at IS NULL AND "
    ));
    sql.append(Frag::is_in(
        "tagged.taxonomy_term_id",
        ids.into_iter().map(Value::from),
    ))
    .push(")");
    sql
}

/// Rows of `table` matching every word of `text` (see [`search`]), as a plain
/// condition (inside `and`/`or`/`not`, where nothing is ranked).
pub fn search_condition(cx: &FilterCx, table: Table, text: &str) -> Result<Frag, SearchError> {
    let words = search::words(text)?;
    Ok(search::plan(cx.backend, table, &words).condition)
}

/// Services whose own age range and every linked live eligibility's range admit
/// `age` (a missing bound admits all).
pub fn age(age: i32) -> Frag {
    let value = Value::from(age);
    Frag::bind(
        "(services.minimum_age IS NULL OR services.minimum_age <= ?) \
         AND (services.maximum_age IS NULL OR services.maximum_age >= ?) \
         AND NOT EXISTS (SELECT 1 FROM service_eligibilities age_se \
         JOIN eligibilities age_e ON age_e.id = age_se.eligibility_id \
         WHERE age_se.service_id = services.id AND age_se.deleted_at IS NULL \
         AND age_e.deleted_at IS NULL \
         AND (age_e.minimum_age > ? OR age_e.maximum_age < ?))",
        [value.clone(), value.clone(), value.clone(), value],
    )
}

/// `free: true`: services with no live cost option whose amount is above zero;
/// `free: false`: the others.
pub fn free(free: bool) -> Frag {
    let paid = Frag::raw(
        "EXISTS (SELECT 1 FROM cost_options free_co WHERE free_co.service_id = services.id \
         AND free_co.deleted_at IS NULL AND free_co.amount > 0)",
    );
    if free { paid.negate() } else { paid }
}
