//! Datasets through GraphQL as an admin uses them: create, upload (a GraphQL
//! multipart request), the whole-file preview, confirm with type overrides,
//! versions, restore, and the bad inputs — a value that does not fit its
//! confirmed type fails the version naming row and column while the previous
//! version is still served; an upload while a version processes is refused.

use crate::helpers::{TestApp, graphql_as, spawn_app};
use crate::import_http::upload;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) const VERSION_FIELDS: &str = "id number state error rowsTotal rowsDone \
    preview { rows missingColumns warnings columns { name inferredType fits samples empty } } \
    columns { name type } restoredFrom";

/// `createDataset` as an admin; the answer's `data`.
pub(crate) async fn create(app: &TestApp, organisation: &str, dataset: &str) -> Value {
    graphql_as(
        app,
        "admin",
        "mutation($o: String!, $d: String!) { createDataset(organisation: $o, dataset: $d) { organisation dataset } }",
        json!({"o": organisation, "d": dataset}),
    )
    .await
}

/// Uploads `csv` as a new version and waits until it is previewed (or failed).
pub(crate) async fn upload_version(
    app: &TestApp,
    organisation: &str,
    dataset: &str,
    csv: &str,
) -> Value {
    let answer = upload(
        app,
        "admin",
        &format!(
            "mutation($o: String!, $d: String!, $file: Upload!) {{ uploadDatasetVersion(organisation: $o, dataset: $d, file: $file) {{ {VERSION_FIELDS} }} }}"
        ),
        json!({"o": organisation, "d": dataset, "file": null}),
        "data.csv",
        csv.as_bytes(),
    )
    .await;
    let Some(id) = answer["data"]["uploadDatasetVersion"]["id"].as_str() else {
        return answer;
    };
    wait_until(app, id, &["VERIFIED", "FAILED"]).await
}

/// The version `id` once its state is one of `states` (fails after a minute).
pub(crate) async fn wait_until(app: &TestApp, id: &str, states: &[&str]) -> Value {
    let mut last = Value::Null;
    for _ in 0..600 {
        let answer = graphql_as(
            app,
            "admin",
            &format!("query($id: ID!) {{ datasetVersion(id: $id) {{ {VERSION_FIELDS} }} }}"),
            json!({"id": id}),
        )
        .await;
        let version = &answer["data"]["datasetVersion"];
        if version["state"]
            .as_str()
            .is_some_and(|state| states.contains(&state))
        {
            return version.clone();
        }
        last = answer;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("version {id} never reached {states:?}: {last}");
}

/// Confirms version `id` with `overrides` (`[{name, type}]`) and waits for its end.
pub(crate) async fn confirm(app: &TestApp, id: &str, overrides: Value) -> Value {
    let answer = graphql_as(
        app,
        "admin",
        "mutation($id: ID!, $types: [DatasetColumnTypeInput!]!) { confirmDatasetVersion(id: $id, columnTypes: $types) { id state } }",
        json!({"id": id, "types": overrides}),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer}");
    wait_until(app, id, &["COMPLETED", "FAILED"]).await
}

/// Creates, uploads and confirms `csv` with its inferred types; the version.
pub(crate) async fn load(app: &TestApp, organisation: &str, dataset: &str, csv: &str) -> Value {
    let created = create(app, organisation, dataset).await;
    let exists = created["errors"][0]["extensions"]["code"] == "CONFLICT";
    assert!(created["errors"].is_null() || exists, "{created}");
    let version = upload_version(app, organisation, dataset, csv).await;
    assert_eq!(version["state"], "VERIFIED", "{version}");
    let id = version["id"].as_str().unwrap().to_owned();
    confirm(app, &id, json!([])).await
}

/// The current version's rows (every page of `first`), as `values` objects.
pub(crate) async fn rows(
    app: &TestApp,
    organisation: &str,
    dataset: &str,
    first: i32,
) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let answer = graphql_as(
            app,
            "exporter",
            "query($o: String!, $d: String!, $first: Int, $after: String) { dataset(organisation: $o, dataset: $d) { rows(first: $first, after: $after) { version hasNextPage endCursor nodes { row values } } } }",
            json!({"o": organisation, "d": dataset, "first": first, "after": after}),
        )
        .await;
        assert!(answer["errors"].is_null(), "{answer}");
        let page = &answer["data"]["dataset"]["rows"];
        all.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["values"].clone()),
        );
        if page["hasNextPage"] != true {
            return all;
        }
        after = page["endCursor"].as_str().map(str::to_owned);
    }
}

