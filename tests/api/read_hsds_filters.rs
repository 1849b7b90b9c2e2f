//! Services found by their HSDS objects: open at a time (schedules, in London time
//! across the clock change and across midnight), by language, by accessibility.
//! The data is the HSDS fixture package (`tests/fixtures/hsds/package`).

use crate::helpers::{TestApp, TestDb};
use serde_json::{Value, json};
use signpost::import::{ImportOptions, import_file};
use signpost::store::Store;
use std::io::Write;
use std::sync::Arc;

async fn directory() -> TestApp {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds/package");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for entry in std::fs::read_dir(&dir).expect("fixture") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            writer
                .start_file(name, zip::write::SimpleFileOptions::default())
                .expect("member");
            writer
                .write_all(&std::fs::read(&path).expect("read"))
                .expect("write");
        }
    }
    let zip = writer.finish().expect("zip").into_inner();
    let options = ImportOptions {
        publish: true,
        ..Default::default()
    };
    let outcome = import_file(
        &db,
        &store,
        "hsds.zip",
        signpost::store::body_of(zip),
        &options,
        None,
    )
    .await
    .expect("import");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    TestApp::over(test_db, |_| {}).await
}

async fn names(app: &TestApp, filter: Value) -> Vec<String> {
    let response = app
        .graphql(
            "query ($filter: ServiceFilter) { services(filter: $filter) { nodes { name } } }",
            json!({ "filter": filter }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    response["data"]["services"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|node| node["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn open_at_reads_schedules_in_london_time() {
    let app = directory().await;
    let open = |at: &str| names(&app, json!({ "openAt": at }));
    // Monday 10:00 GMT: Debt Advice's own Monday-to-Wednesday hours.
    assert_eq!(open("2024-03-04T10:00:00Z").await, ["Debt Advice"]);
    // Tuesday 08:30 UTC is 09:30 in summer time: open (in UTC it would not be).
    assert_eq!(open("2024-07-02T08:30:00Z").await, ["Debt Advice"]);
    // Tuesday 16:30 UTC is 17:30 BST: closed.
    assert_eq!(open("2024-07-02T16:30:00Z").await, Vec::<String>::new());
    // Saturday 03:00: the night shelter opened on Friday at 22:00 and closes at 06:00.
    assert_eq!(open("2024-12-07T03:00:00Z").await, ["Night Shelter"]);
    // Saturday 23:00: Saturday's own night.
    assert_eq!(open("2024-12-07T23:00:00Z").await, ["Night Shelter"]);
    // Thursday 23:00: no night on Thursday, and Wednesday's did not run overnight.
    assert_eq!(open("2024-12-05T23:00:00Z").await, Vec::<String>::new());
    // Outside the schedules' validity (2026): nothing.
    assert_eq!(open("2026-03-02T10:00:00Z").await, Vec::<String>::new());
    // `not` of openAt: the others.
    let closed = names(&app, json!({ "not": { "openAt": "2024-03-04T10:00:00Z" } })).await;
    assert_eq!(closed, ["Night Shelter", "Warm Space Drop-in"]);
    // openNow runs (the fixture's schedules end before today's date).
    assert_eq!(
        names(&app, json!({ "openNow": true })).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn language_and_accessibility_find_services_and_their_venues() {
    let app = directory().await;
    assert_eq!(
        names(&app, json!({ "language": "EN" })).await,
        ["Debt Advice"]
    );
    assert_eq!(
        names(&app, json!({ "language": "urdu" })).await,
        ["Night Shelter", "Warm Space Drop-in"]
    );
    assert_eq!(
        names(&app, json!({ "language": "bfi" })).await,
        ["Night Shelter"]
    );
    assert_eq!(
        names(&app, json!({ "accessibility": "Hearing LOOP" })).await,
        ["Debt Advice"]
    );
    assert_eq!(
        names(&app, json!({ "accessibility": "ramp" })).await,
        ["Night Shelter", "Warm Space Drop-in"]
    );
    assert_eq!(
        names(&app, json!({ "accessibility": "100%" })).await,
        Vec::<String>::new()
    );
    let response = app
        .graphql(
            "{ services(filter: { language: \"  \" }) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        crate::helpers::code(&response),
        "BAD_USER_INPUT",
        "{response}"
    );
}

#[tokio::test]
async fn service_area_finds_services_whose_geojson_area_covers_a_place() {
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let app = directory().await;
    let covering = |filter: Value| names(&app, json!({ "serviceArea": filter }));
    // Debt Advice covers the Leeds district rectangle; the night shelter's area is
    // text ("in or near the city centre"), which covers no point.
    assert_eq!(
        covering(json!({"latitude": 53.8, "longitude": -1.55})).await,
        ["Debt Advice"]
    );
    // On the boundary counts as inside.
    assert_eq!(
        covering(json!({"latitude": 53.7, "longitude": -1.55})).await,
        ["Debt Advice"]
    );
    assert_eq!(
        covering(json!({"latitude": 51.5, "longitude": -0.12})).await,
        Vec::<String>::new()
    );

    // A postcode is looked up in the postcode directory.
    let row = entities::postcodes::ActiveModel {
        postcode: Set("LS13ED".into()),
        latitude: Set(Some(53.8)),
        longitude: Set(Some(-1.548)),
        terminated: Set(false),
        source_file: Set(None),
        updated_at: Set(chrono::Utc::now()),
    };
    entities::postcodes::Entity::insert(row)
        .exec_without_returning(&app.db)
        .await
        .expect("postcode");
    assert_eq!(
        covering(json!({"postcode": "ls1 3ed"})).await,
        ["Debt Advice"]
    );
    // Combined with the other conditions.
    assert_eq!(
        names(
            &app,
            json!({"serviceArea": {"postcode": "LS1 3ED"}, "name": {"eq": "Night Shelter"}})
        )
        .await,
        Vec::<String>::new()
    );

    // Bad places are refused, naming the field.
    let query = "query ($filter: ServiceFilter) { services(filter: $filter) { nodes { name } } }";
    for (filter, field) in [
        (
            json!({"serviceArea": {"postcode": "ZZ9 9ZZ"}}),
            "filter.serviceArea.postcode",
        ),
        (
            json!({"serviceArea": {"latitude": 91, "longitude": 0}}),
            "filter.serviceArea.latitude",
        ),
        (
            json!({"serviceArea": {"latitude": 53.8}}),
            "filter.serviceArea",
        ),
        (
            json!({"or": [{"serviceArea": {"latitude": 53.8, "longitude": -1.55}}]}),
            "filter.or[0].serviceArea",
        ),
    ] {
        let response = app.graphql(query, json!({ "filter": filter })).await;
        assert_eq!(
            crate::helpers::code(&response),
            "BAD_USER_INPUT",
            "{response}"
        );
        assert!(response.to_string().contains(field), "{field}: {response}");
    }
}

#[tokio::test]
async fn open_at_follows_every_nth_week_and_month() {
    let app = directory().await;
    let debt_advice = "b0079efc-6cba-45a0-ad4b-d7a9e631de9a";
    let create = "mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }";
    for input in [
        // Every other Thursday evening from Thursday 7 March 2024.
        json!({"serviceId": debt_advice, "freq": "WEEKLY", "interval": 2, "byday": "TH",
               "dtstart": "2024-03-07", "opensAt": "18:00", "closesAt": "20:00"}),
        // The 15th, every third month from January 2024 (anchored by validFrom).
        json!({"serviceId": debt_advice, "freq": "MONTHLY", "interval": 3, "bymonthday": "15",
               "validFrom": "2024-01-15", "opensAt": "20:00", "closesAt": "21:00"}),
    ] {
        let response =
            crate::helpers::graphql_as(&app, "admin", create, json!({ "input": input })).await;
        assert!(response.get("errors").is_none(), "{response}");
    }
    let open = |at: &str| names(&app, json!({ "openAt": at }));
    // Thursdays (GMT): the 7th and 21st of March, not the 14th or 28th.
    assert_eq!(open("2024-03-07T18:30:00Z").await, ["Debt Advice"]);
    assert_eq!(open("2024-03-14T18:30:00Z").await, Vec::<String>::new());
    assert_eq!(open("2024-03-21T18:30:00Z").await, ["Debt Advice"]);
    assert_eq!(open("2024-03-28T18:30:00Z").await, Vec::<String>::new());
    // Across the year end: week 42 from the anchor (Thursday 26 December).
    assert_eq!(open("2024-12-26T18:30:00Z").await, ["Debt Advice"]);
    assert_eq!(open("2025-01-02T18:30:00Z").await, Vec::<String>::new());
    // The 15th of April and of July (20:30 BST), not of May or June.
    assert_eq!(open("2024-04-15T19:30:00Z").await, ["Debt Advice"]);
    assert_eq!(open("2024-05-15T19:30:00Z").await, Vec::<String>::new());
    assert_eq!(open("2024-06-15T19:30:00Z").await, Vec::<String>::new());
    assert_eq!(open("2024-07-15T19:30:00Z").await, ["Debt Advice"]);
}
