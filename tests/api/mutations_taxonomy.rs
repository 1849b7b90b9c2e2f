//! Admin mutations of events, taxonomies, terms and taxonomy references, and the
//! admins' `changeLog` connection.

use crate::helpers::{code, fresh};
use crate::mutations::{admin, provider, run};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use signpost::read::Viewer;
use signpost::read::viewer::Role;

fn fields(response: &Value) -> Vec<String> {
    response["errors"][0]["extensions"]["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn id_of(response: &Value, field: &str) -> String {
    response["data"][field]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{field}: {response}"))
        .to_owned()
}

async fn service(db: &DatabaseConnection, owner: &str, name: &str) -> String {
    let response = run(
        db,
        admin(),
        "mutation($input: CreateServiceInput!) { createService(input: $input) { id } }",
        json!({"input": {"providerId": owner, "name": name, "published": true}}),
    )
    .await;
    id_of(&response, "createService")
}

const CREATE_EVENT: &str = "mutation($input: CreateEventInput!) { createEvent(input: $input) { id version title rrule startsAt attendingType service { name } } }";
const UPDATE_EVENT: &str = "mutation($id: ID!, $version: Int!, $input: UpdateEventInput!) { updateEvent(id: $id, version: $version, input: $input) { id version rrule startsAt endsAt } }";

#[tokio::test]
async fn events_check_their_schedule() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Hall").await;
    let club = service(&db, &owner, "Youth club").await;
    let bad = json!({"input": {
        "serviceId": club, "title": " ", "rrule": "FREQ=SOMETIMES",
        "startsAt": "2026-12-03T18:00:00Z", "endsAt": "2026-12-03T17:00:00Z",
        "bookingUrl": "mailto:x@y.org", "venueId": "not-a-uuid",
    }});
    let response = run(&db, admin(), CREATE_EVENT, bad).await;
    assert_eq!(code(&response), "VALIDATION_FAILED", "{response}");
    assert_eq!(
        fields(&response),
        ["venueId", "title", "bookingUrl", "endsAt", "rrule"],
        "{response}"
    );
    let no_start = json!({"input": {"title": "Weekly", "rrule": "FREQ=WEEKLY"}});
    let response = run(&db, admin(), CREATE_EVENT, no_start).await;
    assert_eq!(fields(&response), ["startsAt"], "{response}");

    let good = json!({"input": {
        "serviceId": club, "title": "Thursday session", "rrule": "FREQ=WEEKLY;BYDAY=TH",
        "startsAt": "2026-12-03T18:00:00Z", "endsAt": "2026-12-03T20:00:00Z",
        "attendingType": "IN_PERSON",
    }});
    let response = run(&db, admin(), CREATE_EVENT, good).await;
    let event = &response["data"]["createEvent"];
    assert_eq!(event["service"]["name"], "Youth club", "{response}");
    assert_eq!(event["attendingType"], "IN_PERSON");
    let id = id_of(&response, "createEvent");

    // Clearing the start of a recurring event is refused; clearing both is not.
    let vars = json!({"id": id, "version": 1, "input": {"startsAt": null}});
    let response = run(&db, admin(), UPDATE_EVENT, vars).await;
    assert_eq!(fields(&response), ["startsAt"], "{response}");
    let vars =
        json!({"id": id, "version": 1, "input": {"startsAt": null, "endsAt": null, "rrule": null}});
    let response = run(&db, admin(), UPDATE_EVENT, vars).await;
    let updated = &response["data"]["updateEvent"];
    assert_eq!(
        (updated["version"].clone(), updated["rrule"].clone()),
        (json!(2), Value::Null),
        "{response}"
    );
    let flagged = run(
        &db,
        admin(),
        "mutation($id: ID!) { flagEvent(id: $id) { flagged version } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        flagged["data"]["flagEvent"],
        json!({"flagged": true, "version": 3}),
        "{flagged}"
    );
}

const CREATE_TAXONOMY: &str =
    "mutation($input: CreateTaxonomyInput!) { createTaxonomy(input: $input) { id name } }";
const CREATE_TERM: &str = "mutation($input: CreateTaxonomyTermInput!) { createTaxonomyTerm(input: $input) { id name code parent { name } taxonomy { name } } }";
const UPDATE_TERM: &str = "mutation($id: ID!, $version: Int!, $input: UpdateTaxonomyTermInput!) { updateTaxonomyTerm(id: $id, version: $version, input: $input) { id parent { name } } }";

pub(crate) async fn taxonomy(db: &DatabaseConnection, name: &str) -> String {
    let response = run(
        db,
        admin(),
        CREATE_TAXONOMY,
        json!({"input": {"name": name}}),
    )
    .await;
    id_of(&response, "createTaxonomy")
}

