//! Admin mutations of providers and services: roles, validation (every problem at
//! once), versions and conflicts, patches, tombstones with and without cascade, the
//! change log; in process on a fresh database, plus one over HTTP with a real token.

use crate::helpers::{code, execute_as, fresh, spawn_app_with};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use signpost::read::Viewer;
use signpost::read::viewer::Role;

/// (action, field, old value, new value) of a change log row.
type LogEntry = (String, Option<String>, Option<Value>, Option<Value>);

pub(crate) fn admin() -> Viewer {
    Viewer {
        role: Role::Admin,
        subject: Some("admin@example.org".into()),
    }
}

pub(crate) async fn run(
    db: &DatabaseConnection,
    viewer: Viewer,
    query: &str,
    vars: Value,
) -> Value {
    execute_as(db, viewer, query, vars).await
}

const CREATE_PROVIDER: &str = "mutation($input: CreateProviderInput!) { createProvider(input: $input) { id name version description published } }";
const UPDATE_PROVIDER: &str = "mutation($id: ID!, $version: Int!, $input: UpdateProviderInput!) { updateProvider(id: $id, version: $version, input: $input) { id name version description email } }";
const CREATE_SERVICE: &str = "mutation($input: CreateServiceInput!) { createService(input: $input) { id name version status minimumAge maximumAge } }";

