//! How deeply a request nests, and how far its fragments expand, measured
//! without recursion.
//!
//! The GraphQL parser, the validator, input coercion and filter compilation all
//! recurse on the document's structure, and a worker thread's stack is small: a
//! filter nested a few hundred `and`s deep used to overflow it and abort the whole
//! process. So the text is measured before anything parses it ([`brackets`]), with
//! a plain loop over its bytes, and refused when it nests deeper than any query
//! within the limits could; after parsing, argument and variable values are
//! measured in input objects ([`input_depth`]) against `maxFilterDepth`. Everything
//! downstream then recurses over a bounded depth only.
//!
//! Fragments are the other way to make a small text large: each spread of a
//! fragment that spreads another twice doubles the work of every later pass
//! (thirty such fragments are a billion fields, and async-graphql's own checks walk
//! them one by one). [`expanded_fields`] counts the fields a document expands to
//! with each fragment counted once and reused, so the request can be refused
//! before anything walks the expansion.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql_value::{ConstValue, Name, Value};
use std::collections::HashMap;

/// The deepest bracket nesting of a document's text, and whether that point was
/// inside an argument list (a value) or among selections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Brackets {
    pub depth: usize,
    pub in_arguments: bool,
}

/// Measures `{`, `[` and `(` nesting outside strings and comments, stopping as
/// soon as `stop_at` is passed (so a hostile text costs no more than needed).
pub fn brackets(text: &str, stop_at: usize) -> Brackets {
    let bytes = text.as_bytes();
    let mut deepest = Brackets::default();
    let (mut depth, mut parens) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // An escaped triple quote does not end a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            open @ (b'{' | b'[' | b'(') => {
                depth += 1;
                parens += usize::from(open == b'(');
                if depth > deepest.depth {
                    deepest = Brackets {
                        depth,
                        in_arguments: parens > 0,
                    };
                    if depth > stop_at {
                        return deepest;
                    }
                }
            }
            close @ (b'}' | b']' | b')') => {
                depth = depth.saturating_sub(1);
                if close == b')' {
                    parens = parens.saturating_sub(1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Writes a function measuring the deepest nesting of input objects in a value
/// (an object is 1, an object inside a list inside it 2, …; lists add nothing),
/// for the document's values and for variables' constant ones.
macro_rules! depth_of {
    ($name:ident, $value:ty, $object:path, $list:path) => {
        pub fn $name(value: &$value) -> usize {
            let mut deepest = 0;
            let mut pending: Vec<(&$value, usize)> = vec![(value, 0)];
            while let Some((value, depth)) = pending.pop() {
                match value {
                    $object(fields) => {
                        deepest = deepest.max(depth + 1);
                        pending.extend(fields.values().map(|field| (field, depth + 1)));
                    }
                    $list(items) => pending.extend(items.iter().map(|item| (item, depth))),
                    _ => {}
                }
            }
            deepest
        }
    };
}

depth_of!(input_depth, Value, Value::Object, Value::List);
depth_of!(
    variable_depth,
    ConstValue,
    ConstValue::Object,
    ConstValue::List
);

/// The deepest [`input_depth`] of any argument (of fields and directives) and any
/// variable default in the document.
pub fn document_input_depth(document: &ExecutableDocument) -> usize {
    let mut deepest = 0;
    let mut sets: Vec<&SelectionSet> = Vec::new();
    for (_, operation) in document.operations.iter() {
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                deepest = deepest.max(variable_depth(&default.node));
            }
        }
        sets.push(&operation.node.selection_set.node);
    }
    sets.extend(
        document
            .fragments
            .values()
            .map(|fragment| &fragment.node.selection_set.node),
    );
    while let Some(set) = sets.pop() {
        for item in &set.items {
            let (directives, children) = match &item.node {
                Selection::Field(field) => {
                    for (_, argument) in &field.node.arguments {
                        deepest = deepest.max(input_depth(&argument.node));
                    }
                    (&field.node.directives, Some(&field.node.selection_set.node))
                }
                Selection::FragmentSpread(spread) => (&spread.node.directives, None),
                Selection::InlineFragment(fragment) => (
                    &fragment.node.directives,
                    Some(&fragment.node.selection_set.node),
                ),
            };
            for directive in directives {
                for (_, argument) in &directive.node.arguments {
                    deepest = deepest.max(input_depth(&argument.node));
                }
            }
            sets.extend(children);
        }
    }
    deepest
}

/// Why a document's expansion could not be counted.
#[derive(Debug, PartialEq, Eq)]
pub enum Expansion {
    /// The fields every operation expands to, each fragment spread counted as
    /// the fields of its fragment (saturating).
    Fields(u64),
    /// A fragment spreads itself, directly or through others.
    Cycle(String),
}

/// The fields in `set` outside fragment spreads, and the fragments it spreads.
fn own_fields(set: &SelectionSet) -> (u64, Vec<&Name>) {
    let (mut fields, mut spreads) = (0u64, Vec::new());
    let mut pending = vec![set];
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    fields += 1;
                    pending.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => spreads.push(&spread.node.fragment_name.node),
            }
        }
    }
    (fields, spreads)
}

