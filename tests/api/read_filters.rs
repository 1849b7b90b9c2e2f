//! Service filters (docs/api.md, "Filters"), the visibility rule and events
//! `between`, in process and over HTTP, checked on exact record sets and orders.

use crate::fixtures::{self, service_model, taxonomy_ref, try_service};
use crate::helpers::{code, execute_as, fresh, spawn_app};
use chrono::{DateTime, TimeDelta, Utc};
use entities::enums::ServiceStatus;
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use signpost::read::{Role, Viewer};
use signpost::repo;
use signpost::stamp::new_id;
use uuid::Uuid;

const SERVICES: &str = "query ($filter: ServiceFilter, $orderBy: [ServiceOrder!], $first: Int,
    $after: String, $last: Int, $before: String) { services(filter: $filter, orderBy: $orderBy,
    first: $first, after: $after, last: $last, before: $before) { totalCount
  edges { cursor node { name distanceKm } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";

fn anon() -> Viewer {
    Viewer::anonymous()
}

fn reader() -> Viewer {
    Viewer::with_role(Role::Reader)
}

async fn run(db: &DatabaseConnection, viewer: Viewer, vars: Value) -> Value {
    execute_as(db, viewer, SERVICES, vars).await
}

/// `data.services.edges[*].node.name`, after checking there is no error and, when
/// the page holds the whole list, that `totalCount` agrees.
fn names(response: &Value) -> Vec<String> {
    assert!(response.get("errors").is_none(), "{response}");
    let connection = &response["data"]["services"];
    let edges = connection["edges"].as_array().expect("edges");
    let name = |e: &Value| e["node"]["name"].as_str().expect("name").to_owned();
    let names: Vec<String> = edges.iter().map(name).collect();
    let info = &connection["pageInfo"];
    if info["hasNextPage"] == json!(false) && info["hasPreviousPage"] == json!(false) {
        assert_eq!(connection["totalCount"], json!(names.len()), "{response}");
    }
    names
}

fn distances(response: &Value) -> Vec<f64> {
    let edges = response["data"]["services"]["edges"].as_array();
    let km = |e: &Value| e["node"]["distanceKm"].as_f64().expect("distanceKm");
    edges.expect("edges").iter().map(km).collect()
}

/// Names matching `filter` for `viewer`, in the default order.
async fn matching(db: &DatabaseConnection, viewer: Viewer, filter: Value) -> Vec<String> {
    names(&run(db, viewer, json!({ "filter": filter, "first": 100 })).await)
}

/// Checks each `[filter, [names...], orderBy?]` of `cases` for `viewer`.
async fn expect(db: &DatabaseConnection, viewer: Viewer, cases: Value) {
    for case in cases.as_array().expect("cases") {
        let vars = json!({ "filter": case[0], "orderBy": case.get(2), "first": 100 });
        let found = names(&run(db, viewer.clone(), vars).await);
        let (filter, order) = (&case[0], case.get(2));
        assert_eq!(json!(found), case[1], "filter {filter} {order:?}");
    }
}

/// Checks each variables object of `cases` is refused with BAD_USER_INPUT.
async fn refuse(db: &DatabaseConnection, cases: Value) {
    for vars in cases.as_array().expect("cases") {
        let response = run(db, anon(), vars.clone()).await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{vars}");
    }
}

async fn provider(db: &DatabaseConnection, name: &str, published: bool) -> Uuid {
    let id = fixtures::provider(db, name).await;
    if !published {
        let change = repo::providers::ActiveModel {
            published: Set(false),
            ..Default::default()
        };
        ok(repo::update::<repo::providers::Entity>(db, id, 1, change).await);
    }
    id
}

/// A published, active service of `provider`, after `edit`.
async fn service(
    db: &DatabaseConnection,
    provider: Uuid,
    name: &str,
    edit: impl FnOnce(&mut repo::services::ActiveModel),
) -> Uuid {
    let mut model = service_model(provider, name);
    edit(&mut model);
    try_service(db, model).await.expect("insert service")
}

pub(crate) async fn venue_at(db: &DatabaseConnection, name: &str, lat: f64, lon: f64) -> Uuid {
    let id = fixtures::venue(db, None).await;
    let change = repo::venues::ActiveModel {
        name: Set(name.into()),
        latitude: Set(Some(lat)),
        longitude: Set(Some(lon)),
        ..Default::default()
    };
    ok(repo::update::<repo::venues::Entity>(db, id, 1, change).await);
    id
}

async fn link(db: &DatabaseConnection, service: Uuid, venue: Uuid) -> Uuid {
    ok(fixtures::try_link_venue(db, service, venue).await)
}

/// Test setup that must succeed.
pub(crate) fn ok<T>(result: Result<T, repo::RepoError>) -> T {
    result.unwrap_or_else(|error| panic!("setup failed: {error}"))
}

pub(crate) async fn tombstone<E: repo::Record>(db: &DatabaseConnection, id: Uuid) {
    ok(repo::delete::<E, _>(db, id, true).await);
}

/// Published services of `provider`, one per `|`-separated name.
async fn add_all(db: &DatabaseConnection, provider: Uuid, names: &str) {
    for name in names.split('|') {
        fixtures::service(db, provider, name).await;
    }
}

async fn insert<E: repo::Record>(db: &DatabaseConnection, row: E::ActiveModel) {
    ok(repo::insert_many::<E>(db, [row]).await);
}

async fn postcode(db: &DatabaseConnection, code: &str, terminated: bool) {
    let row = entities::postcodes::ActiveModel {
        postcode: Set(code.into()),
        latitude: Set(Some(53.8)),
        longitude: Set(Some(-1.55)),
        terminated: Set(terminated),
        source_file: Set(None),
        updated_at: Set(Utc::now()),
    };
    let insert = entities::postcodes::Entity::insert(row).exec_without_returning(db);
    insert.await.expect("insert postcode");
}

/// A latitude `km` kilometres north of `lat`.
fn north(lat: f64, km: f64) -> f64 {
    lat + (km / 6371.0088).to_degrees()
}

#[tokio::test]
async fn search_ands_prefix_words_ignoring_case_and_operators() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Search Provider", true).await;
    let all = "Mental Health Drop-in|Mental Wellbeing Cafe|Healthy Eating Club|Men's Shed";
    add_all(&db, p, all).await;
    service(&db, p, "Mental Hidden", |m| m.published = Set(false)).await;
    let by_name = json!(["NAME_ASC"]);
    let cases = json!([
        [{ "search": "ment heal" }, ["Mental Health Drop-in"], by_name],
        [{ "search": "MENTAL" }, ["Mental Health Drop-in", "Mental Wellbeing Cafe"], by_name],
        [{ "search": "heal" }, ["Healthy Eating Club", "Mental Health Drop-in"], by_name],
        [{ "search": r#""Ment" (heal*) -- drop:"# }, ["Mental Health Drop-in"], by_name],
        [{ "search": "men's" }, ["Men's Shed"], by_name],
        [{ "search": r#""\"OR* NEAR("# }, [], by_name],
    ]);
    expect(&db, anon(), cases).await;
    let cases = json!([[{ "search": "mental hid" }, ["Mental Hidden"]]]);
    expect(&db, reader(), cases).await;
    let too_many = "word ".repeat(17);
    let cases = json!([
        { "filter": { "search": r#""\" * ( ) : -"# } },
        { "filter": { "search": "" } },
        { "filter": { "search": too_many } },
        { "orderBy": ["RELEVANCE"] },
    ]);
    refuse(&db, cases).await;
}

/// docs/data-model.md: both databases return the same records for the same words. Each
/// word below is a word of the service as `search` itself splits text (and as
/// SQLite's FTS5 unicode61 tokenizer does, folding accents).
#[tokio::test]
async fn search_finds_the_same_words_on_both_backends() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Words Provider", true).await;
    let about = "Email help@leeds.gov.uk, see www.example.org/mind, £8.50";
    let about = |m: &mut repo::services::ActiveModel| m.description = Set(Some(about.into()));
    service(&db, p, "Café Corner", about).await;
    let mut missed = Vec::new();
    for word in "café cafe corner help leeds example mind 8 50".split(' ') {
        if matching(&db, anon(), json!({ "search": word })).await != ["Café Corner"] {
            missed.push(word);
        }
    }
    assert_eq!(missed, Vec::<&str>::new(), "words not finding the café");
}

#[tokio::test]
async fn search_ranks_by_relevance_over_the_same_set_as_by_name() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Rank Provider", true).await;
    let all = "Health Hub|Heal Health Healing|Dental Health|Healthy Meals|Library";
    add_all(&db, p, all).await;
    let filter = json!({ "search": "heal" });
    let ordered = |order: Value| json!({ "filter": filter, "orderBy": order, "first": 100 });
    let by_default = names(&run(&db, anon(), ordered(Value::Null)).await);
    let mut by_relevance = names(&run(&db, anon(), ordered(json!(["RELEVANCE"]))).await);
    let by_name = names(&run(&db, anon(), ordered(json!(["NAME_ASC"]))).await);
    let expected = "Dental Health|Heal Health Healing|Health Hub|Healthy Meals";
    let expected: Vec<&str> = expected.split('|').collect();
    assert_eq!(by_name, expected);
    assert_eq!(by_default, by_name, "a search keeps the NAME_ASC default");
    assert_eq!(
        by_relevance[0], "Heal Health Healing",
        "three matching words rank first"
    );
    // One at a time, relevance cursors walk the same order once.
    let relevance = json!(["RELEVANCE"]);
    let (mut walked, mut after) = (Vec::new(), Value::Null);
    for _ in 0..6 {
        let vars = json!({ "filter": filter, "orderBy": relevance, "first": 1, "after": after });
        let page = run(&db, anon(), vars).await;
        walked.extend(names(&page));
        after = page["data"]["services"]["pageInfo"]["endCursor"].clone();
        if after.is_null() || page["data"]["services"]["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
    }
    assert_eq!(walked, by_relevance);
    let (mut back, mut before) = (Vec::new(), Value::Null);
    for _ in 0..2 {
        let vars = json!({ "filter": filter, "orderBy": relevance, "last": 2, "before": before });
        let page = run(&db, anon(), vars).await;
        back.splice(0..0, names(&page));
        before = page["data"]["services"]["edges"][0]["cursor"].clone();
    }
    assert_eq!(back, by_relevance, "relevance pages backwards");
    by_relevance.sort();
    assert_eq!(by_relevance, by_name, "the same set whatever the order");
}

#[tokio::test]
async fn near_a_point_ranks_services_by_their_nearest_live_venue() {
    let (_t, db) = fresh().await;
    let (lat, lon) = (53.8, -1.55);
    let p = provider(&db, "Near Provider", true).await;
    let add = async |name: &str, venues: &[(f64, f64)]| {
        let id = fixtures::service(&db, p, name).await;
        for (at_lat, at_lon) in venues {
            link(&db, id, venue_at(&db, name, *at_lat, *at_lon).await).await;
        }
        id
    };
    let (far, close) = ((north(lat, 8.0), lon), (north(lat, 1.0), lon));
    add("Near Alpha", &[far, close]).await;
    add("Near Bravo", &[(lat, lon + 0.05)]).await;
    let charlie = add("Near Charlie", &[(north(lat, 6.5), lon)]).await;
    add("Near Delta Outside", &[(north(lat, 10.5), lon)]).await;
    // Inside the bounding box, outside the circle (about 11 km on the diagonal).
    add("Near Golf Corner", &[(lat + 0.07, lon + 0.12)]).await;
    let echo = add("Near Echo Unlinked", &[]).await;
    let gone = link(&db, echo, venue_at(&db, "Centre", lat, lon).await).await;
    tombstone::<repo::service_venues::Entity>(&db, gone).await;
    let hidden = service(&db, p, "Near Hidden", |m| m.published = Set(false)).await;
    link(&db, hidden, venue_at(&db, "Hidden", lat, lon).await).await;
    let gone_venue = venue_at(&db, "Gone", lat, lon).await;
    link(&db, charlie, gone_venue).await;
    tombstone::<repo::venues::Entity>(&db, gone_venue).await;

    let near = json!({ "latitude": lat, "longitude": lon, "radiusKm": 10.0 });
    let response = run(&db, anon(), json!({ "filter": { "near": near } })).await;
    let alpha_to_charlie = ["Near Alpha", "Near Bravo", "Near Charlie"];
    assert_eq!(names(&response), alpha_to_charlie);
    assert_eq!(response["data"]["services"]["totalCount"], json!(3));
    let east_km = 0.05_f64.to_radians() * 6371.0088 * lat.to_radians().cos();
    for (got, want) in distances(&response).into_iter().zip([1.0, east_km, 6.5]) {
        assert!((got - want).abs() < 0.01, "{got} km, expected {want} km");
    }
    let cases = json!([
        [{ "near": near }, alpha_to_charlie, ["DISTANCE"]],
        [{ "near": { "latitude": lat, "longitude": lon, "radiusKm": 2 } }, ["Near Alpha"]],
        [{ "near": near, "name": { "contains": "O" } }, ["Near Bravo"]],
        [{ "near": near, "search": "charlie" }, ["Near Charlie"]],
        [{ "name": { "startsWith": "near" } }, ["Near Alpha", "Near Bravo", "Near Charlie",
            "Near Delta Outside", "Near Echo Unlinked", "Near Golf Corner"]],
    ]);
    expect(&db, anon(), cases).await;
    let everyone = ["Near Hidden", "Near Alpha", "Near Bravo", "Near Charlie"];
    let cases = json!([[{ "near": near }, everyone]]);
    expect(&db, reader(), cases).await;
}

#[tokio::test]
async fn near_a_postcode_ignores_case_and_spaces_and_refuses_bad_input() {
    let (_t, db) = fresh().await;
    postcode(&db, "LS11UR", false).await;
    postcode(&db, "LS99ZZ", true).await;
    let p = provider(&db, "Postcode Provider", true).await;
    let here = fixtures::service(&db, p, "Postcode Near").await;
    link(&db, here, venue_at(&db, "Here", 53.801, -1.55).await).await;
    let far = fixtures::service(&db, p, "Postcode Far").await;
    link(&db, far, venue_at(&db, "There", 54.5, -1.55).await).await;
    let by = |postcode: &str| json!({ "near": { "postcode": postcode, "radiusKm": 5 } });
    let cases = json!([
        [by("LS11UR"), ["Postcode Near"]],
        [by("ls1 1ur"), ["Postcode Near"]],
        [by("  Ls1   1uR "), ["Postcode Near"]],
        [{ "near": { "postcode": "LS1 1UR", "radiusKm": 100 } }, ["Postcode Near", "Postcode Far"]],
    ]);
    expect(&db, anon(), cases).await;
    let point = |radius: f64| json!({ "latitude": 53.8, "longitude": -1.55, "radiusKm": radius });
    let cases = json!([
        { "filter": by("ZZ1 1ZZ") },
        { "filter": by("LS9 9ZZ") },
        { "filter": { "near": point(0.0) } },
        { "filter": { "near": point(-3.0) } },
        { "filter": { "near": point(100.5) } },
        { "filter": { "near": { "latitude": 53.8, "radiusKm": 5 } } },
        { "filter": { "near": { "postcode": "LS11UR", "latitude": 53.8, "longitude": -1.5, "radiusKm": 5 } } },
        { "filter": { "near": { "latitude": 91, "longitude": 0, "radiusKm": 5 } } },
        { "filter": { "near": point(5.0) }, "orderBy": ["NAME_ASC"] },
        { "filter": { "near": point(5.0) }, "orderBy": ["DISTANCE", "NAME_ASC"] },
        { "orderBy": ["DISTANCE"] },
        { "filter": { "or": [{ "near": point(5.0) }, { "free": true }] } },
        { "filter": { "and": [{ "near": point(5.0) }] } },
        { "filter": { "not": { "near": point(5.0) } } },
    ]);
    refuse(&db, cases).await;
    let no_radius = json!({ "filter": { "near": { "postcode": "LS11UR" } } });
    let no_radius = run(&db, anon(), no_radius).await;
    assert!(no_radius["errors"].is_array(), "{no_radius}");
}

#[tokio::test]
async fn near_results_page_with_cursors_without_repeats() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Ring Provider", true).await;
    let shared = venue_at(&db, "Shared", north(53.8, 3.0), -1.55).await;
    for i in 0..7 {
        let id = fixtures::service(&db, p, &format!("Ring {i}")).await;
        let venue = match i {
            5 | 6 => shared, // the same distance: ties go by id
            _ => venue_at(&db, "Ring", north(53.8, 1.0 + f64::from(i) * 0.75), -1.55).await,
        };
        link(&db, id, venue).await;
    }
    let near = json!({ "latitude": 53.8, "longitude": -1.55, "radiusKm": 20 });
    let all = run(&db, anon(), json!({ "filter": { "near": near } })).await;
    let (expected, expected_km) = (names(&all), distances(&all));
    assert_eq!(expected.len(), 7);
    assert!(expected_km.is_sorted(), "{expected_km:?}");
    let (mut walked, mut walked_km, mut after) = (Vec::new(), Vec::new(), Value::Null);
    for _ in 0..3 {
        let vars = json!({ "filter": { "near": near }, "first": 3, "after": after });
        let page = run(&db, anon(), vars).await;
        walked.extend(names(&page));
        walked_km.extend(distances(&page));
        assert_eq!(page["data"]["services"]["totalCount"], json!(7));
        after = page["data"]["services"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!((walked, walked_km), (expected, expected_km));
    assert!(after.is_string());
    let beyond = json!({ "filter": { "near": near }, "after": after });
    let beyond = run(&db, anon(), beyond).await;
    assert_eq!(names(&beyond), Vec::<String>::new());
    // Backwards from the end, `last` and `before`.
    let (mut back, mut before) = (Vec::new(), Value::Null);
    for _ in 0..3 {
        let vars = json!({ "filter": { "near": near }, "last": 3, "before": before });
        let page = run(&db, anon(), vars).await;
        back.splice(0..0, names(&page));
        before = page["data"]["services"]["edges"][0]["cursor"].clone();
    }
    assert_eq!(back, names(&all));
}

#[tokio::test]
async fn taxonomy_terms_any_all_and_descendants() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Tag Provider", true).await;
    let (parent, other) = (fixtures::term(&db).await, fixtures::term(&db).await);
    let narrower = async |of: Uuid, name: &str| {
        let found = repo::get_by_ids::<repo::taxonomy_terms::Entity>(&db, &[of], false).await;
        let id = new_id();
        let row = repo::taxonomy_terms::ActiveModel {
            id: Set(id),
            taxonomy_id: Set(found.expect("parent term")[0].taxonomy_id),
            parent_id: Set(Some(of)),
            name: Set(name.into()),
            ..Default::default()
        };
        insert::<repo::taxonomy_terms::Entity>(&db, row).await;
        id
    };
    let child = narrower(parent, "Child").await;
    let grandchild = narrower(child, "Grandchild").await;
    for (name, terms) in [
        ("Tag Parent", vec![parent]),
        ("Tag Child", vec![child]),
        ("Tag Grandchild", vec![grandchild]),
        ("Tag Other", vec![other]),
        ("Tag Both", vec![parent, other]),
        ("Tag Child Other", vec![child, other]),
        ("Tag None", vec![]),
    ] {
        let id = fixtures::service(&db, p, name).await;
        for term in terms {
            let mut tag = taxonomy_ref(term);
            tag.service_id = Set(Some(id));
            insert::<repo::taxonomy_refs::Entity>(&db, tag).await;
        }
    }
    let unknown = Uuid::now_v7();
    let t = |filter: Value| json!({ "taxonomyTerms": filter });
    let cases = json!([
        [t(json!({ "anyOf": [parent] })), ["Tag Both", "Tag Parent"]],
        [t(json!({ "anyOf": [parent], "includeDescendants": true })),
            ["Tag Both", "Tag Child", "Tag Child Other", "Tag Grandchild", "Tag Parent"]],
        [t(json!({ "anyOf": [child], "includeDescendants": true })),
            ["Tag Child", "Tag Child Other", "Tag Grandchild"]],
        [t(json!({ "anyOf": [grandchild], "includeDescendants": true })), ["Tag Grandchild"]],
        [t(json!({ "anyOf": [parent, other] })), ["Tag Both", "Tag Child Other", "Tag Other", "Tag Parent"]],
        [t(json!({ "allOf": [parent, other] })), ["Tag Both"]],
        [t(json!({ "allOf": [parent, other], "includeDescendants": true })), ["Tag Both", "Tag Child Other"]],
        [t(json!({ "allOf": [unknown] })), []],
        [t(json!({ "allOf": [parent, unknown] })), []],
        [t(json!({ "allOf": [unknown], "includeDescendants": true })), []],
        [t(json!({ "anyOf": [unknown] })), []],
        [{ "not": t(json!({ "anyOf": [parent, other], "includeDescendants": true })) }, ["Tag None"]],
    ]);
    expect(&db, anon(), cases).await;
    let cases = json!([
        { "filter": t(json!({})) },
        { "filter": t(json!({ "anyOf": ["not-a-uuid"] })) },
    ]);
    refuse(&db, cases).await;
}

#[tokio::test]
async fn age_checks_the_service_range_and_every_linked_eligibility() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Age Provider", true).await;
    let eligible = async |service: Uuid, min: Option<i32>, max: Option<i32>| {
        let (id, link_id) = (new_id(), new_id());
        let description = Set(format!("Ages {min:?} to {max:?}"));
        let (minimum_age, maximum_age) = (Set(min), Set(max));
        let row = repo::eligibilities::ActiveModel {
            id: Set(id),
            description,
            minimum_age,
            maximum_age,
            ..Default::default()
        };
        insert::<repo::eligibilities::Entity>(&db, row).await;
        let link = repo::service_eligibilities::ActiveModel {
            id: Set(link_id),
            service_id: Set(service),
            eligibility_id: Set(id),
            ..Default::default()
        };
        insert::<repo::service_eligibilities::Entity>(&db, link).await;
        link_id
    };
    fixtures::service(&db, p, "Age Any").await;
    type Edit = repo::services::ActiveModel;
    let range = |min, max| move |m: &mut Edit| (m.minimum_age, m.maximum_age) = (min, max);
    service(&db, p, "Age Kids", range(Set(Some(5)), Set(Some(12)))).await;
    service(&db, p, "Age Adults", range(Set(Some(18)), Set(None))).await;
    let over60 = fixtures::service(&db, p, "Age Over Sixty").await;
    eligible(over60, Some(60), None).await;
    let teens = service(&db, p, "Age Teens", range(Set(None), Set(Some(80)))).await;
    eligible(teens, Some(10), Some(20)).await;
    eligible(teens, None, None).await;
    let unlinked = fixtures::service(&db, p, "Age Unlinked").await;
    let gone = eligible(unlinked, Some(90), None).await;
    tombstone::<repo::service_eligibilities::Entity>(&db, gone).await;
    let cases = json!([
        [{ "age": 8 }, ["Age Any", "Age Kids", "Age Unlinked"]],
        [{ "age": 5 }, ["Age Any", "Age Kids", "Age Unlinked"]],
        [{ "age": 12 }, ["Age Any", "Age Kids", "Age Teens", "Age Unlinked"]],
        [{ "age": 15 }, ["Age Any", "Age Teens", "Age Unlinked"]],
        [{ "age": 30 }, ["Age Adults", "Age Any", "Age Unlinked"]],
        [{ "age": 65 }, ["Age Adults", "Age Any", "Age Over Sixty", "Age Unlinked"]],
    ]);
    expect(&db, anon(), cases).await;
    let cases = json!([{ "filter": { "age": -1 } }]);
    refuse(&db, cases).await;
}

async fn cost(db: &DatabaseConnection, service: Uuid, amount: Option<Decimal>) {
    let row = repo::cost_options::ActiveModel {
        id: Set(new_id()),
        service_id: Set(service),
        option: Set(format!("{amount:?}")),
        amount: Set(amount),
        ..Default::default()
    };
    insert::<repo::cost_options::Entity>(db, row).await;
}

#[tokio::test]
async fn free_reads_cost_option_amounts() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Cost Provider", true).await;
    fixtures::service(&db, p, "Cost None").await;
    for (name, amounts) in [
        ("Cost Zero", vec![Some(Decimal::ZERO)]),
        ("Cost No Amount", vec![None]),
        ("Cost Paid", vec![Some(Decimal::new(850, 2))]),
        ("Cost Mixed", vec![Some(Decimal::ZERO), Some(Decimal::ONE)]),
    ] {
        let id = fixtures::service(&db, p, name).await;
        for amount in amounts {
            cost(&db, id, amount).await;
        }
    }
    let cases = json!([
        [{ "free": true }, ["Cost No Amount", "Cost None", "Cost Zero"]],
        [{ "free": false }, ["Cost Mixed", "Cost Paid"]],
    ]);
    expect(&db, anon(), cases).await;
}

#[tokio::test]
async fn status_published_flagged_provider_and_updated_since() {
    let (_t, db) = fresh().await;
    let p1 = provider(&db, "One", true).await;
    let p2 = provider(&db, "Two", true).await;
    fixtures::service(&db, p1, "St Active").await;
    let inactive = |m: &mut repo::services::ActiveModel| {
        (m.status, m.flagged) = (Set(ServiceStatus::Inactive), Set(true))
    };
    service(&db, p1, "St Inactive", inactive).await;
    let status = |status| move |m: &mut repo::services::ActiveModel| m.status = Set(status);
    let defunct = service(&db, p2, "St Defunct", status(ServiceStatus::Defunct)).await;
    let closed = status(ServiceStatus::TemporarilyClosed);
    service(&db, p2, "St Closed", closed).await;
    service(&db, p1, "St Hidden", |m| m.published = Set(false)).await;
    let cases = json!([
        [{ "status": { "eq": "INACTIVE" } }, ["St Inactive"]],
        [{ "status": { "in": ["DEFUNCT", "TEMPORARILY_CLOSED"] } }, ["St Closed", "St Defunct"]],
        [{ "status": { "ne": "ACTIVE" } }, ["St Closed", "St Defunct", "St Inactive"]],
        [{ "status": { "notIn": ["ACTIVE", "INACTIVE"] } }, ["St Closed", "St Defunct"]],
        [{ "published": false }, []],
        [{ "published": true }, ["St Active", "St Closed", "St Defunct", "St Inactive"]],
        [{ "flagged": true }, ["St Inactive"]],
        [{ "flagged": false }, ["St Active", "St Closed", "St Defunct"]],
        [{ "providerId": { "eq": p2 } }, ["St Closed", "St Defunct"]],
        [{ "providerId": { "in": [p1] } }, ["St Active", "St Inactive"]],
    ]);
    expect(&db, anon(), cases).await;
    let cases = json!([
        [{ "published": false }, ["St Hidden"]],
        [{ "providerId": { "eq": p1 } }, ["St Active", "St Hidden", "St Inactive"]],
    ]);
    expect(&db, reader(), cases).await;

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let change = repo::services::ActiveModel {
        description: Set(Some("New".into())),
        ..Default::default()
    };
    ok(repo::update::<repo::services::Entity>(&db, defunct, 1, change).await);
    fixtures::service(&db, p1, "St New").await;
    let earlier = since - TimeDelta::hours(1);
    let cases = json!([
        [{ "updatedSince": since }, ["St Defunct", "St New"]],
        [{ "updatedSince": earlier }, ["St Active", "St Closed", "St Defunct", "St Inactive", "St New"]],
    ]);
    expect(&db, anon(), cases).await;
}

#[tokio::test]
async fn name_operators_and_boolean_combinations() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Ops Provider", true).await;
    let all = "Healthy Eating Club|Mental Health Drop-in|Mental Wellbeing Cafe|Over_50 Club";
    add_all(&db, p, &format!("{all}|Overt Club|Youth Club")).await;
    let mental = ["Mental Health Drop-in", "Mental Wellbeing Cafe"];
    let cases = json!([
        [{ "name": { "startsWith": "MENTAL" } }, mental],
        [{ "name": { "startsWith": "over_" } }, ["Over_50 Club"]],
        [{ "name": { "contains": "CLUB" } }, ["Healthy Eating Club", "Over_50 Club", "Overt Club", "Youth Club"]],
        [{ "name": { "contains": "%" } }, []],
        [{ "name": { "in": ["Youth Club", "Nope", "Overt Club"] } }, ["Overt Club", "Youth Club"]],
        [{ "name": { "eq": "youth club" } }, []],
        [{ "name": { "eq": "Youth Club" } }, ["Youth Club"]],
        [{ "or": [{ "name": { "startsWith": "youth" } }, { "name": { "contains": "wellbeing" } }] },
            ["Mental Wellbeing Cafe", "Youth Club"]],
        [{ "not": { "name": { "contains": "club" } } }, mental],
        [{ "and": [{ "name": { "contains": "club" } }, { "not": { "name": { "startsWith": "over" } } }] },
            ["Healthy Eating Club", "Youth Club"]],
        [{ "or": [{ "search": "wellbeing" }, { "name": { "eq": "Youth Club" } }] }, ["Mental Wellbeing Cafe", "Youth Club"]],
        [{ "name": { "contains": "club" }, "or": [{ "name": { "startsWith": "h" } }, { "name": { "startsWith": "y" } }] },
            ["Healthy Eating Club", "Youth Club"]],
        [{ "not": { "not": { "name": { "startsWith": "overt" } } } }, ["Overt Club"]],
    ]);
    expect(&db, anon(), cases).await;
}

#[tokio::test]
async fn anonymous_callers_see_only_published_live_records_at_every_level() {
    let (_t, db) = fresh().await;
    let open = provider(&db, "Vis Open", true).await;
    let closed = provider(&db, "Vis Closed", false).await;
    let shown = fixtures::service(&db, open, "Vis Shown").await;
    let draft = service(&db, open, "Vis Draft", |m| m.published = Set(false)).await;
    let orphan = fixtures::service(&db, closed, "Vis Orphan").await;
    let gone = fixtures::service(&db, open, "Vis Gone").await;
    let term = fixtures::term(&db).await;
    for id in [shown, draft, orphan, gone] {
        let mut tag = taxonomy_ref(term);
        tag.service_id = Set(Some(id));
        insert::<repo::taxonomy_refs::Entity>(&db, tag).await;
    }
    for (name, services) in [
        ("Venue Shown", vec![shown]),
        ("Venue Draft", vec![draft]),
        ("Venue Orphan", vec![orphan]),
        ("Venue Both", vec![draft, shown]),
    ] {
        let venue = venue_at(&db, name, 53.8, -1.5).await;
        for service in services {
            link(&db, service, venue).await;
        }
    }
    tombstone::<repo::services::Entity>(&db, gone).await;

    let cases = json!([[{}, ["Vis Shown"]]]);

    expect(&db, anon(), cases).await;
    let cases = json!([[{}, ["Vis Draft", "Vis Orphan", "Vis Shown"]]]);
    expect(&db, reader(), cases).await;
    let query = "query ($p: ID!, $t: ID!, $c: ID!, $s: ID!) {
      providers { nodes { name } }
      venues { totalCount nodes { name } }
      provider(id: $p) { services { totalCount nodes { name } } }
      closed: provider(id: $c) { name }
      taxonomyTerm(id: $t) { services { totalCount nodes { name } } }
      node(id: $s) { id ... on Service { name } }
      service(id: $s) { name } }";
    let vars = |service: Uuid| json!({ "p": open, "t": term, "c": closed, "s": service });
    let seen = execute_as(&db, anon(), query, vars(draft)).await;
    let only_shown = json!({ "totalCount": 1, "nodes": [{ "name": "Vis Shown" }] });
    let venues = json!({ "totalCount": 2,
        "nodes": [{ "name": "Venue Both" }, { "name": "Venue Shown" }] });
    let expected = json!({ "data": {
        "providers": { "nodes": [{ "name": "Vis Open" }] },
        "venues": venues,
        "provider": { "services": only_shown },
        "closed": null,
        "taxonomyTerm": { "services": only_shown },
        "node": null,
        "service": null,
    } });
    assert_eq!(seen, expected);

    let seen = execute_as(&db, reader(), query, vars(draft)).await;
    let draft_node = json!({ "id": draft.to_string(), "name": "Vis Draft" });
    let drafts = json!({ "totalCount": 2,
        "nodes": [{ "name": "Vis Draft" }, { "name": "Vis Shown" }] });
    assert!(seen.get("errors").is_none(), "{seen}");
    let data = &seen["data"];
    let both = json!([{ "name": "Vis Closed" }, { "name": "Vis Open" }]);
    assert_eq!(data["providers"]["nodes"], both);
    assert_eq!(data["venues"]["totalCount"], json!(4));
    assert_eq!(data["provider"]["services"], drafts);
    assert_eq!(data["closed"], json!({ "name": "Vis Closed" }));
    assert_eq!(data["taxonomyTerm"]["services"]["totalCount"], json!(3));
    assert_eq!(data["node"], draft_node);
    assert_eq!(data["service"], json!({ "name": "Vis Draft" }));
    let tombstoned = execute_as(&db, reader(), query, vars(gone)).await;
    let tombstoned = &tombstoned["data"];
    let found = [&tombstoned["node"], &tombstoned["service"]];
    assert_eq!(found, [&Value::Null; 2]);
}

#[tokio::test]
async fn events_between_keeps_one_offs_and_recurrences_that_overlap() {
    let (_t, db) = fresh().await;
    let p = provider(&db, "Event Provider", true).await;
    // 2024-01-01 and 2024-03-04 are Mondays; the window is 09:00-12:00 on 2024-03-04.
    let events = "
        Ev One-off Inside | 2024-03-04T10:00:00Z |    60 |
        Ev One-off Before | 2024-03-03T10:00:00Z |    60 |
        Ev One-off After  | 2024-03-05T10:00:00Z |    60 |
        Ev Spanning       | 2024-03-01T00:00:00Z | 12960 |
        Ev Weekly Monday  | 2024-01-01T10:00:00Z |    60 | FREQ=WEEKLY
        Ev Weekly Long    | 2024-01-01T08:00:00Z |    90 | FREQ=WEEKLY;BYDAY=MO
        Ev Weekly Count   | 2024-01-01T10:00:00Z |    60 | FREQ=WEEKLY;COUNT=3
        Ev Weekly Tuesday | 2024-01-02T10:00:00Z |    60 | FREQ=WEEKLY
        Ev Weekly Later   | 2024-04-01T10:00:00Z |    60 | FREQ=WEEKLY
        Ev Daily Prefixed | 2024-02-01T10:30:00Z |    15 | RRULE:FREQ=DAILY";
    for line in events.lines().skip(1) {
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let starts: DateTime<Utc> = fields[1].parse().expect("start");
        let minutes = fields[2].parse().expect("minutes");
        let row = repo::events::ActiveModel {
            id: Set(new_id()),
            provider_id: Set(Some(p)),
            title: Set(fields[0].into()),
            starts_at: Set(Some(starts)),
            ends_at: Set(Some(starts + TimeDelta::minutes(minutes))),
            rrule: Set(Some(fields[3].to_owned()).filter(|rule| !rule.is_empty())),
            ..Default::default()
        };
        insert::<repo::events::Entity>(&db, row).await;
    }
    let query = "query ($filter: EventFilter, $first: Int, $after: String, $last: Int,
      $before: String) { events(filter: $filter, first: $first, after: $after, last: $last,
      before: $before) { totalCount nodes { title } pageInfo { startCursor endCursor } } }";
    let between = json!({ "between": {
        "from": "2024-03-04T09:00:00Z", "to": "2024-03-04T12:00:00Z" } });
    let expected =
        "Ev Daily Prefixed|Ev One-off Inside|Ev Spanning|Ev Weekly Long|Ev Weekly Monday";
    let expected: Vec<&str> = expected.split('|').collect();
    let (mut walked, mut after) = (Vec::new(), Value::Null);
    for _ in 0..3 {
        let vars = json!({ "filter": between, "first": 2, "after": after });
        let page = execute_as(&db, anon(), query, vars).await;
        let events = &page["data"]["events"];
        assert_eq!(events["totalCount"], json!(5), "{page}");
        let nodes = events["nodes"].as_array().expect("nodes");
        walked.extend(nodes.iter().map(|n| n["title"].clone()));
        after = events["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(json!(walked), json!(expected));
    let (mut back, mut before) = (Vec::new(), Value::Null);
    for _ in 0..3 {
        let vars = json!({ "filter": between, "last": 2, "before": before });
        let page = execute_as(&db, anon(), query, vars).await;
        let events = &page["data"]["events"];
        let nodes = events["nodes"].as_array().expect("nodes");
        back.splice(0..0, nodes.iter().map(|n| n["title"].clone()));
        before = events["pageInfo"]["startCursor"].clone();
    }
    assert_eq!(json!(back), json!(expected), "backwards");
}

#[tokio::test]
async fn filters_work_over_http() {
    let app = spawn_app().await;
    let db = &app.db;
    postcode(db, "LS11UR", false).await;
    let p = provider(db, "Http Provider", true).await;
    let drop_in = fixtures::service(db, p, "Mental Health Drop-in").await;
    let hub = venue_at(db, "Hub", north(53.8, 2.0), -1.55).await;
    link(db, drop_in, hub).await;
    let paid = fixtures::service(db, p, "Mental Wellbeing Cafe").await;
    cost(db, paid, Some(Decimal::new(3, 0))).await;
    let cafe = venue_at(db, "Cafe", north(53.8, 1.0), -1.55).await;
    link(db, paid, cafe).await;
    service(db, p, "Mental Hidden", |m| m.published = Set(false)).await;
    let cases = json!([
        [{ "search": "ment heal" }, ["Mental Health Drop-in"]],
        [{ "near": { "postcode": "ls1 1ur", "radiusKm": 5 } },
            ["Mental Wellbeing Cafe", "Mental Health Drop-in"]],
        [{ "free": true, "search": "mental" }, ["Mental Health Drop-in"]],
    ]);
    for case in cases.as_array().expect("cases") {
        let response = app.graphql(SERVICES, json!({ "filter": case[0] })).await;
        assert_eq!(json!(names(&response)), case[1]);
    }
    let no_words = json!({ "filter": { "search": "?!" } });
    let unknown = json!({ "filter": { "near": { "postcode": "ZZ9 9ZZ", "radiusKm": 5 } } });
    for vars in [no_words, unknown] {
        let response = app.graphql(SERVICES, vars).await;
        assert_eq!(code(&response), "BAD_USER_INPUT");
    }
}