pub(crate) async fn term(
    db: &DatabaseConnection,
    taxonomy: &str,
    parent: Option<&str>,
    name: &str,
) -> String {
    let input = json!({"taxonomyId": taxonomy, "parentId": parent, "name": name, "code": name.to_lowercase()});
    let response = run(db, admin(), CREATE_TERM, json!({"input": input})).await;
    id_of(&response, "createTaxonomyTerm")
}

#[tokio::test]
async fn taxonomies_and_terms_stay_a_tree_with_unique_names_and_codes() {
    let (_t, db) = fresh().await;
    let needs = taxonomy(&db, "Need").await;
    let other = taxonomy(&db, "Category").await;
    let response = run(
        &db,
        admin(),
        CREATE_TAXONOMY,
        json!({"input": {"name": "Need", "uri": "nope"}}),
    )
    .await;
    assert_eq!(fields(&response), ["name", "uri"], "{response}");

    let food = term(&db, &needs, None, "Food").await;
    let meals = term(&db, &needs, Some(&food), "Meals").await;
    let hot = term(&db, &needs, Some(&meals), "Hot").await;
    let elsewhere = term(&db, &other, None, "Sport").await;

    let input = json!({"taxonomyId": needs, "parentId": elsewhere, "name": "Food", "code": "food"});
    let response = run(&db, admin(), CREATE_TERM, json!({"input": input})).await;
    assert_eq!(fields(&response), ["parentId", "code"], "{response}");
    // The same code in another taxonomy is fine.
    let input = json!({"taxonomyId": other, "name": "Food", "code": "food"});
    let response = run(&db, admin(), CREATE_TERM, json!({"input": input})).await;
    assert_eq!(
        response["data"]["createTaxonomyTerm"]["taxonomy"]["name"], "Category",
        "{response}"
    );

    // Food cannot move below its own grandchild, nor below itself.
    for parent in [&hot, &food] {
        let vars = json!({"id": food, "version": 1, "input": {"parentId": parent}});
        let response = run(&db, admin(), UPDATE_TERM, vars).await;
        assert_eq!(fields(&response), ["parentId"], "{response}");
    }
    let vars = json!({"id": hot, "version": 1, "input": {"parentId": food}});
    let response = run(&db, admin(), UPDATE_TERM, vars).await;
    assert_eq!(
        response["data"]["updateTaxonomyTerm"]["parent"]["name"], "Food",
        "{response}"
    );

    // A taxonomy with live terms is deleted only with cascade, terms and all.
    let delete =
        "mutation($id: ID!, $cascade: Boolean) { deleteTaxonomy(id: $id, cascade: $cascade) }";
    let response = run(&db, admin(), delete, json!({"id": needs})).await;
    assert_eq!(code(&response), "CONFLICT", "{response}");
    let response = run(&db, admin(), delete, json!({"id": needs, "cascade": true})).await;
    assert_eq!(
        response["data"]["deleteTaxonomy"],
        json!(needs),
        "{response}"
    );
    let left = run(
        &db,
        admin(),
        "{ taxonomyTerms { nodes { name } } }",
        json!({}),
    )
    .await;
    let mut names: Vec<&str> = left["data"]["taxonomyTerms"]["nodes"]
        .as_array()
        .map(|n| n.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    names.sort();
    assert_eq!(names, ["Food", "Sport"], "{left}");
    // The name is free again once the taxonomy is a tombstone.
    taxonomy(&db, "Need").await;
}

const LINK_TERM: &str = "mutation($term: ID!, $record: ID!, $value: String) { linkTaxonomyTerm(taxonomyTermId: $term, recordId: $record, value: $value) { id value term { name } service { name } provider { name } } }";
const UNLINK_TERM: &str = "mutation($term: ID!, $record: ID!) { unlinkTaxonomyTerm(taxonomyTermId: $term, recordId: $record) }";

#[tokio::test]
async fn terms_tag_any_record_once() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Pantry").await;
    let pantry = service(&db, &owner, "Food bank").await;
    let needs = taxonomy(&db, "Need").await;
    let food = term(&db, &needs, None, "Food").await;

    let response = run(
        &db,
        admin(),
        LINK_TERM,
        json!({"term": food, "record": pantry, "value": "urgent"}),
    )
    .await;
    let tag = &response["data"]["linkTaxonomyTerm"];
    assert_eq!(
        (
            tag["service"]["name"].clone(),
            tag["value"].clone(),
            tag["provider"].clone()
        ),
        (json!("Food bank"), json!("urgent"), Value::Null),
        "{response}"
    );
    let response = run(
        &db,
        admin(),
        LINK_TERM,
        json!({"term": food, "record": owner}),
    )
    .await;
    assert_eq!(
        response["data"]["linkTaxonomyTerm"]["provider"]["name"], "Pantry",
        "{response}"
    );
    let again = run(
        &db,
        admin(),
        LINK_TERM,
        json!({"term": food, "record": pantry}),
    )
    .await;
    assert_eq!(fields(&again), ["taxonomyTermId"], "{again}");
    let nowhere = run(
        &db,
        admin(),
        LINK_TERM,
        json!({"term": owner, "record": needs}),
    )
    .await;
    assert_eq!(
        fields(&nowhere),
        ["taxonomyTermId", "recordId"],
        "{nowhere}"
    );

    // The filter by term finds the tagged service, and stops once it is untagged.
    let tagged =
        "query($t: ID!) { services(filter: {taxonomyTerms: {anyOf: [$t]}}) { nodes { name } } }";
    let response = run(&db, admin(), tagged, json!({"t": food})).await;
    assert_eq!(
        response["data"]["services"]["nodes"],
        json!([{"name": "Food bank"}]),
        "{response}"
    );
    let response = run(
        &db,
        admin(),
        UNLINK_TERM,
        json!({"term": food, "record": pantry}),
    )
    .await;
    assert_eq!(
        response["data"]["unlinkTaxonomyTerm"],
        json!(true),
        "{response}"
    );
    let response = run(&db, admin(), tagged, json!({"t": food})).await;
    assert_eq!(
        response["data"]["services"]["nodes"],
        json!([]),
        "{response}"
    );
    let response = run(
        &db,
        admin(),
        UNLINK_TERM,
        json!({"term": food, "record": pantry}),
    )
    .await;
    assert_eq!(code(&response), "NOT_FOUND", "{response}");

    // createTaxonomyRef takes exactly one target.
    let create =
        "mutation($input: CreateTaxonomyRefInput!) { createTaxonomyRef(input: $input) { id } }";
    let both = json!({"input": {"taxonomyTermId": food, "serviceId": pantry, "providerId": owner}});
    let response = run(&db, admin(), create, both).await;
    assert_eq!(fields(&response), ["serviceId"], "{response}");
    let one = json!({"input": {"taxonomyTermId": food, "serviceId": pantry, "label": "Food"}});
    let response = run(&db, admin(), create, one).await;
    assert!(
        response["data"]["createTaxonomyRef"]["id"].is_string(),
        "{response}"
    );
}

