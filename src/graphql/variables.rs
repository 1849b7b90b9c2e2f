//! Variables checked against the operation's definitions before it runs.
//!
//! async-graphql coerces a variable only when a resolver reads it, so a missing
//! required variable or a variable of the wrong type (`filter: 5`) surfaced as a
//! field error inside a 200 with partial data, or `data: null`. The GraphQL
//! specification makes both request errors ("CoerceVariableValues" happens before
//! execution): this check runs while the document is prepared, so such a request
//! gets no `data` and a 400, with a message naming the variable and the path
//! inside it.

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Name, Value, Variables};

/// The first variable of the operation chosen by `operation_name` that does not
/// fit its declared type, as a message; `None` when all fit (or the operation
/// cannot be chosen — the executor reports that).
pub fn check(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Option<String> {
    let operation = chosen(document, operation_name)?;
    for definition in &operation.variable_definitions {
        let name = &definition.node.name.node;
        let declared = definition.node.var_type.node.to_string();
        match variables.get(name) {
            None if definition.node.default_value.is_some() => {}
            None => {
                if !definition.node.var_type.node.nullable {
                    return Some(format!(
                        "variable ${name} of required type {declared} was not provided"
                    ));
                }
            }
            Some(value) => {
                if let Some(problem) = fits(registry, &declared, value, &format!("${name}")) {
                    return Some(format!("variable {problem}"));
                }
            }
        }
    }
    None
}

fn chosen<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    use async_graphql::parser::types::DocumentOperations;
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Why `value` does not fit `type_name` (a GraphQL type such as `[Int!]!`), with
/// its path; `None` when it fits. The depth of `value` is bounded already (see
/// [`super::nesting`]), so recursing here is safe.
fn fits(registry: &Registry, type_name: &str, value: &Value, path: &str) -> Option<String> {
    match MetaTypeName::create(type_name) {
        MetaTypeName::NonNull(inner) => match value {
            Value::Null => Some(format!("{path} of type {type_name} cannot be null")),
            _ => fits(registry, inner, value, path),
        },
        MetaTypeName::List(inner) => match value {
            Value::Null => None,
            Value::List(items) => items
                .iter()
                .enumerate()
                .find_map(|(index, item)| fits(registry, inner, item, &format!("{path}[{index}]"))),
            // A single value stands for a list of one.
            single => fits(registry, inner, single, path),
        },
        MetaTypeName::Named(name) => {
            if matches!(value, Value::Null) {
                return None;
            }
            let wrong = || Some(format!("{path}: expected a value of type {name}"));
            if let Some(fit) = builtin_fits(name, value) {
                return if fit { None } else { wrong() };
            }
            match registry.types.get(name)? {
                MetaType::Scalar {
                    is_valid: Some(valid),
                    ..
                } => {
                    if valid(value) {
                        None
                    } else {
                        wrong()
                    }
                }
                MetaType::Scalar { is_valid: None, .. } => None,
                MetaType::Enum { enum_values, .. } => match value {
                    Value::Enum(item) if enum_values.contains_key(item.as_str()) => None,
                    Value::String(item) if enum_values.contains_key(item.as_str()) => None,
                    Value::Enum(item) => Some(format!("{path}: {name} has no value {item}")),
                    Value::String(item) => Some(format!("{path}: {name} has no value {item}")),
                    _ => wrong(),
                },
                MetaType::InputObject {
                    input_fields,
                    oneof,
                    ..
                } => {
                    let Value::Object(given) = value else {
                        return wrong();
                    };
                    if let Some(unknown) = given
                        .keys()
                        .find(|key| !input_fields.contains_key(key.as_str()))
                    {
                        return Some(format!("{path}: {name} has no field {unknown}"));
                    }
                    if *oneof && given.len() != 1 {
                        return Some(format!("{path}: give exactly one field of {name}"));
                    }
                    input_fields.values().find_map(|field| {
                        let inner = format!("{path}.{}", field.name);
                        match given.get(&Name::new(&field.name)) {
                            Some(item) => fits(registry, &field.ty, item, &inner),
                            None if field.default_value.is_none()
                                && MetaTypeName::create(&field.ty).is_non_null() =>
                            {
                                Some(format!("{inner} of type {} is required", field.ty))
                            }
                            None => None,
                        }
                    })
                }
                _ => None,
            }
        }
    }
}

/// Whether `value` fits a built-in scalar (by the GraphQL specification's input
/// coercion rules); `None` for other types.
fn builtin_fits(name: &str, value: &Value) -> Option<bool> {
    let fits = match (name, value) {
        ("Int", Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        ("Float", Value::Number(_)) => true,
        ("String", Value::String(_)) => true,
        ("Boolean", Value::Boolean(_)) => true,
        ("ID", Value::String(_)) => true,
        ("ID", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("Int" | "Float" | "String" | "Boolean" | "ID", _) => false,
        _ => return None,
    };
    Some(fits)
}
