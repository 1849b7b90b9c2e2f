//! `/hsds/services` and `/hsds/service_at_locations` over a real server: the
//! official HSDS example read back as whole nested objects that the official HSDS
//! 3.0 and Open Referral UK schemas accept, every filter, every bad parameter of
//! the issue, visibility, and page walks that stay whole while the directory
//! changes under them.

use crate::helpers::{TestApp, graphql_as, import_text, spawn_app};
use crate::hsds_api::{get, get_as, walk};
use crate::hsds_package::import_fixture;
use crate::hsds_schema::assert_valid;
use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const SERVICE: &str = "ac148810-d857-441c-9679-408f346de14b";
const LINK: &str = "e94c9f38-1e8f-4564-91d4-d53501ab1765";
const TAXONOMY: &str = "5c4d79d7-cc55-470e-9f1f-8cad074e4892";

async fn official() -> TestApp {
    let app = spawn_app().await;
    import_fixture(&app.db, "official").await;
    app
}

fn ids(body: &Value) -> Vec<String> {
    body["contents"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_official_example_comes_back_as_one_whole_service() {
    let app = official().await;
    let (status, service) = get(&app, &format!("/hsds/services/{SERVICE}")).await;
    assert_eq!(status, 200, "{service}");
    assert_valid("compiled/service.json", &service, "the official service");
    assert_eq!(service["name"], "Community Counselling");
    assert_eq!(service["minimum_age"], 12);
    assert_eq!(service["cost_options"][0]["amount"], 35.0, "a number");
    assert_eq!(
        service["program"]["name"],
        "Community Mental Health Support"
    );
    let organization = &service["organization"];
    assert_eq!(organization["name"], "Example Organization Inc.");
    assert_eq!(
        organization["organization_identifiers"][0]["identifier"],
        "1234567"
    );
    assert!(
        organization.get("funding").is_none() && organization.get("contacts").is_none(),
        "what is also the service's is nested in the service only: {organization}"
    );
    assert!(service["funding"][0]["source"].is_string(), "{service}");
    assert!(
        organization.get("locations").is_none(),
        "a service's locations are its service_at_locations'"
    );
    let contact = &service["contacts"][0];
    assert_eq!(contact["name"], "Ann Persona");
    assert_eq!(
        contact["phones"][0]["id"], "1554f2e2-a373-45db-a3fa-9fc48a61c15e",
        "a contact's phone is nested in it"
    );
    assert_eq!(service["phones"][0]["languages"][0]["code"], "ur");
    let link = &service["service_at_locations"][0];
    assert_eq!(link["id"], LINK);
    let location = &link["location"];
    assert_eq!(location["name"], "MyCity Civic Center");
    assert_eq!(location["addresses"][0]["postal_code"], "ABC 1234");
    assert!(location["accessibility"][0]["description"].is_string());
    assert_eq!(link["schedules"][0]["byday"], "TH,FR");
    let attribute = &service["attributes"][0];
    assert_eq!(attribute["link_entity"], "service");
    assert_eq!(attribute["link_id"], SERVICE);
    assert_eq!(
        attribute["taxonomy_term"]["taxonomy_detail"]["id"],
        TAXONOMY
    );
    assert!(
        service.get("metadata").is_none() && service.get("published").is_none(),
        "HSDS fields only, provenance aside: {service}"
    );

    // The list has the one-to-one fields only.
    let (_, list) = get(&app, "/hsds/services").await;
    assert_valid(
        "compiled/service_list.json",
        &list["contents"][0],
        "a list entry",
    );
    assert_eq!(
        list["contents"][0]["organization"]["id"],
        organization["id"]
    );
    assert!(list["contents"][0].get("phones").is_none(), "{list}");
    assert_eq!(
        walk(&app, "/hsds/services", 10, "compiled/service_list.json").await,
        vec![SERVICE]
    );
    // `full_service` (and HSDS's `full`) nests everything in the list too.
    for flag in ["full_service=true", "full=true"] {
        let (_, full) = get(&app, &format!("/hsds/services?{flag}")).await;
        assert_eq!(full["contents"][0], service, "{flag}");
    }

    let (status, one) = get(&app, &format!("/hsds/service_at_locations/{LINK}")).await;
    assert_eq!(status, 200, "{one}");
    assert_valid(
        "compiled/service_at_location.json",
        &one,
        "the official link",
    );
    assert_eq!(one["location"]["addresses"][0]["city"], "MyCity");
    assert_eq!(one["service"]["id"], SERVICE);
    assert!(
        one["service"].get("service_at_locations").is_none(),
        "the link's service is plain: {one}"
    );
    assert_eq!(one["phones"][0]["number"], service["phones"][0]["number"]);
    assert_eq!(
        walk(
            &app,
            "/hsds/service_at_locations",
            10,
            "compiled/service_at_location_list.json",
        )
        .await,
        vec![LINK]
    );
}

const A: &str = "0190a000-0000-7000-8000-00000000000a";
const B: &str = "0190a000-0000-7000-8000-00000000000b";
const TERM: &str = "0190b000-0000-7000-8000-000000000001";
const CHILD: &str = "0190b000-0000-7000-8000-000000000002";
const OTHER_TAXONOMY: &str = "0190b000-0000-7000-8000-0000000000ff";
const OTHER_TERM: &str = "0190b000-0000-7000-8000-000000000003";

fn service_id(n: u32) -> String {
    format!("0190c000-0000-7000-8000-{n:012}")
}

/// Two organizations (B unpublished) and their services; venues in Leeds and
/// London; a Leeds service area; two taxonomies with a term, a child and another.
async fn small_directory(app: &TestApp) {
    import_text(
        &app.db,
        "organizations.csv",
        format!(
            "id,name,description,published\n{A},Food Bank,Feeds people,true\n\
             {B},Draft Trust,Not yet public,false\n"
        ),
    )
    .await;
    import_text(
        &app.db,
        "services.csv",
        format!(
            "id,organization_id,name,description,status,minimum_age,maximum_age,published\n\
             {},{A},Food Parcels,Free food parcels for families,active,0,99,true\n\
             {},{A},Debt Advice,Help with money and debt,active,18,,true\n\
             {},{A},Youth Club,Games and sport for teenagers,active,11,18,true\n\
             {},{A},Night Shelter,Beds for the night,active,18,,false\n\
             {},{B},Draft Service,Not yet public,active,,,true\n",
            service_id(1),
            service_id(2),
            service_id(3),
            service_id(4),
            service_id(5),
        ),
    )
    .await;
    import_text(
        &app.db,
        "locations.csv",
        format!(
            "id,organization_id,name,location_type,latitude,longitude\n\
             0190d000-0000-7000-8000-000000000001,{A},Leeds Hall,physical,53.7997,-1.5492\n\
             0190d000-0000-7000-8000-000000000002,{A},London Hall,physical,51.5074,-0.1278\n"
        ),
    )
    .await;
    import_text(
        &app.db,
        "service_at_location.csv",
        format!(
            "id,service_id,location_id\n\
             0190e000-0000-7000-8000-000000000001,{},0190d000-0000-7000-8000-000000000001\n\
             0190e000-0000-7000-8000-000000000002,{},0190d000-0000-7000-8000-000000000002\n\
             0190e000-0000-7000-8000-000000000003,{},0190d000-0000-7000-8000-000000000001\n",
            service_id(1),
            service_id(2),
            service_id(5),
        ),
    )
    .await;
    import_text(
        &app.db,
        "service_areas.csv",
        format!(
            "id,service_id,name,extent_type,extent\n\
             0190f000-0000-7000-8000-000000000001,{},Leeds,geojson,\"{{\"\"type\"\":\"\"Polygon\"\",\"\"coordinates\"\":[[[-1.7,53.7],[-1.4,53.7],[-1.4,53.9],[-1.7,53.9],[-1.7,53.7]]]}}\"\n",
            service_id(2),
        ),
    )
    .await;
    import_text(
        &app.db,
        "taxonomies.csv",
        format!(
            "id,name,description\n{TAXONOMY},Needs,What people need\n\
             {OTHER_TAXONOMY},Other,Another vocabulary\n"
        ),
    )
    .await;
    import_text(
        &app.db,
        "taxonomy_terms.csv",
        format!(
            "id,name,description,parent_id,taxonomy_id\n\
             {TERM},Food,Food,,{TAXONOMY}\n{CHILD},Parcels,Food parcels,{TERM},{TAXONOMY}\n\
             {OTHER_TERM},Money,Money,,{OTHER_TAXONOMY}\n"
        ),
    )
    .await;
    import_text(
        &app.db,
        "attributes.csv",
        format!(
            "id,link_id,link_entity,taxonomy_term_id\n\
             0190f100-0000-7000-8000-000000000001,{},service,{CHILD}\n\
             0190f100-0000-7000-8000-000000000002,{},service,{OTHER_TERM}\n",
            service_id(1),
            service_id(2),
        ),
    )
    .await;
    for (postcode, latitude, longitude) in [("LS13ED", 53.8, -1.548), ("SW1A1AA", 51.501, -0.1416)]
    {
        entities::postcodes::Entity::insert(entities::postcodes::ActiveModel {
            postcode: Set(postcode.into()),
            latitude: Set(Some(latitude)),
            longitude: Set(Some(longitude)),
            terminated: Set(false),
            source_file: Set(None),
            updated_at: Set(chrono::Utc::now()),
        })
        .exec_without_returning(&app.db)
        .await
        .expect("postcode");
    }
}

/// The names `path` lists, in its order (every entry checked against the list
/// schema).
async fn names(app: &TestApp, path: &str) -> Vec<String> {
    let (status, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    let items = body["contents"].as_array().cloned().unwrap_or_default();
    for item in &items {
        assert_valid("compiled/service_list.json", item, path);
    }
    items
        .iter()
        .filter_map(|item| item["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn every_filter_of_services_selects_what_it_names() {
    let app = spawn_app().await;
    small_directory(&app).await;
    let all = ["Food Parcels", "Debt Advice", "Youth Club"];
    assert_eq!(names(&app, "/hsds/services").await, all);
    for (query, expected) in [
        ("text=food", vec!["Food Parcels"]),
        ("search=money%20debt", vec!["Debt Advice"]),
        (&*format!("taxonomy_term_id={CHILD}"), vec!["Food Parcels"]),
        // A service tagged with a narrower term is about the broader one too.
        (&*format!("taxonomy_term_id={TERM}"), vec!["Food Parcels"]),
        (
            &*format!("taxonomy_id={OTHER_TAXONOMY}"),
            vec!["Debt Advice"],
        ),
        (&*format!("taxonomy_id={TAXONOMY}"), vec!["Food Parcels"]),
        (&*format!("organization_id={A}"), all.to_vec()),
        (&*format!("organization_id={B}"), vec![]),
        ("minimal_age=11", vec!["Debt Advice", "Youth Club"]),
        ("minimum_age=18", vec!["Debt Advice"]),
        ("maximal_age=18", vec!["Youth Club"]),
        ("maximum_age=99", vec!["Food Parcels", "Youth Club"]),
        // A postcode alone: services whose area covers it.
        ("postcode=ls1%203ed", vec!["Debt Advice"]),
        // With a proximity in metres: near a venue, nearest first.
        ("postcode=LS13ED&proximity=5000", vec!["Food Parcels"]),
        ("postcode=LS13ED&proximity=200000", vec!["Food Parcels"]),
        ("postcode=SW1A1AA&proximity=2000", vec!["Debt Advice"]),
        ("text=food&minimal_age=1", vec![]),
    ] {
        assert_eq!(
            names(&app, &format!("/hsds/services?{query}")).await,
            expected,
            "{query}"
        );
    }
    // From London, Leeds is out of 200 km; from Leeds, London too.
    assert_eq!(
        names(&app, "/hsds/services?postcode=SW1A1AA&proximity=200000").await,
        ["Debt Advice"]
    );
    // The same filters on the links.
    let (_, links) = get(&app, "/hsds/service_at_locations?text=food").await;
    assert_eq!(ids(&links), ["0190e000-0000-7000-8000-000000000001"]);
    for item in links["contents"].as_array().into_iter().flatten() {
        assert_valid("compiled/service_at_location_list.json", item, "a link");
        assert_eq!(item["location"]["name"], "Leeds Hall");
        assert_eq!(item["service"]["name"], "Food Parcels");
    }
    // The hidden organization's link is not listed to the public.
    let (_, links) = get(&app, "/hsds/service_at_locations").await;
    assert_eq!(links["total_items"], 2, "{links}");

    // `modified_after`: nothing changed after now; a nested phone changing
    // makes its service modified.
    let before = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = before.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let since = since.replace('+', "%2B");
    assert_eq!(
        names(&app, &format!("/hsds/services?modified_after={since}")).await,
        Vec::<String>::new()
    );
    import_text(
        &app.db,
        "phones.csv",
        format!(
            "id,service_id,number\n0190f200-0000-7000-8000-000000000001,{},0113 496 0000\n",
            service_id(3)
        ),
    )
    .await;
    import_text(
        &app.db,
        "addresses.csv",
        "id,location_id,address_1,city,postal_code,country,address_type\n\
         0190f300-0000-7000-8000-000000000001,0190d000-0000-7000-8000-000000000002,\
         1 Street,London,SW1A 1AA,GB,physical\n"
            .to_owned(),
    )
    .await;
    assert_eq!(
        names(&app, &format!("/hsds/services?modified_after={since}")).await,
        ["Debt Advice", "Youth Club"],
        "a phone of the youth club, an address of the debt service's venue"
    );
    let (_, youth) = get(&app, &format!("/hsds/services/{}", service_id(3))).await;
    assert_eq!(youth["phones"][0]["number"], "0113 496 0000");
}

#[tokio::test]
async fn services_follow_the_visibility_rule() {
    let app = spawn_app().await;
    small_directory(&app).await;
    for hidden in [service_id(4), service_id(5)] {
        assert_eq!(
            get(&app, &format!("/hsds/services/{hidden}")).await.0,
            404,
            "{hidden}"
        );
        let (status, body) = get_as(&app, "admin", &format!("/hsds/services/{hidden}")).await;
        assert_eq!(status, 200, "an admin sees {hidden}: {body}");
        assert_valid("compiled/service.json", &body, "a hidden service");
    }
    let (_, public) = get(&app, "/hsds/services").await;
    let (_, admin) = get_as(&app, "admin", "/hsds/services").await;
    assert_eq!(
        (public["total_items"].clone(), admin["total_items"].clone()),
        (json!(3), json!(5))
    );
    // GraphQL shows the public the same services.
    let graphql = app.graphql("{ services { totalCount } }", json!({})).await;
    assert_eq!(graphql["data"]["services"]["totalCount"], 3, "{graphql}");
    let deleted = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { deleteService(id: $id, cascade: true) }",
        json!({ "id": service_id(1) }),
    )
    .await;
    assert!(deleted.get("errors").is_none(), "{deleted}");
    assert_eq!(
        get_as(&app, "admin", &format!("/hsds/services/{}", service_id(1)))
            .await
            .0,
        404
    );
    assert_eq!(
        names(&app, "/hsds/services").await,
        ["Debt Advice", "Youth Club"]
    );
}

#[tokio::test]
async fn bad_parameters_of_services_are_400_naming_them() {
    let app = spawn_app().await;
    small_directory(&app).await;
    for route in ["/hsds/services", "/hsds/service_at_locations"] {
        for (query, parameter) in [
            ("page=0", "page"),
            ("per_page=100000", "per_page"),
            ("proximity=1000", "proximity"),
            ("postcode=ZZ99%209ZZ", "postcode"),
            ("postcode=LS13ED&proximity=far", "proximity"),
            ("postcode=LS13ED&proximity=900000", "proximity"),
            ("modified_after=yesterday", "modified_after"),
            ("minimal_age=-1", "minimal_age"),
            ("maximum_age=old", "maximum_age"),
            ("taxonomy_term_id=food", "taxonomy_term_id"),
            ("taxonomy_id=1", "taxonomy_id"),
            ("organization_id=x", "organization_id"),
            ("full_service=maybe", "full_service"),
            ("text=%3F%21", "text"),
            ("colour=red", "colour"),
        ] {
            let path = format!("{route}?{query}");
            let (status, body) = get(&app, &path).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["parameter"], parameter, "{path}: {body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    for path in ["/hsds/services/not-an-id", "/hsds/service_at_locations/42"] {
        let (status, body) = get(&app, path).await;
        assert_eq!(
            (status, body["parameter"].clone()),
            (400, json!("id")),
            "{path}"
        );
    }
    for path in [
        "/hsds/services/0190c000-0000-7000-8000-00000000dead",
        "/hsds/service_at_locations/0190c000-0000-7000-8000-00000000dead",
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(
            (status, body["code"].clone()),
            (404, json!(404)),
            "{path}: {body}"
        );
    }
}

/// 120 services walked seven at a time while services are deleted, unpublished,
/// renamed and added on pages behind and ahead of the walker: every service
/// visible throughout is seen (once, or twice for the one added behind the
/// walker); what changed during the walk is in the next walk from the time this
/// one started.
#[tokio::test]
async fn a_page_walk_stays_whole_while_the_directory_changes() {
    let app = spawn_app().await;
    import_text(
        &app.db,
        "organizations.csv",
        format!("id,name,description,published\n{A},Food Bank,Feeds people,true\n"),
    )
    .await;
    let mut csv = "id,organization_id,name,status,published\n".to_owned();
    for n in 1..=120 {
        csv.push_str(&format!(
            "{},{A},Service {n},active,true\n",
            service_id(n * 10)
        ));
    }
    import_text(&app.db, "services.csv", csv).await;
    let everyone: BTreeSet<String> = (1..=120).map(|n| service_id(n * 10)).collect();

    // An undisturbed walk sees each service once.
    let whole = walk(&app, "/hsds/services", 7, "compiled/service_list.json").await;
    assert_eq!(whole.iter().cloned().collect::<BTreeSet<_>>(), everyone);
    assert_eq!(whole.len(), 120);

    let started = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut page = 1;
    let mut changed = BTreeSet::new();
    loop {
        let (status, body) = get(&app, &format!("/hsds/services?page={page}&per_page=7")).await;
        assert_eq!(status, 200, "{body}");
        for id in ids(&body) {
            *seen.entry(id).or_default() += 1;
        }
        if page == 6 {
            // Behind the walker (pages 1–6 hold services 1–42) and ahead of it.
            for n in [3, 80] {
                let gone = graphql_as(
                    &app,
                    "admin",
                    "mutation($id: ID!) { deleteService(id: $id) }",
                    json!({ "id": service_id(n * 10) }),
                )
                .await;
                assert!(gone.get("errors").is_none(), "{gone}");
            }
            let mut edits = "id,organization_id,name,status,published\n".to_owned();
            for (n, name, published) in [
                (5, "Service 5", false),
                (90, "Service 90", false),
                (7, "Renamed 7", true),
                (100, "Renamed 100", true),
            ] {
                edits.push_str(&format!(
                    "{},{A},{name},active,{published}\n",
                    service_id(n * 10)
                ));
                changed.insert(service_id(n * 10));
            }
            // New services sort before and after the walker.
            for n in [1, 1001] {
                edits.push_str(&format!("{},{A},New {n},active,true\n", service_id(n)));
                changed.insert(service_id(n));
            }
            import_text(&app.db, "services.csv", edits).await;
        }
        if body["last_page"] == json!(true) {
            break;
        }
        page += 1;
        assert!(page < 100, "the walk never ended");
    }
    // The one service added before the walker moved the later boundaries on by
    // one, so one service may come twice (clients keep the last); none is lost.
    let twice: Vec<_> = seen.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        twice.len() <= 1 && seen.values().all(|count| *count <= 2),
        "seen twice: {twice:?}"
    );
    let throughout: BTreeSet<String> = everyone
        .iter()
        .filter(|id| ![3, 80, 5, 90].iter().any(|n| **id == service_id(n * 10)))
        .cloned()
        .collect();
    let missed: Vec<_> = throughout
        .iter()
        .filter(|id| !seen.contains_key(*id))
        .collect();
    assert!(missed.is_empty(), "skipped: {missed:?}");
    // The one renamed ahead of the walker was seen renamed.
    let (_, hundred) = get(&app, &format!("/hsds/services/{}", service_id(1000))).await;
    assert_eq!(hundred["name"], "Renamed 100");

    // The next walk from when this one started has every change (the
    // unpublished and deleted are not the public's), and nothing else.
    let since = started
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B");
    let next: BTreeSet<String> = walk(
        &app,
        &format!("/hsds/services?modified_after={since}"),
        3,
        "compiled/service_list.json",
    )
    .await
    .into_iter()
    .collect();
    let expected: BTreeSet<String> = [
        service_id(70),
        service_id(1000),
        service_id(1),
        service_id(1001),
    ]
    .into_iter()
    .collect();
    assert_eq!(next, expected);
    assert!(changed.is_superset(&next));
}
