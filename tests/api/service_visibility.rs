//! `services.visible` and `venues.visible`, kept by triggers, say what the visibility
//! rule says after every kind of write — creating services and venues, publishing and
//! withdrawing a service or its provider, linking a venue to a service and unlinking
//! it, CSV imports that insert and update them, tombstones with their cascades, and
//! the demo loader — and anonymous callers see exactly those records. The rules are
//! spelled out here as the `EXISTS` they replaced.

use crate::helpers::{TestApp, graphql_as, spawn_app};
use crate::import_http::upload;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use signpost::demo::{self, DemoOptions};

const RULE: &str = "s.published = TRUE AND s.deleted_at IS NULL AND EXISTS (SELECT 1 FROM providers p \
     WHERE p.id = s.provider_id AND p.published = TRUE AND p.deleted_at IS NULL)";

/// The venue rule, over `s` as the venue (so [`agrees`] can use one alias).
const VENUE_RULE: &str = "s.deleted_at IS NULL AND (EXISTS (SELECT 1 FROM providers p \
     WHERE p.id = s.provider_id AND p.published = TRUE AND p.deleted_at IS NULL) \
     OR EXISTS (SELECT 1 FROM service_venues sv JOIN services sr ON sr.id = sv.service_id \
     WHERE sv.venue_id = s.id AND sv.deleted_at IS NULL AND sr.published = TRUE \
     AND sr.deleted_at IS NULL AND EXISTS (SELECT 1 FROM providers sp WHERE sp.id = sr.provider_id \
     AND sp.published = TRUE AND sp.deleted_at IS NULL)))";

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("a row");
    row.try_get("", "n").expect("n")
}

/// Asserts `table.visible` agrees with `rule` on every row and the public sees what
/// the rule allows; returns how many records that is.
async fn agrees(app: &TestApp, step: &str, table: &str, rule: &str) -> i64 {
    let stale = count(
        &app.db,
        &format!(
            "SELECT COUNT(*) AS n FROM {table} s WHERE \
             (CASE WHEN s.visible THEN 1 ELSE 0 END) <> (CASE WHEN {rule} THEN 1 ELSE 0 END)"
        ),
    )
    .await;
    assert_eq!(
        stale, 0,
        "after {step}: {table}.visible disagrees with the rule"
    );
    let by_rule = count(
        &app.db,
        &format!("SELECT COUNT(*) AS n FROM {table} s WHERE {rule}"),
    )
    .await;
    let public = app
        .graphql(&format!("{{ {table} {{ totalCount }} }}"), json!({}))
        .await;
    assert_eq!(
        public["data"][table]["totalCount"].as_i64(),
        Some(by_rule),
        "after {step}: {public}"
    );
    by_rule
}

/// Checks both columns; returns how many services the public sees.
async fn check(app: &TestApp, step: &str) -> i64 {
    agrees(app, step, "venues", VENUE_RULE).await;
    agrees(app, step, "services", RULE).await
}

/// Checks both columns; returns how many venues the public sees.
async fn venues_seen(app: &TestApp, step: &str) -> i64 {
    agrees(app, step, "services", RULE).await;
    agrees(app, step, "venues", VENUE_RULE).await
}

async fn admin(app: &TestApp, query: &str, variables: Value) -> Value {
    let response = graphql_as(app, "admin", query, variables).await;
    assert!(response.get("errors").is_none(), "{query}: {response}");
    response["data"].clone()
}

async fn by_id(app: &TestApp, mutation: &str, id: &str) {
    admin(
        app,
        &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id }} }}"),
        json!({ "id": id }),
    )
    .await;
}

const IMPORT: &str =
    "mutation($file: Upload!) { importCsv(file: $file) { state errors { message } } }";