/// Counts the fields the document's operations expand to (see the module doc).
pub fn expanded_fields(document: &ExecutableDocument) -> Expansion {
    let parts: HashMap<&Name, (u64, Vec<&Name>)> = document
        .fragments
        .iter()
        .map(|(name, fragment)| (name, own_fields(&fragment.node.selection_set.node)))
        .collect();
    // Post-order over the spread graph with an explicit stack; a fragment seen
    // again while still open is a cycle.
    let mut sizes: HashMap<&Name, u64> = HashMap::new();
    let mut open: std::collections::HashSet<&Name> = Default::default();
    for start in parts.keys() {
        let mut stack: Vec<(&Name, bool)> = vec![(start, false)];
        while let Some((name, children_done)) = stack.pop() {
            if sizes.contains_key(name) {
                continue;
            }
            let Some((own, spreads)) = parts.get(name) else {
                // An unknown fragment: validation reports it.
                sizes.insert(name, 0);
                continue;
            };
            if children_done {
                let total = spreads.iter().fold(*own, |sum, spread| {
                    sum.saturating_add(sizes.get(spread).copied().unwrap_or(0))
                });
                open.remove(name);
                sizes.insert(name, total);
                continue;
            }
            if !open.insert(name) {
                return Expansion::Cycle(name.to_string());
            }
            stack.push((name, true));
            for spread in spreads {
                if open.contains(spread) {
                    return Expansion::Cycle(spread.to_string());
                }
                if !sizes.contains_key(spread) {
                    stack.push((spread, false));
                }
            }
        }
    }
    let total = document
        .operations
        .iter()
        .fold(0u64, |sum, (_, operation)| {
            let (own, spreads) = own_fields(&operation.node.selection_set.node);
            spreads.iter().fold(sum.saturating_add(own), |sum, spread| {
                sum.saturating_add(sizes.get(spread).copied().unwrap_or(0))
            })
        });
    Expansion::Fields(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_skip_strings_and_comments() {
        let text = "{ a(x: \"{{{[[[\", y: \"\"\" ((( \\\"\"\" ((( \"\"\") # {{{{\n { b } }";
        assert_eq!(
            brackets(text, 100),
            Brackets {
                depth: 2,
                in_arguments: true
            }
        );
        assert_eq!(brackets("{ a { b { c } } }", 100).depth, 3);
        assert!(!brackets("{ a { b { c } } }", 100).in_arguments);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(brackets(&deep, 50).depth, 51);
    }

    #[test]
    fn input_depth_counts_objects_not_lists() {
        let value = ConstValue::from_json(serde_json::json!({
            "and": [{"or": [{"not": {"name": {"contains": "a"}}}]}]
        }))
        .unwrap_or_default();
        assert_eq!(variable_depth(&value), 5);
        assert_eq!(variable_depth(&ConstValue::from(3)), 0);
        let document = async_graphql::parser::parse_query(
            "query($f: F = {a: {b: 1}}) { s(f: {not: {not: {x: 1}}}) { t(l: [[{y: 1}]]) } }",
        );
        assert_eq!(document.map(|d| document_input_depth(&d)).ok(), Some(3));
    }

    #[test]
    fn fragments_are_counted_once_each_and_cycles_found() {
        let mut text = String::from("{ ...F0 a } fragment F0 on Q { ...F1 ...F1 }");
        for i in 1..40 {
            text.push_str(&format!(
                " fragment F{i} on Q {{ ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        text.push_str(" fragment F40 on Q { b { c } }");
        let document = async_graphql::parser::parse_query(&text).map(|d| expanded_fields(&d));
        // 2^40 copies of F40's two fields, plus `a`.
        assert_eq!(document.ok(), Some(Expansion::Fields((1u64 << 41) + 1)));
        let cycle = async_graphql::parser::parse_query(
            "{ ...A } fragment A on Q { x ...B } fragment B on Q { y { ...C } } fragment C on Q { ...A }",
        );
        assert!(matches!(
            cycle.map(|d| expanded_fields(&d)),
            Ok(Expansion::Cycle(_))
        ));
        let shared = async_graphql::parser::parse_query(
            "{ ...A ...B } fragment A on Q { x ...C } fragment B on Q { ...C } fragment C on Q { y z }",
        );
        assert_eq!(
            shared.map(|d| expanded_fields(&d)).ok(),
            Some(Expansion::Fields(5))
        );
    }
}
