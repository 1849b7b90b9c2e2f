//! Limits on the shape of a query: depth, complexity and aliases, checked before
//! anything runs, each refusal a `LIMIT_EXCEEDED` error naming the limit.
//!
//! Complexity is async-graphql's: every field costs 1 plus its children, and a
//! connection field multiplies its children by the page it asks for
//! ([`page_cost`]), so `services(first: 100) { nodes { venues(first: 100) ... } }`
//! costs what it would fetch. The limits come with each request (see
//! [`super::attach`]); a request without them (a direct call in a test) is unlimited.
//!
//! The same extension records that execution started ([`ExecutionStarted`]): the
//! HTTP layer needs to know whether an error response is a request error (nothing
//! ran, no `data`) or an execution error.

use crate::error::ErrorCode;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{
    ErrorExtensions, Response, ServerError, ServerResult, ValidationResult, Variables,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The configured limits of a query's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryLimits {
    /// Deepest nesting of fields (`SIGNPOST_MAX_DEPTH`).
    pub max_depth: usize,
    /// Highest complexity (`SIGNPOST_MAX_COMPLEXITY`).
    pub max_complexity: usize,
    /// Most aliased fields in one document (`SIGNPOST_MAX_ALIASES`).
    pub max_aliases: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 50_000,
            max_aliases: 50,
        }
    }
}

/// The page a connection field asks for when neither `first` nor `last` is given.
const DEFAULT_PAGE: usize = 20;

/// The complexity of a connection field: its page size times its children's.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let page = first
        .or(last)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(DEFAULT_PAGE)
        .max(1);
    page.saturating_mul(child_complexity).saturating_add(1)
}

/// Set once the operation starts executing (after parsing, validation and
/// variable coercion succeeded).
#[derive(Clone, Debug, Default)]
pub struct ExecutionStarted(Arc<AtomicBool>);

impl ExecutionStarted {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// `LIMIT_EXCEEDED` naming the limit, as a request error.
pub fn limit_error(limit: &str, message: String) -> ServerError {
    let error = async_graphql::Error::new(message).extend_with(|_, extensions| {
        extensions.set("code", ErrorCode::LimitExceeded.as_str());
        extensions.set("limit", limit);
    });
    error.into_server_error(async_graphql::Pos::default())
}

/// The schema extension that applies [`QueryLimits`] and marks [`ExecutionStarted`].
pub struct Guard;

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Guard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(limits) = ctx.data_opt::<QueryLimits>() {
            let aliases = count_aliases(&document);
            if aliases > limits.max_aliases {
                return Err(limit_error(
                    "maxAliases",
                    format!(
                        "the query has {aliases} aliases, more than the limit of {} (maxAliases)",
                        limits.max_aliases
                    ),
                ));
            }
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(limits) = ctx.data_opt::<QueryLimits>() {
            if result.depth > limits.max_depth {
                return Err(vec![limit_error(
                    "maxDepth",
                    format!(
                        "the query is nested {} deep, more than the limit of {} (maxDepth)",
                        result.depth, limits.max_depth
                    ),
                )]);
            }
            if result.complexity > limits.max_complexity {
                return Err(vec![limit_error(
                    "maxComplexity",
                    format!(
                        "the query's complexity is {}, more than the limit of {} (maxComplexity); \
                         ask for smaller pages or fewer nested lists",
                        result.complexity, limits.max_complexity
                    ),
                )]);
            }
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(started) = ctx.data_opt::<ExecutionStarted>() {
            started.0.store(true, Ordering::Relaxed);
        }
        next.run(ctx, operation_name).await
    }
}

/// Aliased fields in every operation and fragment of the document.
fn count_aliases(document: &ExecutableDocument) -> usize {
    count_fields(document, &|field| field.alias.is_some())
}

/// Whether the document asks for `__schema` or `__type` anywhere.
pub fn uses_introspection(document: &ExecutableDocument) -> bool {
    count_fields(document, &|field| {
        matches!(field.name.node.as_str(), "__schema" | "__type")
    }) > 0
}

/// Fields matching `test` in every operation and fragment of the document.
fn count_fields(document: &ExecutableDocument, test: &dyn Fn(&Field) -> bool) -> usize {
    fn in_set(set: &SelectionSet, test: &dyn Fn(&Field) -> bool) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(test(&field.node)) + in_set(&field.node.selection_set.node, test)
                }
                Selection::InlineFragment(fragment) => {
                    in_set(&fragment.node.selection_set.node, test)
                }
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, operation)| in_set(&operation.node.selection_set.node, test))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|fragment| in_set(&fragment.node.selection_set.node, test))
        .sum();
    operations + fragments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_multiply_their_children() {
        assert_eq!(page_cost(Some(50), None, 3), 151);
        assert_eq!(page_cost(None, Some(2), 3), 7);
        assert_eq!(page_cost(None, None, 3), 61);
        assert_eq!(page_cost(Some(0), None, 3), 4);
        assert_eq!(page_cost(Some(-5), None, 3), 61);
    }

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let document = async_graphql::parser::parse_query(
            "{ a: services { nodes { b: name } } ...F } fragment F on Query { c: providers { totalCount } }",
        );
        assert_eq!(document.map(|d| count_aliases(&d)).ok(), Some(3));
    }
}