async fn import(app: &TestApp, name: &str, csv: &str) {
    let done = upload(
        app,
        "admin",
        IMPORT,
        json!({"file": null}),
        name,
        csv.as_bytes(),
    )
    .await;
    assert_eq!(done["data"]["importCsv"]["state"], "COMPLETED", "{done}");
}

const P2: &str = "0190b000-0000-7000-8000-000000000002";
const S3: &str = "0190b000-0000-7000-8000-000000000003";
const S4: &str = "0190b000-0000-7000-8000-000000000004";
const V5: &str = "0190b000-0000-7000-8000-000000000005";
const V6: &str = "0190b000-0000-7000-8000-000000000006";
const SV7: &str = "0190b000-0000-7000-8000-000000000007";
const S8: &str = "0190b000-0000-7000-8000-000000000008";
const P9: &str = "0190b000-0000-7000-8000-000000000009";

#[tokio::test]
async fn the_visible_column_follows_every_write() {
    let app = spawn_app().await;
    let created = admin(
        &app,
        "mutation { createProvider(input: {name: \"Hidden Trust\", published: false}) { id } }",
        json!({}),
    )
    .await;
    let provider = created["createProvider"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let create_service =
        "mutation($input: CreateServiceInput!) { createService(input: $input) { id } }";
    let first = admin(
        &app,
        create_service,
        json!({"input": {"providerId": provider, "name": "Lunch Club", "published": true}}),
    )
    .await;
    let s1 = first["createService"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        check(&app, "a published service of an unpublished provider").await,
        0
    );

    by_id(&app, "publishProvider", &provider).await;
    assert_eq!(check(&app, "publishing its provider").await, 1);

    let second = admin(
        &app,
        create_service,
        json!({"input": {"providerId": provider, "name": "Youth Club", "published": false}}),
    )
    .await;
    let s2 = second["createService"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(check(&app, "an unpublished service").await, 1);
    by_id(&app, "publishService", &s2).await;
    assert_eq!(check(&app, "publishing it").await, 2);
    by_id(&app, "unpublishService", &s1).await;
    assert_eq!(check(&app, "withdrawing a service").await, 1);
    by_id(&app, "unpublishProvider", &provider).await;
    assert_eq!(check(&app, "withdrawing the provider").await, 0);
    by_id(&app, "publishProvider", &provider).await;
    assert_eq!(check(&app, "publishing it again").await, 1);

    // Venues: one of the (published) provider, one of nobody, linked to a service.
    let create_venue = "mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }";
    let own = admin(
        &app,
        create_venue,
        json!({"input": {"providerId": provider, "name": "Trust Office"}}),
    )
    .await;
    let own = own["createVenue"]["id"].as_str().expect("id").to_owned();
    let hall = admin(
        &app,
        create_venue,
        json!({"input": {"name": "Community Hall"}}),
    )
    .await;
    let hall = hall["createVenue"]["id"].as_str().expect("id").to_owned();
    assert_eq!(venues_seen(&app, "creating venues").await, 1);
    let link = "mutation($s: ID!, $v: ID!) { linkServiceVenue(serviceId: $s, venueId: $v) }";
    admin(&app, link, json!({"s": s1, "v": hall})).await;
    assert_eq!(
        venues_seen(&app, "linking a hidden service to a venue").await,
        1
    );
    admin(&app, link, json!({"s": s2, "v": hall})).await;
    assert_eq!(
        venues_seen(&app, "linking a visible service to it").await,
        2
    );
    by_id(&app, "unpublishService", &s2).await;
    assert_eq!(venues_seen(&app, "withdrawing that service").await, 1);
    by_id(&app, "publishService", &s2).await;
    assert_eq!(venues_seen(&app, "publishing it again").await, 2);
    admin(
        &app,
        "mutation($s: ID!, $v: ID!) { unlinkServiceVenue(serviceId: $s, venueId: $v) }",
        json!({"s": s2, "v": hall}),
    )
    .await;
    assert_eq!(venues_seen(&app, "unlinking it").await, 1);
    admin(&app, link, json!({"s": s2, "v": hall})).await;
    by_id(&app, "unpublishProvider", &provider).await;
    assert_eq!(
        venues_seen(&app, "withdrawing the provider of both").await,
        0
    );
    by_id(&app, "publishProvider", &provider).await;
    assert_eq!(venues_seen(&app, "publishing it again").await, 2);
    admin(
        &app,
        "mutation($id: ID!) { deleteVenue(id: $id, cascade: true) }",
        json!({ "id": own }),
    )
    .await;
    assert_eq!(venues_seen(&app, "deleting a venue").await, 1);

    import(
        &app,
        "providers.csv",
        &format!("id,name,published\n{P2},Open Trust,true\n"),
    )
    .await;
    import(
        &app,
        "services.csv",
        &format!(
            "id,provider_id,name,published\n{S3},{P2},Warm Space,true\n{S4},{provider},Repair Cafe,false\n"
        ),
    )
    .await;
    assert_eq!(check(&app, "importing services").await, 2);
    import(
        &app,
        "services.csv",
        &format!("id,provider_id,name,published\n{S4},{provider},Repair Cafe,true\n"),
    )
    .await;
    assert_eq!(check(&app, "an import publishing a service").await, 3);
    // On PostgreSQL an import writes the flag set-wise: a file without the
    // published column keeps the stored value on update and the default on insert,
    // and a service moved to a hidden provider by a file is hidden.
    import(
        &app,
        "services.csv",
        &format!("id,provider_id,name\n{S4},{provider},Repair Cafe Plus\n{S8},{P2},Tool Library\n"),
    )
    .await;
    assert_eq!(
        check(&app, "an import without the published column").await,
        3
    );
    import(
        &app,
        "providers.csv",
        &format!("id,name,published\n{P9},Closed Trust,false\n"),
    )
    .await;
    import(
        &app,
        "services.csv",
        &format!("id,provider_id,name,published\n{S3},{P9},Warm Space,true\n"),
    )
    .await;
    assert_eq!(
        check(&app, "an import moving a service to a hidden provider").await,
        2
    );
    import(
        &app,
        "services.csv",
        &format!("id,provider_id,name,published\n{S3},{P2},Warm Space,true\n"),
    )
    .await;
    assert_eq!(check(&app, "an import moving it back").await, 3);
    import(
        &app,
        "providers.csv",
        &format!("id,name,published\n{P2},Open Trust,false\n"),
    )
    .await;
    assert_eq!(check(&app, "an import withdrawing a provider").await, 2);
    import(
        &app,
        "venues.csv",
        &format!("id,provider_id,name\n{V5},{P2},Warm Space Hall\n{V6},,Repair Shed\n"),
    )
    .await;
    import(
        &app,
        "service_venues.csv",
        &format!("id,service_id,venue_id\n{SV7},{S4},{V6}\n"),
    )
    .await;
    assert_eq!(venues_seen(&app, "importing venues and a link").await, 2);
    import(
        &app,
        "venues.csv",
        &format!("id,name\n{V5},Warm Space Annex\n"),
    )
    .await;
    assert_eq!(
        venues_seen(&app, "a venue import without the provider column").await,
        2
    );
    import(
        &app,
        "venues.csv",
        &format!("id,provider_id,name\n{V5},{provider},Warm Space Annex\n"),
    )
    .await;
    assert_eq!(
        venues_seen(&app, "an import moving a venue to a shown provider").await,
        3
    );

    admin(
        &app,
        "mutation($id: ID!) { deleteProvider(id: $id, cascade: true) }",
        json!({ "id": provider }),
    )
    .await;
    assert_eq!(
        check(&app, "deleting a provider with its services").await,
        0
    );

    demo::load(&app.db, &DemoOptions::new(40, 3))
        .await
        .expect("demo data");
    assert!(check(&app, "the demo loader").await > 0);
}
