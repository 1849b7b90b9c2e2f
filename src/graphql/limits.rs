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

use crate::error::{AppError, ErrorCode};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
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
    /// Deepest nesting of input objects in an argument or variable
    /// (`SIGNPOST_MAX_FILTER_DEPTH`).
    pub max_filter_depth: usize,
    /// Longest document accepted, before parsing (`SIGNPOST_MAX_QUERY_BYTES`).
    pub max_query_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 50_000,
            max_aliases: 50,
            max_filter_depth: 12,
            max_query_bytes: 100_000,
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
pub fn limit_error(limit: &'static str, message: String) -> ServerError {
    crate::error::AppError::limit(limit, message).into_server_error()
}

/// The schema extension that applies [`QueryLimits`] and marks [`ExecutionStarted`].
pub struct Guard;

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard)
    }
}

/// Bracket levels a document may nest beyond what its selections and filters
/// need: the operation's own braces, argument lists, list values.
const NESTING_SLACK: usize = 8;

/// The operation the request names, for checking its variables.
#[derive(Clone, Debug, Default)]
pub struct OperationName(pub Option<String>);

/// Sets `code` on errors that have none.
fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code.as_str());
    }
    error
}

/// A parse-stage error from async-graphql, coded: its own bound on fragment and
/// selection recursion (which is also what stops a fragment cycle) is a limit.
fn parse_failure(error: ServerError) -> ServerError {
    if error
        .message
        .starts_with("The recursion depth of the query")
    {
        let message = format!(
            "{} (selections and fragment spreads inside each other count; a fragment cycle never ends)",
            error.message
        );
        return limit_error("maxDepth", message);
    }
    with_code(error, ErrorCode::GraphqlParseFailed)
}

/// Refuses a text too long, or nested deeper than any query within the limits
/// could be, before the (recursive) parser sees it.
fn check_text(query: &str, limits: &QueryLimits) -> ServerResult<()> {
    if query.len() > limits.max_query_bytes {
        return Err(limit_error(
            "maxQueryBytes",
            format!(
                "the query is {} bytes long, more than the limit of {} (maxQueryBytes)",
                query.len(),
                limits.max_query_bytes
            ),
        ));
    }
    let bound = limits.max_depth + 2 * limits.max_filter_depth + NESTING_SLACK;
    let nesting = super::nesting::brackets(query, bound);
    if nesting.depth > bound {
        let (limit, what) = if nesting.in_arguments {
            ("maxFilterDepth", "its argument values nest")
        } else {
            ("maxDepth", "its selections nest")
        };
        return Err(limit_error(
            limit,
            format!(
                "the query is refused unparsed: {what} more than {bound} brackets deep, \
                 past what the limits allow (maxDepth {}, maxFilterDepth {})",
                limits.max_depth, limits.max_filter_depth
            ),
        ));
    }
    Ok(())
}

/// What the HTTP layer runs before handing a request to the schema: the text
/// checks, the parse (kept in the request, so it is not parsed again), and the
/// fragment expansion, which async-graphql's own checks would otherwise walk
/// spread by spread (see [`super::nesting`]).
pub fn prepare(
    request: &mut async_graphql::Request,
    limits: &QueryLimits,
    documents: &super::documents::DocumentCache,
) -> ServerResult<()> {
    check_text(&request.query, limits)?;
    if let Some(document) = documents.get(&request.query) {
        request.set_parsed_query(document);
        return Ok(());
    }
    let text = request.query.clone();
    let document = request.parsed_query().map_err(parse_failure)?;
    expansion_within(document, limits)?;
    documents.keep(text, document);
    Ok(())
}

/// Refuses a document whose fragments spread themselves or expand past `maxComplexity`.
fn expansion_within(document: &ExecutableDocument, limits: &QueryLimits) -> ServerResult<()> {
    match super::nesting::expanded_fields(document) {
        super::nesting::Expansion::Cycle(name) => Err(AppError::user(
            ErrorCode::GraphqlValidationFailed,
            format!("fragment {name} spreads itself (directly or through other fragments)"),
        )
        .into_server_error()),
        super::nesting::Expansion::Fields(fields) if fields > limits.max_complexity as u64 => {
            Err(limit_error(
                "maxComplexity",
                format!(
                    "the query's fragments expand to {fields} fields, more than the limit of {} (maxComplexity)",
                    limits.max_complexity
                ),
            ))
        }
        super::nesting::Expansion::Fields(_) => Ok(()),
    }
}

/// Refuses argument or variable values nested deeper than `maxFilterDepth`.
fn check_inputs(
    document: &ExecutableDocument,
    variables: &Variables,
    limits: &QueryLimits,
) -> ServerResult<()> {
    let deepest = variables
        .values()
        .map(super::nesting::variable_depth)
        .chain([super::nesting::document_input_depth(document)])
        .max()
        .unwrap_or(0);
    if deepest > limits.max_filter_depth {
        return Err(limit_error(
            "maxFilterDepth",
            format!(
                "an argument nests input objects {deepest} deep (and/or/not each add one), \
                 more than the limit of {} (maxFilterDepth)",
                limits.max_filter_depth
            ),
        ));
    }
    Ok(())
}

#[async_graphql::async_trait::async_trait]
impl Extension for Guard {
    /// The guard works on whole requests: fields take async-graphql's fast path
    /// (see vendor/async-graphql/PATCHED.md).
    fn resolves_fields(&self) -> bool {
        false
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Direct calls (tests) without limits still get the structural bounds.
        let configured = ctx.data_opt::<QueryLimits>();
        let structural = configured.copied().unwrap_or_default();
        check_text(query, &structural)?;
        let document = next
            .run(ctx, query, variables)
            .await
            .map_err(parse_failure)?;
        check_inputs(&document, variables, &structural)?;
        if let Some(limits) = configured {
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
        let operation = ctx
            .data_opt::<OperationName>()
            .and_then(|name| name.0.as_deref());
        let registry = &ctx.schema_env.registry;
        if let Some(problem) = super::variables::check(registry, &document, operation, variables) {
            return Err(AppError::user(ErrorCode::BadUserInput, problem).into_server_error());
        }
        if let Some(read) = ctx.data_opt::<super::ReadContext>() {
            let max = read.limits.max_page_size;
            if let Some((argument, size)) =
                super::page_sizes::oversized(registry, &document, operation, variables, max)
            {
                return Err(limit_error(
                    "maxPageSize",
                    format!("{argument}: {size} is over the page size limit (maxPageSize {max})"),
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
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| with_code(error, ErrorCode::GraphqlValidationFailed))
                .collect::<Vec<_>>()
        })?;
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
