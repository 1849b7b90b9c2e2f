//! Filter inputs of the root connections (`filter:`), one per record type, declared
//! with [`record_filter!`]: the fields every type has (`id`, `updatedSince`,
//! `createdAt`, `updatedAt`, `and`, `or`, `not`) come with the macro, and each type
//! lists only its own — a column and its operator input, or a special field its
//! [`FilterExtras`] turns into a condition. Inputs check and name what they are
//! given; the SQL comes from [`crate::read::filter`].
//!
//! `search`, `near` and `between` also shape the ordering, so at the top level the
//! root resolver plans them; inside `and`/`or`/`not`, `search` is a plain condition
//! and `near`/`between` are refused.

pub mod records;
pub mod scalar;
pub mod service;

use crate::error::{ApiResult, AppError};
use crate::read::filter::{self, FilterCx, MAX_TERMS, Tags};
use crate::read::{Frag, Table};
use async_graphql::{ID, InputObject};
use serde::Serialize;
use std::fmt;
use uuid::Uuid;

/// Where a field sits in the filter argument (`filter.and[1].providerId`), built
/// only when an error needs it.
pub struct FieldPath<'a> {
    pub parent: &'a str,
    /// The field's name in Rust (snake case); shown in GraphQL's camel case.
    pub field: &'a str,
}

impl FieldPath<'_> {
    /// The path of a part of this field (`filter.providerId.in`).
    pub fn child(&self, name: &str) -> String {
        format!("{self}.{name}")
    }
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.", self.parent)?;
        let mut upper = false;
        for c in self.field.chars() {
            match (c, upper) {
                ('_', _) => upper = true,
                (c, true) => {
                    write!(f, "{}", c.to_ascii_uppercase())?;
                    upper = false;
                }
                (c, false) => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}

/// A record type's filter input.
pub trait RecordFilter: Serialize + Default + Send + Sync {
    /// The table it filters.
    const TABLE: Table;

    /// The conditions of this level's own fields: columns, the common fields, and
    /// `search` (below the top level) and `taxonomyTerms` where the type has them.
    fn own(&self, cx: &FilterCx, path: &str, top: bool) -> ApiResult<Vec<Frag>>;

    /// The top-level `search`, which the root resolver may rank by.
    fn search(&self) -> Option<&str>;

    /// The `taxonomyTerms` field, if the type has one.
    fn taxonomy_terms(&self) -> Option<&TaxonomyTermsFilter>;

    /// `and`, `or` and `not` of this level.
    fn branches(&self) -> Branches<'_, Self>;

    /// The whole condition. With `top`, the fields the root resolver plans itself
    /// (`search`, `near`, `between`) are left to it.
    fn condition(&self, cx: &FilterCx, path: &str, top: bool) -> ApiResult<Frag>
    where
        Self: FilterExtras,
    {
        let mut own = self.own(cx, path, top)?;
        self.extra(cx, path, top, &mut own)?;
        let (and, or, not) = self.branches();
        let and = and
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, f)| f.condition(cx, &format!("{path}.and[{i}]"), false))
            .collect::<ApiResult<Vec<_>>>()?;
        let or = or
            .as_ref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, f)| f.condition(cx, &format!("{path}.or[{i}]"), false))
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;
        let not = not
            .as_ref()
            .map(|f| f.condition(cx, &format!("{path}.not"), false))
            .transpose()?;
        Ok(filter::combine(own, and, or, not))
    }

    /// Taxonomy terms to expand with their descendants, anywhere in the filter.
    fn term_roots(&self, path: &str, out: &mut Vec<Uuid>) -> ApiResult<()> {
        if let Some(terms) = self.taxonomy_terms() {
            out.extend(terms.tags(&format!("{path}.taxonomyTerms"))?.roots());
        }
        let (and, or, not) = self.branches();
        for (name, list) in [("and", and), ("or", or)] {
            for (index, filter) in list.iter().flatten().enumerate() {
                filter.term_roots(&format!("{path}.{name}[{index}]"), out)?;
            }
        }
        if let Some(filter) = not {
            filter.term_roots(&format!("{path}.not"), out)?;
        }
        Ok(())
    }
}

