//! `importCsv` over HTTP as an admin's browser sends it (a GraphQL multipart
//! request with a real token), the import history, `restoreImport`, and roles.

use crate::helpers::{TestApp, token};
use serde_json::{Value, json};

const P1: &str = "0190a000-0000-7000-8000-000000000001";
const P2: &str = "0190a000-0000-7000-8000-000000000002";

/// A GraphQL multipart request (the spec's `operations`, `map` and one file).
pub async fn upload(
    app: &TestApp,
    role: &str,
    query: &str,
    variables: Value,
    name: &str,
    content: &[u8],
) -> Value {
    let boundary = "signpost-test-boundary-7MA4YWxkTrZu0gW";
    let operations = json!({"query": query, "variables": variables}).to_string();
    let mut body = Vec::new();
    let mut part = |headers: &str, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"operations\"",
        operations.as_bytes(),
    );
    part(
        "Content-Disposition: form-data; name=\"map\"",
        br#"{"0": ["variables.file"]}"#,
    );
    part(
        &format!(
            "Content-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: text/csv"
        ),
        content,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    app.client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {}", token(role)))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

async fn query(app: &TestApp, role: &str, query: &str, variables: Value) -> Value {
    app.client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {}", token(role)))
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

const IMPORT: &str = "mutation($file: Upload!, $dryRun: Boolean, $type: RecordType) { importCsv(file: $file, dryRun: $dryRun, recordType: $type) { id state dryRun rowsTotal rowsInserted rowsUpdated rowsRejected errors { row column message } warnings { message } preview } }";

#[tokio::test]
async fn admins_import_files_over_http_and_see_the_history() {
    let app = crate::helpers::spawn_app().await;
    let csv = format!("id,name,published,program_id\n{P1},Food Bank,true,x\n{P2},Advice,true,y\n");

    let preview = upload(
        &app,
        "admin",
        IMPORT,
        json!({"file": null, "dryRun": true}),
        "organizations.csv",
        csv.as_bytes(),
    )
    .await;
    let import = &preview["data"]["importCsv"];
    assert_eq!(
        (import["state"].clone(), import["dryRun"].clone()),
        (json!("VALIDATED"), json!(true)),
        "{preview}"
    );
    assert_eq!(
        import["preview"][0]["sample"][0]["name"], "Food Bank",
        "{preview}"
    );
    assert!(
        import["warnings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("program_id"))
    );

    let done = upload(
        &app,
        "admin",
        IMPORT,
        json!({"file": null}),
        "organizations.csv",
        csv.as_bytes(),
    )
    .await;
    let import = &done["data"]["importCsv"];
    assert_eq!(
        (import["state"].clone(), import["rowsInserted"].clone()),
        (json!("COMPLETED"), json!(2)),
        "{done}"
    );
    let id = import["id"].as_str().expect("id").to_owned();
    let listed = query(
        &app,
        "reader",
        "{ providers { nodes { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        listed["data"]["providers"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{listed}"
    );

    let bad = format!("id,provider_id,name\nnot-a-uuid,{P1},X\n");
    let refused = upload(
        &app,
        "admin",
        IMPORT,
        json!({"file": null, "type": "SERVICES"}),
        "upload.csv",
        bad.as_bytes(),
    )
    .await;
    let import = &refused["data"]["importCsv"];
    assert_eq!(import["state"], "FAILED", "{refused}");
    assert_eq!(
        import["errors"][0],
        json!({"row": 2, "column": "id", "message": "\"not-a-uuid\" is not a UUID"})
    );

    let forbidden = upload(
        &app,
        "reader",
        IMPORT,
        json!({"file": null}),
        "organizations.csv",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(
        forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden}"
    );
    let hidden = query(
        &app,
        "exporter",
        "{ imports { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        hidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{hidden}"
    );

    let history = query(&app, "admin", "{ imports(first: 2) { edges { node { state dryRun fileName } } pageInfo { hasNextPage endCursor } } }", json!({})).await;
    let edges = history["data"]["imports"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 2, "{history}");
    assert_eq!(
        edges[0]["node"]["state"], "FAILED",
        "newest first: {history}"
    );
    assert_eq!(history["data"]["imports"]["pageInfo"]["hasNextPage"], true);
    let completed = query(
        &app,
        "admin",
        "{ imports(filter: {state: COMPLETED}) { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        completed["data"]["imports"]["edges"][0]["node"]["id"],
        json!(id),
        "{completed}"
    );

    // Restoring re-applies the stored file on purpose: an edit made since is undone.
    let rename = "mutation($id: ID!) { updateProvider(id: $id, version: 1, input: {name: \"Renamed\"}) { name } }";
    query(&app, "admin", rename, json!({"id": P1})).await;
    let restored = query(
        &app,
        "admin",
        "mutation($id: ID!) { restoreImport(id: $id) { state restoredFrom rowsUpdated } }",
        json!({"id": id}),
    )
    .await;
    let import = &restored["data"]["restoreImport"];
    assert_eq!(
        (
            import["state"].clone(),
            import["restoredFrom"].clone(),
            import["rowsUpdated"].clone()
        ),
        (json!("COMPLETED"), json!(id), json!(1)),
        "{restored}"
    );
    let one = query(
        &app,
        "admin",
        "query($id: ID!) { provider(id: $id) { name version } }",
        json!({"id": P1}),
    )
    .await;
    assert_eq!(
        one["data"]["provider"],
        json!({"name": "Food Bank", "version": 3}),
        "{one}"
    );
}
