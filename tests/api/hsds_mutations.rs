//! Admin mutations of the HSDS objects (phones, opening hours, addresses, services
//! at venues, …): every problem of an input named by field at once, by the same
//! rules as their CSV files; versions and conflicts; patches; tombstones guarded by
//! live children and cascaded; the change log; and what the public then reads.

use crate::helpers::{code, execute, execute_as, fresh};
use crate::mutations::{admin, provider};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use signpost::read::Viewer;
use signpost::read::viewer::Role;

/// The `data.<field>` of an admin mutation, or a panic showing the response.
async fn ok(db: &DatabaseConnection, query: &str, field: &str, vars: Value) -> Value {
    let response = execute_as(db, admin(), query, vars).await;
    let data = response["data"][field].clone();
    assert!(!data.is_null(), "{response}");
    data
}

/// The fields a `VALIDATION_FAILED` response names, in order.
fn fields(response: &Value) -> Vec<String> {
    assert_eq!(code(response), "VALIDATION_FAILED", "{response}");
    response["errors"][0]["extensions"]["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A published provider and service and a venue, the service offered at the venue.
struct Directory {
    service: String,
    venue: String,
    at_location: String,
}

async fn directory(db: &DatabaseConnection) -> Directory {
    let owner = provider(db, "Owner").await;
    let service = ok(
        db,
        "mutation($input: CreateServiceInput!) { createService(input: $input) { id } }",
        "createService",
        json!({"input": {"providerId": owner, "name": "Advice", "published": true}}),
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let venue = ok(
        db,
        "mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }",
        "createVenue",
        json!({"input": {"name": "Library"}}),
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let at_location = ok(
        db,
        "mutation($input: CreateServiceAtLocationInput!) { createServiceAtLocation(input: $input) { id } }",
        "createServiceAtLocation",
        json!({"input": {"serviceId": service, "venueId": venue, "description": "Tuesdays only"}}),
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Directory {
        service,
        venue,
        at_location,
    }
}

const CREATE_PHONE: &str = "mutation($input: CreatePhoneInput!) { createPhone(input: $input) { id number extension type version } }";
const UPDATE_PHONE: &str = "mutation($id: ID!, $version: Int!, $input: UpdatePhoneInput!) { updatePhone(id: $id, version: $version, input: $input) { id number extension type version } }";
const CREATE_SCHEDULE: &str = "mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id freq byday opensAt closesAt } }";

#[tokio::test]
async fn objects_made_by_mutations_are_read_from_their_parents() {
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    ok(
        &db,
        CREATE_PHONE,
        "createPhone",
        json!({"input": {"serviceVenueId": d.at_location, "number": "0113 496 0000", "type": "Voice"}}),
    )
    .await;
    let schedule = ok(
        &db,
        CREATE_SCHEDULE,
        "createSchedule",
        json!({"input": {"serviceVenueId": d.at_location, "freq": "weekly", "byday": "TU", "opensAt": "09:30", "closesAt": "12:00"}}),
    )
    .await;
    // Enumerations are stored in their one spelling, as an import stores them.
    assert_eq!(schedule["freq"], json!("WEEKLY"), "{schedule}");
    ok(
        &db,
        "mutation($input: CreateContactInput!) { createContact(input: $input) { id } }",
        "createContact",
        json!({"input": {"serviceVenueId": d.at_location, "name": "Duty adviser"}}),
    )
    .await;
    ok(
        &db,
        "mutation($input: CreateAddressInput!) { createAddress(input: $input) { id } }",
        "createAddress",
        json!({"input": {"venueId": d.venue, "address1": "1 Calverley St", "city": "Leeds", "postalCode": "LS1 3ED"}}),
    )
    .await;
    for (query, field, input) in [
        (
            "mutation($input: CreateLanguageInput!) { createLanguage(input: $input) { id } }",
            "createLanguage",
            json!({"serviceId": d.service, "name": "Polish", "code": "pl"}),
        ),
        (
            "mutation($input: CreateServiceAreaInput!) { createServiceArea(input: $input) { id } }",
            "createServiceArea",
            json!({"serviceId": d.service, "name": "Leeds", "extentType": "text", "extent": "Leeds district"}),
        ),
        (
            "mutation($input: CreateRequiredDocumentInput!) { createRequiredDocument(input: $input) { id } }",
            "createRequiredDocument",
            json!({"serviceId": d.service, "document": "Proof of address"}),
        ),
        (
            "mutation($input: CreateFundingInput!) { createFunding(input: $input) { id } }",
            "createFunding",
            json!({"serviceId": d.service, "source": "Council grant"}),
        ),
        (
            "mutation($input: CreateAccessibilityInput!) { createAccessibility(input: $input) { id } }",
            "createAccessibility",
            json!({"venueId": d.venue, "description": "Step-free entrance"}),
        ),
    ] {
        ok(&db, query, field, json!({"input": input})).await;
    }

    // The public sees them through the published service.
    let query = r#"query($id: ID!) { node(id: $id) { ... on Service {
        languages { nodes { code } } serviceAreas { nodes { extent } }
        requiredDocuments { nodes { document } } funding { nodes { source } }
        serviceAtLocations { nodes { description
            location { name postalCode city accessibilityFeatures { nodes { description } } }
            phones { nodes { number type } }
            schedules { nodes { byday opensAt closesAt } }
            contacts { nodes { name serviceAtLocation { description } } } } } } } }"#;
    let response = execute(&db, query, json!({"id": d.service})).await;
    let service = &response["data"]["node"];
    assert_eq!(
        service["languages"]["nodes"][0]["code"],
        json!("pl"),
        "{response}"
    );
    assert_eq!(
        service["serviceAreas"]["nodes"][0]["extent"],
        json!("Leeds district")
    );
    assert_eq!(
        service["requiredDocuments"]["nodes"][0]["document"],
        json!("Proof of address")
    );
    assert_eq!(
        service["funding"]["nodes"][0]["source"],
        json!("Council grant")
    );
    let at = &service["serviceAtLocations"]["nodes"][0];
    assert_eq!(at["description"], json!("Tuesdays only"), "{response}");
    // The venue's address columns are fed from its main address.
    assert_eq!(at["location"]["postalCode"], json!("LS1 3ED"), "{response}");
    assert_eq!(at["location"]["city"], json!("Leeds"));
    assert_eq!(
        at["location"]["accessibilityFeatures"]["nodes"][0]["description"],
        json!("Step-free entrance")
    );
    assert_eq!(
        at["phones"]["nodes"],
        json!([{"number": "0113 496 0000", "type": "voice"}])
    );
    assert_eq!(
        at["schedules"]["nodes"],
        json!([{"byday": "TU", "opensAt": "09:30", "closesAt": "12:00"}])
    );
    assert_eq!(
        at["contacts"]["nodes"],
        json!([{"name": "Duty adviser", "serviceAtLocation": {"description": "Tuesdays only"}}])
    );
}

#[tokio::test]
async fn every_problem_is_named_by_its_field() {
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    let nobody = "018f0000-0000-7000-8000-000000000000";
    let response = execute_as(
        &db,
        admin(),
        CREATE_PHONE,
        json!({"input": {"serviceId": nobody, "number": " ", "extension": -1, "type": "pigeon"}}),
    )
    .await;
    assert_eq!(
        fields(&response),
        ["number", "extension", "type", "serviceId"],
        "{response}"
    );
    let text = response.to_string();
    assert!(
        text.contains("\\\"pigeon\\\" is not one of text, voice"),
        "{text}"
    );
    assert!(
        text.contains(&format!("no live service has id {nobody}")),
        "{text}"
    );

    // No parent at all: the rule names the fields a phone may hang off.
    let response = execute_as(
        &db,
        admin(),
        CREATE_PHONE,
        json!({"input": {"number": "1"}}),
    )
    .await;
    assert_eq!(fields(&response), ["venueId"], "{response}");
    assert!(
        response
            .to_string()
            .contains("venueId, serviceId, providerId, contactId, serviceVenueId"),
        "{response}"
    );

    // A schedule whose RRULE parts do not parse, and hours that close before they open.
    let response = execute_as(
        &db,
        admin(),
        CREATE_SCHEDULE,
        json!({"input": {"serviceId": d.service, "freq": "WEEKLY", "byday": "XX", "opensAt": "17:00", "closesAt": "09:00"}}),
    )
    .await;
    assert_eq!(fields(&response), ["byday"], "{response}");
    let response = execute_as(
        &db,
        admin(),
        CREATE_SCHEDULE,
        json!({"input": {"serviceId": d.service, "opensAt": "17:00", "closesAt": "09:00", "validFrom": "2026-02-01", "validTo": "2026-01-01"}}),
    )
    .await;
    assert_eq!(fields(&response), ["validTo", "closesAt"], "{response}");

    // A service area extent that is not what its type claims.
    let response = execute_as(
        &db,
        admin(),
        "mutation($input: CreateServiceAreaInput!) { createServiceArea(input: $input) { id } }",
        json!({"input": {"serviceId": d.service, "extent": "Leeds", "extentType": "geojson"}}),
    )
    .await;
    assert_eq!(fields(&response), ["extent"], "{response}");

    // Nothing was written.
    assert_eq!(
        entities::phones::Entity::find()
            .all(&db)
            .await
            .unwrap_or_default()
            .len(),
        0
    );
    assert_eq!(
        entities::schedules::Entity::find()
            .all(&db)
            .await
            .unwrap_or_default()
            .len(),
        0
    );
    assert_eq!(
        entities::service_areas::Entity::find()
            .all(&db)
            .await
            .unwrap_or_default()
            .len(),
        0
    );
}

#[tokio::test]
async fn updates_patch_check_the_whole_record_and_refuse_stale_versions() {
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    let phone = ok(
        &db,
        CREATE_PHONE,
        "createPhone",
        json!({"input": {"serviceId": d.service, "number": "0113 496 0001", "extension": 12}}),
    )
    .await;
    let id = phone["id"].clone();
    assert_eq!(phone["version"], json!(1));

    // Omitted fields stay, null clears, the version moves on.
    let updated = ok(
        &db,
        UPDATE_PHONE,
        "updatePhone",
        json!({"id": id, "version": 1, "input": {"extension": null, "type": "fax"}}),
    )
    .await;
    assert_eq!(
        updated,
        json!({"id": id, "number": "0113 496 0001", "extension": null, "type": "fax", "version": 2})
    );

    let stale = execute_as(
        &db,
        admin(),
        UPDATE_PHONE,
        json!({"id": id, "version": 1, "input": {"number": "1"}}),
    )
    .await;
    assert_eq!(code(&stale), "CONFLICT", "{stale}");

    // A required field cannot be cleared, and clearing the only parent is refused.
    let response = execute_as(
        &db,
        admin(),
        UPDATE_PHONE,
        json!({"id": id, "version": 2, "input": {"number": null, "serviceId": null}}),
    )
    .await;
    assert_eq!(fields(&response), ["number", "venueId"], "{response}");

    // Hours checked against the record as it would be: a patch of `closesAt` alone
    // meets the stored `opensAt`.
    let schedule = ok(
        &db,
        CREATE_SCHEDULE,
        "createSchedule",
        json!({"input": {"serviceId": d.service, "opensAt": "09:00", "closesAt": "17:00"}}),
    )
    .await;
    let response = execute_as(
        &db,
        admin(),
        "mutation($id: ID!, $input: UpdateScheduleInput!) { updateSchedule(id: $id, version: 1, input: $input) { id } }",
        json!({"id": schedule["id"], "input": {"closesAt": "08:00"}}),
    )
    .await;
    assert_eq!(fields(&response), ["closesAt"], "{response}");

    let missing = execute_as(
        &db,
        admin(),
        UPDATE_PHONE,
        json!({"id": "018f0000-0000-7000-8000-000000000000", "version": 1, "input": {}}),
    )
    .await;
    assert_eq!(code(&missing), "NOT_FOUND", "{missing}");
}

#[tokio::test]
async fn deletes_are_tombstones_guarded_by_live_children_and_logged() {
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    let phone = ok(
        &db,
        CREATE_PHONE,
        "createPhone",
        json!({"input": {"serviceId": d.service, "number": "0113 496 0002"}}),
    )
    .await;
    ok(
        &db,
        "mutation($input: CreateLanguageInput!) { createLanguage(input: $input) { id } }",
        "createLanguage",
        json!({"input": {"phoneId": phone["id"], "code": "cy"}}),
    )
    .await;

    // The phone has a live language: a plain delete is refused, a cascade takes both.
    let delete =
        "mutation($id: ID!, $cascade: Boolean) { deletePhone(id: $id, cascade: $cascade) }";
    let refused = execute_as(
        &db,
        admin(),
        delete,
        json!({"id": phone["id"], "cascade": false}),
    )
    .await;
    assert_eq!(code(&refused), "CONFLICT", "{refused}");
    assert!(refused.to_string().contains("languages"), "{refused}");

    // So is deleting the service the phone (and the service at a venue) hang off.
    let service_delete = "mutation($id: ID!) { deleteService(id: $id) }";
    let refused = execute_as(&db, admin(), service_delete, json!({"id": d.service})).await;
    assert_eq!(code(&refused), "CONFLICT", "{refused}");

    let deleted = execute_as(
        &db,
        admin(),
        delete,
        json!({"id": phone["id"], "cascade": true}),
    )
    .await;
    assert_eq!(deleted["data"]["deletePhone"], phone["id"], "{deleted}");
    let live = |rows: Vec<entities::languages::Model>| {
        rows.iter().filter(|r| r.deleted_at.is_none()).count()
    };
    assert_eq!(
        live(
            entities::languages::Entity::find()
                .all(&db)
                .await
                .unwrap_or_default()
        ),
        0
    );
    let read = execute(
        &db,
        "query($id: ID!) { node(id: $id) { ... on Service { phones { nodes { id } } } } }",
        json!({"id": d.service}),
    )
    .await;
    assert_eq!(read["data"]["node"]["phones"]["nodes"], json!([]), "{read}");

    // Create, update and delete are in the change log, by who made them.
    let uuid: uuid::Uuid = phone["id"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();
    let log = entities::change_log::Entity::find()
        .filter(entities::change_log::Column::RecordId.eq(uuid))
        .all(&db)
        .await
        .unwrap_or_default();
    let actions: Vec<&str> = log.iter().map(|row| row.action.as_str()).collect();
    assert!(
        actions.contains(&"create") && actions.contains(&"delete"),
        "{actions:?}"
    );
    assert!(log.iter().all(|row| row.record_type == "phones"));
    assert!(
        log.iter()
            .all(|row| row.actor.as_deref() == Some("admin@example.org"))
    );
}

#[tokio::test]
async fn only_admins_change_hsds_objects() {
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    for role in [Role::Anonymous, Role::Reader, Role::Exporter] {
        let response = execute_as(
            &db,
            Viewer::with_role(role),
            CREATE_PHONE,
            json!({"input": {"serviceId": d.service, "number": "1"}}),
        )
        .await;
        assert_eq!(code(&response), "FORBIDDEN", "{role:?}");
    }
}

/// The package's `metadata.csv` rows by id.
async fn exported_metadata(db: &DatabaseConnection) -> (Vec<u8>, crate::hsds_package::Rows) {
    use std::io::Read;
    let (mut package, _) = signpost::export::hsds::write_package(db)
        .await
        .expect("export");
    let mut bytes = Vec::new();
    package.read_to_end(&mut bytes).expect("read package");
    let files = crate::hsds_package::unzip(&bytes);
    let (_, rows) = crate::hsds_package::rows_of(&files["metadata.csv"]);
    (bytes, rows)
}

#[tokio::test]
async fn edits_go_out_as_hsds_metadata_once() {
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    let phone = ok(
        &db,
        CREATE_PHONE,
        "createPhone",
        json!({"input": {"serviceId": d.service, "number": "0113 496 0003"}}),
    )
    .await;
    ok(
        &db,
        UPDATE_PHONE,
        "updatePhone",
        json!({"id": phone["id"], "version": 1, "input": {"number": "0113 496 0004"}}),
    )
    .await;

    let (package, rows) = exported_metadata(&db).await;
    let phone_id = phone["id"].as_str().unwrap_or_default();
    let update: Vec<_> = rows
        .values()
        .filter(|row| row["resource_id"] == phone_id && row["last_action_type"] == "update")
        .collect();
    assert_eq!(update.len(), 1, "{rows:?}");
    let update = update[0];
    assert_eq!(update["resource_type"], "phone");
    assert_eq!(update["field_name"], "number");
    assert_eq!(update["previous_value"], "0113 496 0003");
    assert_eq!(update["replacement_value"], "0113 496 0004");
    assert_eq!(update["updated_by"], "admin@example.org");
    assert_eq!(
        update["last_action_date"],
        chrono::Utc::now().format("%Y-%m-%d").to_string()
    );
    // Every change made here is there: the provider, service, venue, service at a
    // venue and phone were created, with a row per field set.
    for resource_type in [
        "organization",
        "service",
        "location",
        "service_at_location",
        "phone",
    ] {
        assert!(
            rows.values()
                .any(|row| row["resource_type"] == resource_type
                    && row["last_action_type"] == "create"),
            "{resource_type}: {rows:?}"
        );
    }

    // Imported elsewhere, exported again: the same provenance, each change once.
    let (_t2, elsewhere) = fresh().await;
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let options = signpost::import::ImportOptions {
        strict: true,
        ..Default::default()
    };
    let outcome = signpost::import::import_file(
        &elsewhere,
        &store,
        "hsds.zip",
        signpost::store::body_of(package),
        &options,
        Some("test"),
    )
    .await
    .expect("import");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let (_, again) = exported_metadata(&elsewhere).await;
    assert_eq!(again, rows);
}

const CREATE_ATTRIBUTE: &str = "mutation($input: CreateTaxonomyRefInput!) { createTaxonomyRef(input: $input) { id linkEntity linkId linkType value } }";

#[tokio::test]
async fn attributes_are_about_any_hsds_object() {
    use crate::mutations_taxonomy::{taxonomy, term};
    let (_t, db) = fresh().await;
    let d = directory(&db).await;
    let audiences = taxonomy(&db, "Audience").await;
    let deaf = term(&db, &audiences, None, "Deaf").await;
    let phone = ok(
        &db,
        CREATE_PHONE,
        "createPhone",
        json!({"input": {"serviceId": d.service, "number": "18001 0113 496 0000", "type": "textphone"}}),
    )
    .await;

    // HSDS's way: linkEntity and linkId.
    let attribute = ok(
        &db,
        CREATE_ATTRIBUTE,
        "createTaxonomyRef",
        json!({"input": {"taxonomyTermId": deaf, "linkEntity": "phone", "linkId": phone["id"], "linkType": "audience", "value": "textphone"}}),
    )
    .await;
    assert_eq!(attribute["linkEntity"], json!("phone"));
    assert_eq!(attribute["linkId"], phone["id"]);
    assert_eq!(attribute["linkType"], json!("audience"));

    // By id alone, whatever the record is: a service at a venue.
    let link = "mutation($term: ID!, $record: ID!) { linkTaxonomyTerm(taxonomyTermId: $term, recordId: $record) { linkEntity linkId } }";
    let linked = execute_as(
        &db,
        admin(),
        link,
        json!({"term": deaf, "record": d.at_location}),
    )
    .await;
    assert_eq!(
        linked["data"]["linkTaxonomyTerm"],
        json!({"linkEntity": "service_at_location", "linkId": d.at_location}),
        "{linked}"
    );
    let unlink = "mutation($term: ID!, $record: ID!) { unlinkTaxonomyTerm(taxonomyTermId: $term, recordId: $record) }";
    let unlinked = execute_as(
        &db,
        admin(),
        unlink,
        json!({"term": deaf, "record": d.at_location}),
    )
    .await;
    assert_eq!(
        unlinked["data"]["unlinkTaxonomyTerm"],
        json!(true),
        "{unlinked}"
    );

    // Refused, naming the field: a table HSDS has no attributes for, half a link,
    // two records, a record that is not there, the same tag twice.
    for (input, expected) in [
        (
            json!({"linkEntity": "spaceship", "linkId": phone["id"]}),
            vec!["linkEntity"],
        ),
        (json!({"linkEntity": "phone"}), vec!["linkId"]),
        (
            json!({"serviceId": d.service, "linkEntity": "phone", "linkId": phone["id"]}),
            vec!["serviceId"],
        ),
        (
            json!({"linkEntity": "schedule", "linkId": phone["id"]}),
            vec!["linkId"],
        ),
        (
            json!({"linkEntity": "phone", "linkId": phone["id"]}),
            vec!["taxonomyTermId"],
        ),
    ] {
        let mut input = input;
        input["taxonomyTermId"] = json!(deaf);
        let response = execute_as(&db, admin(), CREATE_ATTRIBUTE, json!({"input": input})).await;
        assert_eq!(fields(&response), expected, "{input}: {response}");
    }
}