pub(crate) async fn provider(db: &DatabaseConnection, name: &str) -> String {
    let response = run(
        db,
        admin(),
        CREATE_PROVIDER,
        json!({"input": {"name": name, "published": true}}),
    )
    .await;
    response["data"]["createProvider"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{response}"))
        .to_owned()
}

#[tokio::test]
async fn only_admins_mutate() {
    let (_t, db) = fresh().await;
    for role in [Role::Anonymous, Role::Reader, Role::Exporter] {
        let response = run(
            &db,
            Viewer::with_role(role),
            CREATE_PROVIDER,
            json!({"input": {"name": "X"}}),
        )
        .await;
        assert_eq!(code(&response), "FORBIDDEN", "{role:?}");
    }
    let response = run(
        &db,
        admin(),
        CREATE_PROVIDER,
        json!({"input": {"name": "X"}}),
    )
    .await;
    assert_eq!(
        response["data"]["createProvider"]["version"],
        json!(1),
        "{response}"
    );
}

#[tokio::test]
async fn validation_lists_every_problem() {
    let (_t, db) = fresh().await;
    let input = json!({
        "name": "  ",
        "email": "not-an-email",
        "website": "ftp://example.org",
        "parentProviderId": "018f0000-0000-7000-8000-000000000000",
    });
    let response = run(&db, admin(), CREATE_PROVIDER, json!({"input": input})).await;
    assert_eq!(code(&response), "VALIDATION_FAILED");
    let fields: Vec<&str> = response["errors"][0]["extensions"]["errors"]
        .as_array()
        .map(|list| list.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["name", "email", "website", "parentProviderId"],
        "{response}"
    );

    let owner = provider(&db, "Owner").await;
    let input = json!({"providerId": owner, "name": "Ages", "minimumAge": 18, "maximumAge": 5, "url": "nope"});
    let response = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    assert_eq!(code(&response), "VALIDATION_FAILED");
    let text = response.to_string();
    assert!(
        text.contains("maximumAge") && text.contains("\"url\""),
        "{text}"
    );
    let input = json!({"providerId": "018f0000-0000-7000-8000-000000000000", "name": "Orphan", "minimumAge": -1});
    let response = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    let text = response.to_string();
    assert!(
        text.contains("providerId") && text.contains("minimumAge"),
        "{text}"
    );
}

#[tokio::test]
async fn updates_patch_and_refuse_stale_versions() {
    let (_t, db) = fresh().await;
    let created = run(
        &db,
        admin(),
        CREATE_PROVIDER,
        json!({"input": {"name": "Patch Me", "description": "Old"}}),
    )
    .await;
    let id = created["data"]["createProvider"]["id"].clone();
    // Omitted fields stay; an explicit null clears.
    let vars = json!({"id": id, "version": 1, "input": {"email": "help@example.org"}});
    let updated = run(&db, admin(), UPDATE_PROVIDER, vars).await;
    assert_eq!(
        updated["data"]["updateProvider"]["description"],
        json!("Old"),
        "{updated}"
    );
    assert_eq!(updated["data"]["updateProvider"]["version"], json!(2));
    let vars = json!({"id": id, "version": 2, "input": {"description": null}});
    let cleared = run(&db, admin(), UPDATE_PROVIDER, vars).await;
    assert_eq!(
        cleared["data"]["updateProvider"]["description"],
        Value::Null,
        "{cleared}"
    );
    assert_eq!(
        cleared["data"]["updateProvider"]["email"],
        json!("help@example.org")
    );
    // Version 2 is stale now.
    let vars = json!({"id": id, "version": 2, "input": {"name": "Late"}});
    assert_eq!(
        code(&run(&db, admin(), UPDATE_PROVIDER, vars).await),
        "CONFLICT"
    );
    let vars = json!({"id": id, "version": 3, "input": {"name": null}});
    assert_eq!(
        code(&run(&db, admin(), UPDATE_PROVIDER, vars).await),
        "VALIDATION_FAILED"
    );
}

#[tokio::test]
async fn of_two_concurrent_updates_at_one_version_exactly_one_wins() {
    let (_t, db) = fresh().await;
    let id = provider(&db, "Contended").await;
    let update = |name: &str| {
        run(
            &db,
            admin(),
            UPDATE_PROVIDER,
            json!({"id": id, "version": 1, "input": {"name": name}}),
        )
    };
    let (a, b) = tokio::join!(update("A"), update("B"));
    let codes = [code(&a), code(&b)];
    let wins = [&a, &b]
        .iter()
        .filter(|r| r["data"]["updateProvider"].is_object())
        .count();
    assert_eq!(wins, 1, "{a} {b}");
    assert!(codes.contains(&"CONFLICT"), "{codes:?}");
}

#[tokio::test]
async fn deletes_are_tombstones_refused_while_children_live() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Parent Org").await;
    let input = json!({"providerId": owner, "name": "Child Service", "published": true});
    let service = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    let service_id = service["data"]["createService"]["id"].clone();
    let delete =
        "mutation($id: ID!, $cascade: Boolean) { deleteProvider(id: $id, cascade: $cascade) }";
    let refused = run(&db, admin(), delete, json!({"id": owner})).await;
    assert_eq!(code(&refused), "CONFLICT", "{refused}");
    assert!(refused.to_string().contains("services"), "{refused}");
    let deleted = run(&db, admin(), delete, json!({"id": owner, "cascade": true})).await;
    assert_eq!(deleted["data"]["deleteProvider"], json!(owner), "{deleted}");
    let seen = run(
        &db,
        admin(),
        "query($id: ID!) { service(id: $id) { name } }",
        json!({"id": service_id}),
    )
    .await;
    assert_eq!(
        seen["data"]["service"],
        Value::Null,
        "the cascade tombstoned the service: {seen}"
    );
    let again = run(&db, admin(), delete, json!({"id": owner})).await;
    assert_eq!(code(&again), "NOT_FOUND");
}

#[tokio::test]
async fn every_change_is_in_the_change_log() {
    let (_t, db) = fresh().await;
    let created = run(
        &db,
        admin(),
        CREATE_PROVIDER,
        json!({"input": {"name": "Logged", "email": "a@b.org"}}),
    )
    .await;
    let id = created["data"]["createProvider"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let vars = json!({"id": id, "version": 1, "input": {"email": "c@d.org"}});
    run(&db, admin(), UPDATE_PROVIDER, vars).await;
    run(
        &db,
        admin(),
        "mutation($id: ID!) { deleteProvider(id: $id) }",
        json!({"id": id}),
    )
    .await;
    let uuid: uuid::Uuid = id.parse().expect("uuid");
    let rows = entities::change_log::Entity::find()
        .filter(entities::change_log::Column::RecordId.eq(uuid))
        .order_by_asc(entities::change_log::Column::ChangedAt)
        .order_by_asc(entities::change_log::Column::Id)
        .all(&db)
        .await
        .expect("log");
    let summary: Vec<LogEntry> = rows
        .iter()
        .map(|r| {
            (
                r.action.clone(),
                r.field.clone(),
                r.old_value.clone(),
                r.new_value.clone(),
            )
        })
        .collect();
    assert!(
        summary.contains(&(
            "create".into(),
            Some("name".into()),
            None,
            Some(json!("Logged"))
        )),
        "{summary:?}"
    );
    assert!(
        summary.contains(&(
            "update".into(),
            Some("email".into()),
            Some(json!("a@b.org")),
            Some(json!("c@d.org"))
        )),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("delete".into(), None, None, None)),
        "{summary:?}"
    );
    assert!(
        !summary
            .iter()
            .any(|(_, field, _, _)| field.as_deref() == Some("version"))
    );
    assert!(
        rows.iter()
            .all(|r| r.actor.as_deref() == Some("admin@example.org"))
    );
}

