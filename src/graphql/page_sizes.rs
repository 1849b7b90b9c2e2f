//! Page sizes checked before anything runs.
//!
//! A connection's `first`/`last` over `maxPageSize` (and `nodes(ids:)` with more ids)
//! is a limit of the request as a whole, like depth or complexity: refusing it while
//! resolving would answer a 200 with `data: null` for one field and run every other
//! field. So the document is walked once, with the schema's types, after parsing:
//! every field returning a `…Connection` has its page arguments read (literal or
//! variable) and compared with the limit. The walk is bounded: the document's depth
//! and its fragments' expansion were checked already ([`super::nesting`]).

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{Name, Value, Variables};
use async_graphql_value::Value as Written;

/// Arguments whose value is a page size.
const PAGE_ARGUMENTS: [&str; 2] = ["first", "last"];

/// The first page argument of the chosen operation over `max`, as `(name, value)`.
pub fn oversized(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    max: u64,
) -> Option<(String, i64)> {
    let operation = document
        .operations
        .iter()
        .find(|(name, _)| operation_name.is_none() || name.map(Name::as_str) == operation_name)?
        .1;
    let root = match operation.node.ty {
        async_graphql::parser::types::OperationType::Query => registry.query_type.as_str(),
        async_graphql::parser::types::OperationType::Mutation => {
            registry.mutation_type.as_deref()?
        }
        async_graphql::parser::types::OperationType::Subscription => return None,
    };
    // A variable not passed takes its declared default.
    let mut values = variables.clone();
    for definition in &operation.node.variable_definitions {
        let name = &definition.node.name.node;
        if let (None, Some(default)) = (values.get(name), &definition.node.default_value) {
            values.insert(name.clone(), default.node.clone());
        }
    }
    let variables = &values;
    let mut pending: Vec<(&str, &SelectionSet)> = vec![(root, &operation.node.selection_set.node)];
    while let Some((type_name, set)) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let Some(defined) = registry
                        .types
                        .get(type_name)
                        .and_then(|ty| ty.field_by_name(field.name.node.as_str()))
                    else {
                        continue;
                    };
                    let returns = MetaTypeName::concrete_typename(&defined.ty);
                    let sized = returns.ends_with("Connection");
                    for (name, value) in &field.arguments {
                        let size = match (name.node.as_str(), &value.node) {
                            (argument, value) if sized && PAGE_ARGUMENTS.contains(&argument) => {
                                number(value, variables)
                            }
                            ("ids", value) if field.name.node == "nodes" => {
                                list_length(value, variables)
                            }
                            _ => None,
                        };
                        if let Some(size) = size.filter(|size| *size > max as i64) {
                            return Some((name.node.to_string(), size));
                        }
                    }
                    if registry.types.contains_key(returns) {
                        pending.push((returns, &field.selection_set.node));
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |condition| condition.node.on.node.as_str());
                    pending.push((on, &fragment.selection_set.node));
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        pending.push((on, &fragment.node.selection_set.node));
                    }
                }
            }
        }
    }
    None
}

/// An integer argument, written or passed as a variable.
fn number(value: &Written, variables: &Variables) -> Option<i64> {
    match value {
        Written::Number(number) => number.as_i64(),
        Written::Variable(name) => match variables.get(name)? {
            Value::Number(number) => number.as_i64(),
            _ => None,
        },
        _ => None,
    }
}

/// The length of a list argument, written or passed as a variable.
fn list_length(value: &Written, variables: &Variables) -> Option<i64> {
    match value {
        Written::List(items) => i64::try_from(items.len()).ok(),
        Written::Variable(name) => match variables.get(name)? {
            Value::List(items) => i64::try_from(items.len()).ok(),
            _ => None,
        },
        _ => None,
    }
}