fn types(version: &Value) -> Vec<(String, String)> {
    version["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn unique(prefix: &str) -> String {
    // PostgreSQL schemas are per organisation and outlive a test's own schema.
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

#[tokio::test]
async fn a_file_is_previewed_in_full_confirmed_and_served() {
    let app = spawn_app().await;
    let org = unique("acme");
    // The count column's one non-integer value is in the last row.
    let mut csv = String::from("ID,Count,Price,Opened,Seen At,Open,Code,Note\n");
    for i in 1..=2500 {
        csv.push_str(&format!(
            "{i},{i},{}.50,2024-01-{:02},2024-01-01 10:00:{:02},yes,00{i},\"say \"\"hi\"\"\"\n",
            i % 100,
            i % 28 + 1,
            i % 60
        ));
    }
    csv.push_str("2501,n/a,1.5,2024-02-01,2024-02-01T10:00:00+01:00,no,,\n");
    assert!(create(&app, &org, "Prices.2024").await["errors"].is_null());
    let version = upload_version(&app, &org, "prices_2024", &csv).await;
    assert_eq!(version["state"], "VERIFIED", "{version}");
    let preview = &version["preview"];
    assert_eq!(preview["rows"], 2501);
    let inferred: Vec<(&str, &str)> = preview["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["inferredType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inferred,
        vec![
            ("id", "INTEGER"),
            ("count", "TEXT"),
            ("price", "NUMERIC"),
            ("opened", "DATE"),
            ("seen_at", "TIMESTAMP"),
            ("open", "BOOLEAN"),
            ("code", "TEXT"),
            ("note", "TEXT"),
        ]
    );
    assert_eq!(preview["columns"][1]["samples"][0], "1");
    assert_eq!(preview["columns"][6]["empty"], 1);
    // Opened may be loaded as a timestamp, as every value fits one.
    assert_eq!(
        preview["columns"][3]["fits"],
        json!(["DATE", "TIMESTAMP", "TEXT"])
    );
    let id = version["id"].as_str().unwrap();
    let done = confirm(&app, id, json!([{"name": "opened", "type": "TIMESTAMP"}])).await;
    assert_eq!(done["state"], "COMPLETED", "{done}");
    assert_eq!(done["rowsDone"], 2501);
    assert_eq!(types(&done)[3], ("opened".into(), "TIMESTAMP".into()));
    let rows = rows(&app, &org, "prices_2024", 1000).await;
    assert_eq!(rows.len(), 2501);
    assert_eq!(
        rows[0],
        json!({"id": 1, "count": "1", "price": 1.5, "opened": "2024-01-02T00:00:00Z",
               "seen_at": "2024-01-01T10:00:01Z", "open": true, "code": "001", "note": "say \"hi\""})
    );
    assert_eq!(rows[2500]["seen_at"], "2024-02-01T09:00:00Z");
    assert_eq!(rows[2500]["code"], Value::Null);
}

#[tokio::test]
async fn the_plain_functions_load_a_version() {
    use signpost::dataset::{DatasetLimits, load, version};
    let (_test_db, db) = crate::helpers::fresh().await;
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let org = unique("plain");
    let dataset = version::create(&db, &org, "things", None).await.unwrap();
    let limits = DatasetLimits::default();
    let body = signpost::store::body_of("a,b\n1,x\n2,y\n".as_bytes().to_vec());
    let uploaded = version::upload(&db, &store, &dataset, "t.csv", body, &limits, None)
        .await
        .unwrap();
    let verified = version::verify(&db, &store, uploaded, &limits)
        .await
        .unwrap();
    let confirmed = version::confirm(&db, verified.id, &[]).await.unwrap();
    let done = tokio::time::timeout(
        Duration::from_secs(20),
        load::process(&db, &store, confirmed, &limits),
    )
    .await
    .expect("the load ends")
    .unwrap();
    assert_eq!(
        done.state,
        entities::dataset_versions::DatasetVersionState::Completed,
        "{done:?}"
    );
    assert_eq!(done.rows_total, 2);
}

#[tokio::test]
async fn names_are_checked_and_duplicates_refused() {
    let app = spawn_app().await;
    let org = unique("names");
    assert!(create(&app, &org, "My.Data").await["errors"].is_null());
    let again = create(&app, &org.to_uppercase(), "my_data").await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "CONFLICT",
        "{again}"
    );
    for (organisation, dataset, says) in [
        ("public", "x", "reserved"),
        (org.as_str(), "a__b", "__"),
        (org.as_str(), "naïve", "only letters"),
        (org.as_str(), "", "empty"),
    ] {
        let refused = create(&app, organisation, dataset).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{refused}"
        );
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let reader = graphql_as(
        &app,
        "reader",
        "mutation { createDataset(organisation: \"x\", dataset: \"y\") { dataset } }",
        json!({}),
    )
    .await;
    assert_eq!(
        reader["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{reader}"
    );
    let listed = graphql_as(&app, "reader", "{ datasets { dataset } }", json!({})).await;
    assert_eq!(
        listed["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{listed}"
    );
}

#[tokio::test]
async fn a_header_with_reserved_or_clashing_names_fails_naming_them() {
    let app = spawn_app().await;
    let org = unique("hdr");
    create(&app, &org, "d").await;
    let version = upload_version(&app, &org, "d", "id,_row,Name,name\n1,2,a,b\n").await;
    assert_eq!(version["state"], "FAILED", "{version}");
    let error = version["error"].as_str().unwrap();
    assert!(
        error.contains("column 2 (\"_row\")") && error.contains("reserved"),
        "{error}"
    );
    assert!(
        error.contains("column 4 (\"name\") is named \"name\" like column 3"),
        "{error}"
    );
    let ragged = upload_version(&app, &org, "d", "a,b\n1,2\n3\n").await;
    assert!(
        ragged["error"]
            .as_str()
            .unwrap()
            .contains("row 3 has 1 fields; the header has 2"),
        "{ragged}"
    );
}

#[tokio::test]
async fn a_bad_value_fails_the_version_and_the_previous_one_is_still_served() {
    let app = spawn_app().await;
    let org = unique("bad");
    let first = load(&app, &org, "d", "id,amount\n1,10\n2,20\n").await;
    assert_eq!(first["state"], "COMPLETED", "{first}");
    // `amount` holds text in its last row: confirmed as an integer anyway.
    let second = upload_version(&app, &org, "d", "id,amount\n1,11\n2,21\n3,lots\n").await;
    assert_eq!(second["preview"]["columns"][1]["inferredType"], "TEXT");
    let failed = confirm(
        &app,
        second["id"].as_str().unwrap(),
        json!([{"name": "amount", "type": "INTEGER"}]),
    )
    .await;
    assert_eq!(failed["state"], "FAILED", "{failed}");
    assert_eq!(
        failed["error"], "row 4, column amount: \"lots\" is not an integer",
        "{failed}"
    );
    assert_eq!(
        rows(&app, &org, "d", 10).await,
        vec![
            json!({"id": 1, "amount": 10}),
            json!({"id": 2, "amount": 20})
        ]
    );
    // An override naming no column, or a failed version confirmed again: refused.
    let third = upload_version(&app, &org, "d", "id,amount\n5,50\n").await;
    let unknown = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { confirmDatasetVersion(id: $id, columnTypes: [{name: \"nope\", type: TEXT}]) { state } }",
        json!({"id": third["id"]}),
    )
    .await;
    assert!(
        unknown["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no column \"nope\""),
        "{unknown}"
    );
    let again = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { confirmDatasetVersion(id: $id) { state } }",
        json!({"id": failed["id"]}),
    )
    .await;
    assert_eq!(
        again["errors"][0]["extensions"]["code"], "CONFLICT",
        "{again}"
    );
}

#[tokio::test]
async fn versions_warn_of_missing_columns_and_an_earlier_one_is_restored() {
    let app = spawn_app().await;
    let org = unique("ver");
    let first = load(&app, &org, "d", "id,name,ward\n1,a,north\n2,b,south\n").await;
    assert_eq!(first["state"], "COMPLETED");
    let second = upload_version(&app, &org, "d", "id,name\n3,c\n").await;
    assert_eq!(
        second["preview"]["missingColumns"],
        json!(["ward"]),
        "{second}"
    );
    assert!(
        second["preview"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("queries that use them will break"),
        "{second}"
    );
    let second = confirm(&app, second["id"].as_str().unwrap(), json!([])).await;
    assert_eq!(second["state"], "COMPLETED");
    assert_eq!(
        rows(&app, &org, "d", 10).await,
        vec![json!({"id": 3, "name": "c"})]
    );
    // A discarded upload leaves the served version alone.
    let third = upload_version(&app, &org, "d", "x\n1\n").await;
    let discarded = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { discardDatasetVersion(id: $id) { state } }",
        json!({"id": third["id"]}),
    )
    .await;
    assert_eq!(
        discarded["data"]["discardDatasetVersion"]["state"], "DISCARDED",
        "{discarded}"
    );
    let restored = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { restoreDatasetVersion(id: $id) { id number restoredFrom } }",
        json!({"id": first["id"]}),
    )
    .await;
    let restored = &restored["data"]["restoreDatasetVersion"];
    assert_eq!(restored["number"], 4, "{restored}");
    assert_eq!(restored["restoredFrom"], first["id"]);
    let done = wait_until(
        &app,
        restored["id"].as_str().unwrap(),
        &["COMPLETED", "FAILED"],
    )
    .await;
    assert_eq!(done["state"], "COMPLETED", "{done}");
    assert_eq!(types(&done), types(&first));
    assert_eq!(
        rows(&app, &org, "d", 1).await,
        vec![
            json!({"id": 1, "name": "a", "ward": "north"}),
            json!({"id": 2, "name": "b", "ward": "south"})
        ]
    );
    let listed = graphql_as(
        &app,
        "exporter",
        "query($o: String!) { dataset(organisation: $o, dataset: \"d\") { currentVersion { number } versions { number state } columns { name } } }",
        json!({"o": org}),
    )
    .await;
    let dataset = &listed["data"]["dataset"];
    assert_eq!(dataset["currentVersion"]["number"], 4, "{listed}");
    let states: Vec<&str> = dataset["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        vec!["COMPLETED", "DISCARDED", "COMPLETED", "COMPLETED"]
    );
}