#[tokio::test]
async fn publishing_changes_what_anonymous_callers_see() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Visible Org").await;
    let input = json!({"providerId": owner, "name": "Quiet Service"});
    let created = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    let id = created["data"]["createService"]["id"].clone();
    let names = "{ services { nodes { name } } }";
    assert_eq!(
        run(&db, Viewer::anonymous(), names, json!({})).await["data"]["services"]["nodes"],
        json!([])
    );
    let published = run(
        &db,
        admin(),
        "mutation($id: ID!) { publishService(id: $id) { version } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        published["data"]["publishService"]["version"],
        json!(2),
        "{published}"
    );
    assert_eq!(
        run(&db, Viewer::anonymous(), names, json!({})).await["data"]["services"]["nodes"],
        json!([{"name": "Quiet Service"}])
    );
    let flagged = run(
        &db,
        admin(),
        "mutation($id: ID!) { flagService(id: $id) { flagged } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        flagged["data"]["flagService"]["flagged"],
        json!(true),
        "{flagged}"
    );
}

#[tokio::test]
async fn an_admin_token_mutates_over_http() {
    let secret = "mutation-test-secret-long-enough-for-hs256";
    let app = spawn_app_with(|config| config.jwt_secret = Some(secret.to_owned().into())).await;
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "ops@example.org", "exp": chrono::Utc::now().timestamp() + 600, "roles": ["admin"]}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign");
    let post = |token: Option<&str>| {
        let mut request = app.client.post(app.url("/graphql")).json(
            &json!({"query": CREATE_PROVIDER, "variables": {"input": {"name": "Over HTTP"}}}),
        );
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request.send()
    };
    let body: Value = post(Some(&token))
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["data"]["createProvider"]["name"],
        json!("Over HTTP"),
        "{body}"
    );
    let body: Value = post(None)
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(code(&body), "FORBIDDEN");
    let log = entities::change_log::Entity::find()
        .all(&app.db)
        .await
        .expect("log");
    assert!(
        log.iter()
            .all(|row| row.actor.as_deref() == Some("ops@example.org"))
    );
}