/// `and`, `or` and `not` of one filter level.
pub type Branches<'a, F> = (&'a Option<Vec<F>>, &'a Option<Vec<F>>, &'a Option<Box<F>>);

/// Fields a filter has beyond columns, `search` and `taxonomyTerms` (`near`, `age`,
/// `between`); nothing unless a type says so.
pub trait FilterExtras {
    /// Conditions of the special fields, pushed onto `out`.
    fn extra(
        &self,
        _cx: &FilterCx,
        _path: &str,
        _top: bool,
        _out: &mut Vec<Frag>,
    ) -> ApiResult<()> {
        Ok(())
    }
    /// The place whose covering service areas the filter asks for (top level).
    fn service_area(&self) -> Option<&service::PlaceFilter> {
        None
    }
}

/// Declares a record type's filter input (see the module docs). A field with
/// `= "column"` compares that column through its input's [`scalar::ColumnFilter`];
/// a field without is special, left to the type's [`FilterExtras`]. `search:` adds
/// the keyword field (its doc given), `tagged through "column"` the `taxonomyTerms`
/// field over that column of taxonomy refs.
macro_rules! record_filter {
    (
        $(#[doc = $doc:literal])*
        $name:ident for $table:ident
        $(, search: $search_doc:literal)?
        $(, tagged through $ref_column:literal)?
        {
            $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty $(= $column:literal)? ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(async_graphql::InputObject, serde::Serialize, Clone, Debug, Default)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// By id.
            pub id: Option<$crate::graphql::filter::scalar::IdFilter>,
            $(
                #[doc = $search_doc]
                pub search: Option<String>,
            )?
            $( $(#[doc = $fdoc])* pub $field: Option<$ty>, )*
            $(
                // (`record_filter!(@none …)` only lets the repetition name its variable.)
                #[doc = concat!("Tagged with taxonomy terms.", record_filter!(@none $ref_column))]
                pub taxonomy_terms: Option<$crate::graphql::filter::TaxonomyTermsFilter>,
            )?
            /// Changed at or after this time.
            pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
            /// By creation time.
            pub created_at: Option<$crate::graphql::filter::scalar::DateTimeFilter>,
            /// By last change.
            pub updated_at: Option<$crate::graphql::filter::scalar::DateTimeFilter>,
            /// Every one of these filters holds.
            pub and: Option<Vec<$name>>,
            /// At least one of these filters holds.
            pub or: Option<Vec<$name>>,
            /// This filter does not hold.
            pub not: Option<Box<$name>>,
        }

        impl $crate::graphql::filter::RecordFilter for $name {
            const TABLE: $crate::read::Table = $crate::read::Table::$table;

            fn own(
                &self,
                #[allow(unused_variables)] cx: &$crate::read::filter::FilterCx,
                path: &str,
                #[allow(unused_variables)] top: bool,
            ) -> $crate::error::ApiResult<Vec<$crate::read::Frag>> {
                use $crate::graphql::filter::scalar::ColumnFilter;
                use $crate::graphql::filter::FieldPath;
                let table = <Self as $crate::graphql::filter::RecordFilter>::TABLE;
                let alias = table.name();
                let mut own = Vec::new();
                let column = |name: &str| format!("{alias}.{name}");
                if let Some(filter) = &self.id {
                    own.push(filter.condition(&FieldPath { parent: path, field: "id" }, &column("id"))?);
                }
                $(
                    let _: &str = $search_doc;
                    $crate::graphql::filter::searched(cx, path, top, &self.search, table, &mut own)?;
                )?
                $( $(
                    if let Some(filter) = &self.$field {
                        own.push(filter.condition(
                            &FieldPath { parent: path, field: stringify!($field) },
                            &column($column),
                        )?);
                    }
                )? )*
                $(
                    $crate::graphql::filter::tagged(cx, path, &self.taxonomy_terms, table, $ref_column, &mut own)?;
                )?
                if let Some(since) = self.updated_since {
                    own.push($crate::read::filter::compare(
                        &column("updated_at"),
                        $crate::read::filter::Cmp::Gte,
                        since,
                    ));
                }
                for (field, filter) in [("created_at", &self.created_at), ("updated_at", &self.updated_at)] {
                    if let Some(filter) = filter {
                        own.push(filter.condition(&FieldPath { parent: path, field }, &column(field))?);
                    }
                }
                Ok(own)
            }

            fn branches(&self) -> $crate::graphql::filter::Branches<'_, Self> {
                (&self.and, &self.or, &self.not)
            }

            record_filter!(@search $($search_doc)?);
            record_filter!(@tags $($ref_column)?);
        }
    };
    (@none $ignored:literal) => {
        ""
    };
    (@search) => {
        fn search(&self) -> Option<&str> {
            None
        }
    };
    (@search $doc:literal) => {
        fn search(&self) -> Option<&str> {
            self.search.as_deref()
        }
    };
    (@tags) => {
        fn taxonomy_terms(&self) -> Option<&$crate::graphql::filter::TaxonomyTermsFilter> {
            None
        }
    };
    (@tags $column:literal) => {
        fn taxonomy_terms(&self) -> Option<&$crate::graphql::filter::TaxonomyTermsFilter> {
            self.taxonomy_terms.as_ref()
        }
    };
}
pub(crate) use record_filter;

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

impl TaxonomyTermsFilter {
    /// The tags asked for, checked: at least one list, ids that are UUIDs, at most
    /// [`MAX_TERMS`] in all.
    pub fn tags(&self, path: &str) -> ApiResult<Tags> {
        if self.any_of.is_none() && self.all_of.is_none() {
            return Err(AppError::bad_input(path, "give anyOf or allOf"));
        }
        let any_of = self
            .any_of
            .as_deref()
            .map(|ids| scalar::parse_ids(&format!("{path}.anyOf"), ids))
            .transpose()?;
        let all_of = scalar::parse_ids(
            &format!("{path}.allOf"),
            self.all_of.as_deref().unwrap_or(&[]),
        )?;
        if any_of.as_ref().map_or(0, Vec::len) + all_of.len() > MAX_TERMS {
            return Err(AppError::bad_input(
                path,
                format!("at most {MAX_TERMS} terms"),
            ));
        }
        Ok(Tags {
            any_of,
            all_of,
            include_descendants: self.include_descendants,
        })
    }
}

/// The `taxonomyTerms` condition of a filter, tagged through `ref_column`.
pub fn tagged(
    cx: &FilterCx,
    path: &str,
    terms: &Option<TaxonomyTermsFilter>,
    table: Table,
    ref_column: &str,
    out: &mut Vec<Frag>,
) -> ApiResult<()> {
    if let Some(terms) = terms {
        out.push(
            terms
                .tags(&format!("{path}.taxonomyTerms"))?
                .condition(cx, table, ref_column),
        );
    }
    Ok(())
}

/// The `search` condition of a filter below its top level (the top level's is
/// planned, and maybe ranked, by the root resolver).
pub fn searched(
    cx: &FilterCx,
    path: &str,
    top: bool,
    search: &Option<String>,
    table: Table,
    out: &mut Vec<Frag>,
) -> ApiResult<()> {
    if let (Some(text), false) = (search, top) {
        let condition = filter::search_condition(cx, table, text)
            .map_err(|e| AppError::bad_input(&format!("{path}.search"), e))?;
        out.push(condition);
    }
    Ok(())
}

/// Refuses a field that only makes sense at the top level.
pub fn top_level_only(path: &str, name: &str, present: bool, top: bool) -> ApiResult<()> {
    if present && !top {
        return Err(AppError::bad_input(
            &format!("{path}.{name}"),
            "allowed only at the top level of a filter",
        ));
    }
    Ok(())
}
