//! Reading only the selected columns changes no answer. Every scalar field of every
//! record type, alone at the root, nested in each of its lists and behind each to-one
//! relation, through `node`, and with fragments and aliases, is compared with what a
//! second server over the same rows answers when it reads whole rows
//! (`read_projection = false`). The fields and relations come from introspection, so a
//! new field or type is covered without touching this file.

use crate::helpers::{TestApp, TestDb, fresh, graphql_as};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::{Value, json};
use signpost::demo::{self, DemoOptions};
use signpost::read::decode::RowDecoder;
use signpost::read::{Columns, Table};
use signpost::repo::{services, venues};
use std::collections::BTreeMap;

/// A field of an object type: its name, the named type it returns (lists and
/// non-nulls unwrapped) and that type's kind; whether it needs an argument.
#[derive(Clone, Debug)]
struct Field {
    name: String,
    type_name: String,
    kind: String,
    required_args: bool,
}

const INTROSPECTION: &str = r#"{ __schema { queryType { name } types { name kind fields {
  name args { type { kind } } type { ...T } } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

fn named(mut ty: &Value) -> (String, String) {
    while ty["name"].is_null() && !ty["ofType"].is_null() {
        ty = &ty["ofType"];
    }
    (
        ty["name"].as_str().unwrap_or_default().to_owned(),
        ty["kind"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Every object type's fields, by type name; and the query root's name.
async fn schema_of(app: &TestApp) -> (String, BTreeMap<String, Vec<Field>>) {
    let response = graphql_as(app, "admin", INTROSPECTION, json!({})).await;
    let schema = &response["data"]["__schema"];
    let mut types = BTreeMap::new();
    for ty in schema["types"].as_array().expect("types") {
        let Some(fields) = ty["fields"].as_array() else {
            continue;
        };
        let fields = fields
            .iter()
            .map(|field| {
                let (type_name, kind) = named(&field["type"]);
                Field {
                    name: field["name"].as_str().unwrap_or_default().to_owned(),
                    type_name,
                    kind,
                    required_args: field["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|arg| arg["type"]["kind"] == "NON_NULL"),
                }
            })
            .collect();
        types.insert(ty["name"].as_str().unwrap_or_default().to_owned(), fields);
    }
    let query = schema["queryType"]["name"].as_str().unwrap_or_default();
    (query.to_owned(), types)
}

fn scalars(types: &BTreeMap<String, Vec<Field>>, type_name: &str) -> Vec<String> {
    types
        .get(type_name)
        .into_iter()
        .flatten()
        .filter(|field| matches!(field.kind.as_str(), "SCALAR" | "ENUM") && !field.required_args)
        .map(|field| field.name.clone())
        .collect()
}

/// The node type of a connection type, if it is one.
fn node_type(types: &BTreeMap<String, Vec<Field>>, type_name: &str) -> Option<String> {
    if !type_name.ends_with("Connection") {
        return None;
    }
    types
        .get(type_name)?
        .iter()
        .find(|field| field.name == "nodes")
        .map(|field| field.type_name.clone())
}

/// Sends `query` to both servers as an admin (who sees every live record) and
/// asserts the same answer without errors; returns how many records it held.
async fn same_answer(projected: &TestApp, reference: &TestApp, query: &str) -> usize {
    let got = graphql_as(projected, "admin", query, json!({})).await;
    let want = graphql_as(reference, "admin", query, json!({})).await;
    assert!(got.get("errors").is_none(), "{query}\n{got}");
    assert_eq!(got, want, "{query}");
    got.to_string().matches("\"id\"").count()
}

#[tokio::test]
async fn every_field_reads_the_same_as_from_whole_rows() {
    let test_db = TestDb::new().await;
    let same_rows = test_db.sharing();
    let projected = TestApp::over(test_db, |_| {}).await;
    demo::load(&projected.db, &DemoOptions::new(60, 11))
        .await
        .expect("demo data");
    let reference = TestApp::over(same_rows, |config| config.read_projection = false).await;
    let (query_root, types) = schema_of(&projected).await;

    let mut roots = 0;
    let mut checked = 0;
    let mut records = 0;
    let mut lookups = 0;
    for root in types.get(&query_root).into_iter().flatten() {
        if root.required_args {
            continue;
        }
        let Some(node) = node_type(&types, &root.type_name) else {
            continue;
        };
        roots += 1;
        let page =
            |inner: &str| format!("{{ {}(first: 12) {{ nodes {{ {inner} }} }} }}", root.name);
        for field in scalars(&types, &node) {
            records += same_answer(&projected, &reference, &page(&format!("id {field}"))).await;
            checked += 1;
        }
        for relation in types.get(&node).into_iter().flatten() {
            if relation.required_args || !matches!(relation.kind.as_str(), "OBJECT" | "INTERFACE") {
                continue;
            }
            let (wrap, target): (fn(&str, &str) -> String, String) =
                match node_type(&types, &relation.type_name) {
                    Some(child) => (
                        |name, inner| format!("{name}(first: 5) {{ nodes {{ {inner} }} }}"),
                        child,
                    ),
                    None => (
                        |name, inner| format!("{name} {{ {inner} }}"),
                        relation.type_name.clone(),
                    ),
                };
            for field in scalars(&types, &target) {
                let inner = wrap(&relation.name, &format!("__typename {field}"));
                records += same_answer(&projected, &reference, &page(&format!("id {inner}"))).await;
                checked += 1;
            }
        }
        // Every field at once, through `node` for one record, and through a fragment
        // beside an aliased field.
        let all = scalars(&types, &node).join(" ");
        let first = graphql_as(&projected, "admin", &page("id"), json!({})).await;
        if let Some(id) = first["data"][&root.name]["nodes"][0]["id"].as_str() {
            let by_node = format!("{{ node(id: \"{id}\") {{ ... on {node} {{ {all} }} }} }}");
            // Only the types that implement `Node` can be spread there.
            let response = graphql_as(&projected, "admin", &by_node, json!({})).await;
            if response.get("errors").is_none() {
                same_answer(&projected, &reference, &by_node).await;
                lookups += 1;
            }
        }
        let fragment = format!(
            "{{ {}(first: 12) {{ edges {{ node {{ ...F again: id }} }} }} }} fragment F on {node} {{ {all} }}",
            root.name
        );
        same_answer(&projected, &reference, &fragment).await;
    }
    assert!(roots >= 9, "the root lists were found: {roots}");
    assert!(
        checked > 500,
        "fields and relations were compared: {checked}"
    );
    assert!(records > 5_000, "the pages held records: {records}");
    assert!(lookups >= 9, "records were read through node: {lookups}");
}

/// Rows after the first are decoded by position, and give the models sea-orm gives
/// for the same rows (projected or whole).
#[tokio::test]
async fn rows_decoded_by_position_equal_what_sea_orm_decodes() {
    let (_test_db, db) = fresh().await;
    demo::load(&db, &DemoOptions::new(40, 5))
        .await
        .expect("demo data");
    let projections = [
        Columns::for_fields::<services::Entity>(
            Table::Services,
            ["name", "description", "minimumAge", "updatedAt"],
        ),
        Columns::for_fields::<services::Entity>(Table::Services, ["name"]),
    ];
    for columns in projections {
        let sql = format!(
            "SELECT {} FROM services ORDER BY id",
            columns.select_list::<services::Entity>("services")
        );
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("rows");
        assert!(rows.len() >= 40);
        let mut decoder = RowDecoder::<services::Entity>::new(columns);
        for row in &rows {
            let ours = decoder.decode(row).expect("decoded");
            let reference = services::Model::from_query_result(row, "").expect("sea-orm");
            assert_eq!(ours, reference);
        }
        assert_eq!(
            decoder.by_position(),
            rows.len() - 1,
            "every row after the first"
        );
    }
    let columns = Columns::for_fields::<venues::Entity>(
        Table::Venues,
        ["latitude", "longitude", "postalCode"],
    );
    let sql = format!(
        "SELECT {} FROM venues ORDER BY id",
        columns.select_list::<venues::Entity>("venues")
    );
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("rows");
    let mut decoder = RowDecoder::<venues::Entity>::new(columns);
    for row in &rows {
        assert_eq!(
            decoder.decode(row).expect("decoded"),
            venues::Model::from_query_result(row, "").expect("sea-orm")
        );
    }
    assert_eq!(decoder.by_position(), rows.len() - 1);
}