#[tokio::test]
async fn venues_are_validated_and_linked_to_services() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Venue Org").await;
    let create = "mutation($input: CreateVenueInput!) { createVenue(input: $input) { id name country latitude } }";
    let bad = json!({"name": "Hall", "latitude": 95.0, "country": "GBR", "url": "x"});
    let response = run(&db, admin(), create, json!({"input": bad})).await;
    assert_eq!(code(&response), "VALIDATION_FAILED");
    let text = response.to_string();
    for field in ["latitude", "longitude", "country", "\"url\""] {
        assert!(text.contains(field), "{field}: {text}");
    }
    let good = json!({"providerId": owner, "name": "Hall", "latitude": 53.8, "longitude": -1.55});
    let venue = run(&db, admin(), create, json!({"input": good})).await;
    let venue_id = venue["data"]["createVenue"]["id"].clone();
    assert_eq!(
        venue["data"]["createVenue"]["country"],
        json!("GB"),
        "{venue}"
    );
    let input = json!({"providerId": owner, "name": "Drop-in", "published": true});
    let service = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    let service_id = service["data"]["createService"]["id"].clone();
    let link = "mutation($s: ID!, $v: ID!) { linkServiceVenue(serviceId: $s, venueId: $v) }";
    let linked = run(&db, admin(), link, json!({"s": service_id, "v": venue_id})).await;
    assert!(linked["data"]["linkServiceVenue"].is_string(), "{linked}");
    let twice = run(&db, admin(), link, json!({"s": service_id, "v": venue_id})).await;
    assert_eq!(code(&twice), "CONFLICT", "{twice}");
    let venues = "query($id: ID!) { service(id: $id) { venues { nodes { name } } } }";
    let seen = run(&db, admin(), venues, json!({"id": service_id})).await;
    assert_eq!(
        seen["data"]["service"]["venues"]["nodes"],
        json!([{"name": "Hall"}])
    );
    let unlink = "mutation($s: ID!, $v: ID!) { unlinkServiceVenue(serviceId: $s, venueId: $v) }";
    let unlinked = run(
        &db,
        admin(),
        unlink,
        json!({"s": service_id, "v": venue_id}),
    )
    .await;
    assert_eq!(
        unlinked["data"]["unlinkServiceVenue"],
        json!(true),
        "{unlinked}"
    );
    let seen = run(&db, admin(), venues, json!({"id": service_id})).await;
    assert_eq!(seen["data"]["service"]["venues"]["nodes"], json!([]));
    let again = run(
        &db,
        admin(),
        unlink,
        json!({"s": service_id, "v": venue_id}),
    )
    .await;
    assert_eq!(code(&again), "NOT_FOUND");
}

#[tokio::test]
async fn cost_options_check_money_and_dates() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Priced Org").await;
    let input = json!({"providerId": owner, "name": "Priced Service", "published": true});
    let service = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    let service_id = service["data"]["createService"]["id"].clone();
    let create = "mutation($input: CreateCostOptionInput!) { createCostOption(input: $input) { id option amount currency version } }";
    let bad = json!({"serviceId": service_id, "option": "", "amount": "-1.50", "currency": "POUNDS",
                     "validFrom": "2026-12-31", "validTo": "2026-01-01"});
    let response = run(&db, admin(), create, json!({"input": bad})).await;
    assert_eq!(code(&response), "VALIDATION_FAILED", "{response}");
    let fields: Vec<&str> = response["errors"][0]["extensions"]["errors"]
        .as_array()
        .map(|list| list.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["option", "amount", "currency", "validTo"],
        "{response}"
    );
    let good = json!({"serviceId": service_id, "option": "Per session", "amount": "5.00", "validFrom": "2026-01-01"});
    let created = run(&db, admin(), create, json!({"input": good})).await;
    assert_eq!(
        created["data"]["createCostOption"]["currency"],
        json!("GBP"),
        "{created}"
    );
    let id = created["data"]["createCostOption"]["id"].clone();
    // validTo before the stored validFrom is caught on update too.
    let update = "mutation($id: ID!, $input: UpdateCostOptionInput!) { updateCostOption(id: $id, version: 1, input: $input) { amount version } }";
    let response = run(
        &db,
        admin(),
        update,
        json!({"id": id, "input": {"validTo": "2025-01-01"}}),
    )
    .await;
    assert_eq!(code(&response), "VALIDATION_FAILED", "{response}");
    let response = run(
        &db,
        admin(),
        update,
        json!({"id": id, "input": {"amount": null}}),
    )
    .await;
    assert_eq!(
        response["data"]["updateCostOption"]["amount"],
        Value::Null,
        "{response}"
    );
    // With its only amount cleared, the service counts as free.
    let free = "{ services(filter: {free: true}) { nodes { name } } }";
    assert_eq!(
        run(&db, Viewer::anonymous(), free, json!({})).await["data"]["services"]["nodes"],
        json!([{"name": "Priced Service"}])
    );
    let delete = "mutation($id: ID!) { deleteCostOption(id: $id) }";
    assert_eq!(
        run(&db, admin(), delete, json!({"id": id})).await["data"]["deleteCostOption"],
        id
    );
}

