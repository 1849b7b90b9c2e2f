//! `confirmImport`: a validated dry run applied once, however often (and from
//! however many requests at once) it is confirmed; `Import.confirms` and
//! `confirmedBy`; and what is refused, with why.

use super::{CONFIRM, P1, P2, P3, admin, count, import};
use crate::helpers::{code, graphql_as, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn a_validated_dry_run_is_confirmed_once() {
    let app = spawn_app().await;
    let csv = format!("id,name\n{P1},Food Bank\n{P2},Advice Centre\n");
    let dry = import(&app, &csv, true).await;
    assert_eq!(
        (dry["state"].clone(), dry["dryRun"].clone()),
        (json!("VALIDATED"), json!(true)),
        "{dry}"
    );
    let dry_id = dry["id"].clone();
    assert_eq!(
        count(&app, "providers").await,
        0,
        "a dry run writes nothing"
    );

    let confirmed = admin(&app, CONFIRM, json!({"id": dry_id})).await;
    let made = &confirmed["data"]["confirmImport"];
    assert_eq!(made["state"], "COMPLETED", "{confirmed}");
    assert_eq!(made["dryRun"], false);
    assert_eq!(made["rowsInserted"], 2);
    assert_eq!(made["confirms"], dry_id);
    assert_eq!(made["confirmedBy"], Value::Null);
    assert_ne!(made["id"], dry_id);
    assert_eq!(count(&app, "providers").await, 2);
    assert_eq!(count(&app, "imports").await, 2);

    let again = admin(&app, CONFIRM, json!({"id": dry_id})).await;
    assert_eq!(
        again["data"]["confirmImport"]["id"], made["id"],
        "the same import: {again}"
    );
    assert_eq!(count(&app, "imports").await, 2, "no second import");
    let shown = admin(
        &app,
        "query($id: ID!) { import(id: $id) { confirms confirmedBy } }",
        json!({"id": dry_id}),
    )
    .await;
    assert_eq!(
        shown["data"]["import"],
        json!({"confirms": null, "confirmedBy": made["id"]}),
        "{shown}"
    );

    // Two confirmations at once (a retry racing the first) make one import.
    let csv = format!("id,name\n{P3},Library\n");
    let dry = import(&app, &csv, true).await;
    let (one, two) = tokio::join!(
        admin(&app, CONFIRM, json!({"id": dry["id"]})),
        admin(&app, CONFIRM, json!({"id": dry["id"]})),
    );
    assert_eq!(
        one["data"]["confirmImport"]["id"], two["data"]["confirmImport"]["id"],
        "{one} {two}"
    );
    assert!(one["data"]["confirmImport"]["id"].is_string(), "{one}");
    assert_eq!(
        count(&app, "imports").await,
        4,
        "two dry runs, two confirmations"
    );
    assert_eq!(count(&app, "providers").await, 3);
}

#[tokio::test]
async fn confirming_what_is_not_a_validated_dry_run_is_refused() {
    let app = spawn_app().await;
    let applied = import(&app, &format!("id,name\n{P1},Food Bank\n"), false).await;
    assert_eq!(applied["state"], "COMPLETED", "{applied}");
    let body = admin(&app, CONFIRM, json!({"id": applied["id"]})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("is not a dry run"), "{message}");

    let failed = import(&app, "id,name\nnot-a-uuid,Food Bank\n", true).await;
    assert_eq!(failed["state"], "FAILED", "{failed}");
    let body = admin(&app, CONFIRM, json!({"id": failed["id"]})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("is a dry run that FAILED: fix the file and upload it again"),
        "{message}"
    );

    let body = admin(&app, CONFIRM, json!({"id": P3})).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let dry = import(&app, &format!("id,name\n{P2},Advice\n"), true).await;
    let body = graphql_as(&app, "reader", CONFIRM, json!({"id": dry["id"]})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert_eq!(count(&app, "imports").await, 3, "nothing was confirmed");
}

#[tokio::test]
async fn a_second_import_confirming_the_same_dry_run_is_refused_by_the_database() {
    let (_test_db, db) = crate::helpers::fresh().await;
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let options = signpost::import::ImportOptions {
        confirms: Some(uuid::Uuid::now_v7()),
        ..Default::default()
    };
    let submit = || {
        signpost::import::run::submit(
            &db,
            &store,
            "organizations.csv",
            signpost::store::body_of(format!("id,name\n{P1},Food Bank\n").into_bytes()),
            &options,
            None,
        )
    };
    let first = submit().await.expect("the first confirmation");
    let lost = submit()
        .await
        .expect_err("a second import of the same dry run");
    assert!(signpost::import::confirm::lost_race(&lost), "{lost}");
    let stored = signpost::store::list_all(store.as_ref(), "imports/")
        .await
        .expect("list");
    assert_eq!(
        stored
            .iter()
            .map(|meta| meta.key.to_string())
            .collect::<Vec<_>>(),
        vec![first.object_key],
        "the loser's file is not kept"
    );
}