const CHANGE_LOG: &str = "query($first: Int, $after: String, $filter: ChangeLogFilterInput) { changeLog(first: $first, after: $after, filter: $filter) { edges { cursor node { recordType recordId action field oldValue newValue actor } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn admins_page_through_the_change_log() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Logged").await;
    let update = "mutation($id: ID!, $v: Int!, $d: String) { updateProvider(id: $id, version: $v, input: {description: $d}) { version } }";
    for (version, text) in [(1, "first"), (2, "second"), (3, "third")] {
        run(
            &db,
            admin(),
            update,
            json!({"id": owner, "v": version, "d": text}),
        )
        .await;
    }
    for role in [Role::Anonymous, Role::Reader, Role::Exporter] {
        let response = run(&db, Viewer::with_role(role), CHANGE_LOG, json!({})).await;
        assert_eq!(code(&response), "FORBIDDEN", "{role:?}");
    }
    let filter = json!({"recordType": "PROVIDERS", "recordId": owner});
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let response = run(
            &db,
            admin(),
            CHANGE_LOG,
            json!({"first": 2, "after": after, "filter": filter}),
        )
        .await;
        let page = &response["data"]["changeLog"];
        let edges = page["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{response}"));
        seen.extend(edges.iter().map(|edge| edge["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    // Newest first: the three description changes, then the create's fields.
    let descriptions: Vec<(Value, Value)> = seen
        .iter()
        .filter(|entry| entry["field"] == "description")
        .map(|entry| (entry["oldValue"].clone(), entry["newValue"].clone()))
        .collect();
    assert_eq!(
        descriptions,
        [
            (json!("second"), json!("third")),
            (json!("first"), json!("second")),
            (Value::Null, json!("first")),
        ]
    );
    assert_eq!(
        seen.last().map(|e| e["action"].clone()),
        Some(json!("CREATE"))
    );
    assert!(
        seen.iter()
            .all(|e| e["actor"] == "admin@example.org" && e["recordId"] == json!(owner))
    );
    let none = run(
        &db,
        admin(),
        CHANGE_LOG,
        json!({"filter": {"actor": "someone-else"}}),
    )
    .await;
    assert_eq!(none["data"]["changeLog"]["edges"], json!([]), "{none}");
    let bad = run(&db, admin(), CHANGE_LOG, json!({"after": "garbage"})).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
}