#[tokio::test]
async fn eligibility_rules_apply_to_services_and_narrow_the_age_filter() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Youth Org").await;
    let input = json!({"providerId": owner, "name": "Youth Club", "published": true});
    let service = run(&db, admin(), CREATE_SERVICE, json!({"input": input})).await;
    let service_id = service["data"]["createService"]["id"].clone();
    let create = "mutation($input: CreateEligibilityInput!) { createEligibility(input: $input) { id minimumAge maximumAge } }";
    let bad = run(
        &db,
        admin(),
        create,
        json!({"input": {"description": "", "minimumAge": 30, "maximumAge": 12}}),
    )
    .await;
    assert_eq!(code(&bad), "VALIDATION_FAILED", "{bad}");
    let rule = run(
        &db,
        admin(),
        create,
        json!({"input": {"description": "Aged 11 to 18", "minimumAge": 11, "maximumAge": 18}}),
    )
    .await;
    let rule_id = rule["data"]["createEligibility"]["id"].clone();
    let aged = |age: i64| json!({ "age": age });
    let by_age = "query($f: ServiceFilter) { services(filter: $f) { nodes { name } } }";
    let count = |response: Value| {
        response["data"]["services"]["nodes"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(
        count(run(&db, Viewer::anonymous(), by_age, json!({"f": aged(40)})).await),
        1
    );
    let link =
        "mutation($s: ID!, $e: ID!) { linkServiceEligibility(serviceId: $s, eligibilityId: $e) }";
    let linked = run(&db, admin(), link, json!({"s": service_id, "e": rule_id})).await;
    assert!(
        linked["data"]["linkServiceEligibility"].is_string(),
        "{linked}"
    );
    assert_eq!(
        count(run(&db, Viewer::anonymous(), by_age, json!({"f": aged(40)})).await),
        0,
        "the rule now applies"
    );
    assert_eq!(
        count(run(&db, Viewer::anonymous(), by_age, json!({"f": aged(15)})).await),
        1
    );
    let delete = "mutation($id: ID!) { deleteEligibility(id: $id) }";
    assert_eq!(
        code(&run(&db, admin(), delete, json!({"id": rule_id})).await),
        "CONFLICT",
        "in use"
    );
    let unlink =
        "mutation($s: ID!, $e: ID!) { unlinkServiceEligibility(serviceId: $s, eligibilityId: $e) }";
    assert_eq!(
        run(&db, admin(), unlink, json!({"s": service_id, "e": rule_id})).await["data"]["unlinkServiceEligibility"],
        json!(true)
    );
    assert_eq!(
        count(run(&db, Viewer::anonymous(), by_age, json!({"f": aged(40)})).await),
        1
    );
    assert_eq!(
        run(&db, admin(), delete, json!({"id": rule_id})).await["data"]["deleteEligibility"],
        rule_id
    );
}

#[tokio::test]
async fn contacts_keep_at_least_one_parent() {
    let (_t, db) = fresh().await;
    let owner = provider(&db, "Contact Org").await;
    let create =
        "mutation($input: CreateContactInput!) { createContact(input: $input) { id name email } }";
    let orphan = run(
        &db,
        admin(),
        create,
        json!({"input": {"name": "Nobody's", "email": "x"}}),
    )
    .await;
    assert_eq!(code(&orphan), "VALIDATION_FAILED");
    let text = orphan.to_string();
    assert!(
        text.contains("providerId") && text.contains("\"email\""),
        "{text}"
    );
    let created = run(
        &db,
        admin(),
        create,
        json!({"input": {"providerId": owner, "name": "Reception", "email": "desk@org.uk"}}),
    )
    .await;
    let id = created["data"]["createContact"]["id"].clone();
    let update = "mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, version: 1, input: $input) { name } }";
    let bare = run(
        &db,
        admin(),
        update,
        json!({"id": id, "input": {"providerId": null}}),
    )
    .await;
    assert_eq!(
        code(&bare),
        "VALIDATION_FAILED",
        "clearing the only parent: {bare}"
    );
    let renamed = run(
        &db,
        admin(),
        update,
        json!({"id": id, "input": {"name": "Front desk"}}),
    )
    .await;
    assert_eq!(
        renamed["data"]["updateContact"]["name"],
        json!("Front desk"),
        "{renamed}"
    );
    let flagged = run(
        &db,
        admin(),
        "mutation($id: ID!) { flagContact(id: $id) { flagged } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        flagged["data"]["flagContact"]["flagged"],
        json!(true),
        "{flagged}"
    );
}
