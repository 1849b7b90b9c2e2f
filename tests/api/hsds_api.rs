//! The HSDS 3.0 / Open Referral UK REST API over a real server: every response
//! checked against the official schemas (`crate::hsds_schema`), pages walked to the
//! end with each record seen once, bad parameters answered 400 naming the
//! parameter, unknown ids 404, and the base path configurable. The taxonomy and its
//! terms come from the official HSDS example package.

use crate::helpers::{TestApp, graphql_as, import_text, spawn_app, spawn_app_with, token};
use crate::hsds_schema::{Profile, assert_valid, validator};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub(crate) const OFFICIAL: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hsds/official");
const TAXONOMY: &str = "5c4d79d7-cc55-470e-9f1f-8cad074e4892";
const PARENT: &str = "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2";

/// The official example's taxonomy and terms, and `extra` children of its parent
/// term (ids ending 1…extra); returns every live term id.
async fn directory(app: &TestApp, extra: usize) -> BTreeSet<String> {
    let mut terms =
        std::fs::read_to_string(format!("{OFFICIAL}/taxonomy_terms.csv")).expect("terms");
    for i in 1..=extra {
        terms.push_str(&format!(
            "0190f000-0000-7000-8000-{i:012},,Child {i},Child term {i},{PARENT},,,{TAXONOMY},\n"
        ));
    }
    let taxonomies =
        std::fs::read_to_string(format!("{OFFICIAL}/taxonomies.csv")).expect("taxonomies");
    for (name, body) in [
        ("taxonomies.csv", taxonomies),
        ("taxonomy_terms.csv", terms.clone()),
    ] {
        import_text(&app.db, name, body).await;
    }
    terms
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next().map(str::to_owned))
        .collect()
}

pub(crate) async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// `get` with a bearer token for `role`.
pub(crate) async fn get_as(app: &TestApp, role: &str, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token(role))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// The official OpenAPI document's `Page` schema, which every list must meet.
pub(crate) fn assert_page(body: &Value, what: &str) {
    let openapi: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/hsds/schema/openapi.json"
        ))
        .expect("openapi.json"),
    )
    .expect("JSON");
    let page = &openapi["components"]["schemas"]["Page"];
    let validator = jsonschema::validator_for(page).expect("Page schema");
    let problems: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{what}: {problems:?}");
    for key in [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ] {
        assert!(body.get(key).is_some(), "{what} lacks {key}: {body}");
    }
}

/// Walks every page of `path` at `per_page`, checking each item against `schema`;
/// the ids in the order seen.
pub(crate) async fn walk(app: &TestApp, path: &str, per_page: u64, schema: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let (status, body) = get(
            app,
            &format!("{path}{joiner}page={page}&per_page={per_page}"),
        )
        .await;
        assert_eq!(status, 200, "{path} page {page}: {body}");
        assert_page(&body, path);
        assert_eq!(body["page_number"], page);
        assert_eq!(body["first_page"], page == 1);
        for item in body["contents"].as_array().expect("contents") {
            assert_valid(schema, item, path);
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        if body["last_page"] == json!(true) {
            assert_eq!(body["total_pages"], page, "{body}");
            assert_eq!(body["total_items"], seen.len(), "{body}");
            return seen;
        }
        page += 1;
        assert!(page < 1000, "{path} never reached its last page");
    }
}

#[tokio::test]
async fn the_root_names_the_version_profile_and_a_document_of_exactly_its_routes() {
    let app = spawn_app().await;
    let (status, root) = get(&app, "/hsds/").await;
    assert_eq!(status, 200, "{root}");
    assert_eq!(root["version"], "3.0");
    assert!(
        root["profile"]
            .as_str()
            .is_some_and(|p| p.starts_with("https://")),
        "{root}"
    );
    let openapi_url = root["openapi_url"].as_str().expect("openapi_url");
    assert!(
        openapi_url.starts_with("http") && openapi_url.ends_with("/hsds/openapi.json"),
        "{root}"
    );
    let official: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/hsds/schema/openapi.json"
        ))
        .expect("openapi.json"),
    )
    .expect("JSON");
    let root_schema =
        &official["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(jsonschema::is_valid(root_schema, &root), "{root}");
    assert_eq!(
        get(&app, "/hsds").await.1,
        root,
        "with or without the slash"
    );

    let (status, document) = get(&app, "/hsds/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.1.0");
    let paths: BTreeSet<&str> = document["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "/",
        "/openapi.json",
        "/organizations",
        "/organizations/{id}",
        "/services",
        "/services/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
    ]
    .into();
    assert_eq!(paths, expected);
    // Each listed route answers.
    for path in expected.iter().filter(|path| !path.contains('{')) {
        assert_eq!(get(&app, &format!("/hsds{path}")).await.0, 200, "{path}");
    }
}

#[tokio::test]
async fn taxonomies_and_terms_are_hsds_objects_and_every_page_walk_sees_each_once() {
    let app = spawn_app().await;
    let ids = directory(&app, 11).await;
    let walked = walk(&app, "/hsds/taxonomy_terms", 4, "taxonomy_term.json").await;
    assert_eq!(walked.len(), ids.len(), "each term once: {walked:?}");
    assert_eq!(walked.iter().cloned().collect::<BTreeSet<_>>(), ids);
    assert_eq!(
        walk(&app, "/hsds/taxonomies", 1, "taxonomy.json").await,
        vec![TAXONOMY]
    );

    // The official example's term, field by field.
    let (status, term) = get(
        &app,
        "/hsds/taxonomy_terms/3f7b145d-84af-42d7-8fae-eaca714b02b2",
    )
    .await;
    assert_eq!(status, 200, "{term}");
    assert_valid("taxonomy_term.json", &term, "a term");
    for (field, value) in [
        ("code", "code"),
        ("name", "name"),
        ("language", "eng"),
        ("parent_id", PARENT),
        ("taxonomy_id", TAXONOMY),
        ("term_uri", "http://example.com"),
    ] {
        assert_eq!(term[field], value, "{field}: {term}");
    }
    let (status, taxonomy) = get(&app, &format!("/hsds/taxonomies/{TAXONOMY}")).await;
    assert_eq!(status, 200, "{taxonomy}");
    assert_valid("taxonomy.json", &taxonomy, "a taxonomy");
    assert_eq!(taxonomy["version"], "version");
    assert!(
        taxonomy.get("version_label").is_none(),
        "HSDS names only: {taxonomy}"
    );

    // Filters: the parent's children, the top terms, one taxonomy's terms.
    let children = walk(
        &app,
        &format!("/hsds/taxonomy_terms?parent_id={PARENT}"),
        5,
        "taxonomy_term.json",
    )
    .await;
    assert_eq!(children.len(), 12, "eleven children and the example's term");
    assert_eq!(
        walk(
            &app,
            "/hsds/taxonomy_terms?top_only=true",
            5,
            "taxonomy_term.json"
        )
        .await,
        vec![PARENT]
    );
    let of_taxonomy = walk(
        &app,
        &format!("/hsds/taxonomy_terms?taxonomy_id={TAXONOMY}"),
        50,
        "taxonomy_term.json",
    )
    .await;
    assert_eq!(of_taxonomy.len(), ids.len());

    // A deleted term is gone from lists and by id.
    let gone = "0190f000-0000-7000-8000-000000000003";
    let deleted = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { deleteTaxonomyTerm(id: $id) }",
        json!({ "id": gone }),
    )
    .await;
    assert!(deleted.get("errors").is_none(), "{deleted}");
    assert_eq!(
        get(&app, &format!("/hsds/taxonomy_terms/{gone}")).await.0,
        404
    );
    let after = walk(&app, "/hsds/taxonomy_terms", 50, "taxonomy_term.json").await;
    assert_eq!(after.len(), ids.len() - 1);
    assert!(!after.iter().any(|id| id == gone));
}

#[tokio::test]
async fn bad_parameters_are_400_naming_them_and_unknown_ids_404() {
    let app = spawn_app().await;
    directory(&app, 0).await;
    for (path, parameter) in [
        ("/hsds/taxonomies?page=0", "page"),
        ("/hsds/taxonomies?page=-3", "page"),
        ("/hsds/taxonomies?per_page=100000", "per_page"),
        ("/hsds/taxonomies?per_page=ten", "per_page"),
        ("/hsds/taxonomies?search=food", "search"),
        ("/hsds/taxonomy_terms?taxonomy_id=not-an-id", "taxonomy_id"),
        ("/hsds/taxonomy_terms?parent_id=1", "parent_id"),
        ("/hsds/taxonomy_terms?top_only=yes", "top_only"),
        ("/hsds/taxonomies/not-an-id", "id"),
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["code"], 400, "{path}: {body}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}: {body}"
        );
    }
    for path in [
        "/hsds/taxonomies/0190f000-0000-7000-8000-00000000dead",
        "/hsds/taxonomy_terms/0190f000-0000-7000-8000-00000000dead",
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["code"], 404, "{path}: {body}");
    }
    // A page past the end is an empty last page, not an error.
    let (status, body) = get(&app, "/hsds/taxonomies?page=7").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["empty"].clone(), body["last_page"].clone()),
        (json!(true), json!(true))
    );
}

#[tokio::test]
async fn the_base_path_is_configurable() {
    let app = spawn_app_with(|config| config.hsds_base = "/api/v1".into()).await;
    directory(&app, 0).await;
    let (status, body) = get(&app, "/api/v1/taxonomies").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_items"], 1);
    let (_, root) = get(&app, "/api/v1/").await;
    assert!(
        root["openapi_url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/api/v1/openapi.json")),
        "{root}"
    );
    assert_eq!(app.get("/hsds/taxonomies").await.status().as_u16(), 404);
    // The UK profile's own schema for one taxonomy, too.
    assert!(validator(Profile::Uk, "taxonomy.json").is_valid(&body["contents"][0]));
}

const SHOWN: &str = "0190e000-0000-7000-8000-000000000001";
const HIDDEN: &str = "0190e000-0000-7000-8000-000000000002";
const BARE: &str = "0190e000-0000-7000-8000-000000000003";
const GONE: &str = "0190e000-0000-7000-8000-000000000004";

/// Organizations: what the public sees is what GraphQL shows it; an admin sees the
/// unpublished too; nobody sees a deleted one; each is an HSDS organization.
#[tokio::test]
async fn organizations_follow_the_visibility_rule_as_hsds_objects() {
    let app = spawn_app().await;
    let csv = format!(
        "id,name,description,email,year_incorporated,published\n\
         {SHOWN},Food Bank,Feeds people,help@food.example,1999,true\n\
         {HIDDEN},Draft Trust,Not yet public,,,false\n\
         {BARE},Bare Trust,,,,true\n\
         {GONE},Closed Trust,Closed,,,true\n"
    );
    import_text(&app.db, "organizations.csv", csv).await;
    let deleted = graphql_as(
        &app,
        "admin",
        "mutation($id: ID!) { deleteProvider(id: $id) }",
        json!({ "id": GONE }),
    )
    .await;
    assert!(deleted.get("errors").is_none(), "{deleted}");

    let public = walk(
        &app,
        "/hsds/organizations",
        1,
        "compiled/organization_list.json",
    )
    .await;
    assert_eq!(public, vec![SHOWN, BARE]);
    let graphql = app.graphql("{ providers { totalCount } }", json!({})).await;
    assert_eq!(graphql["data"]["providers"]["totalCount"], 2, "{graphql}");

    let (status, food) = get(&app, &format!("/hsds/organizations/{SHOWN}")).await;
    assert_eq!(status, 200, "{food}");
    assert_valid("compiled/organization.json", &food, "an organization");
    assert_eq!(food["email"], "help@food.example");
    assert_eq!(food["year_incorporated"], 1999);
    assert!(
        food.get("published").is_none() && food.get("created_at").is_none(),
        "HSDS fields only: {food}"
    );
    let (_, bare) = get(&app, &format!("/hsds/organizations/{BARE}")).await;
    assert_eq!(
        bare["description"], "",
        "a required field is never left out: {bare}"
    );
    assert_valid(
        "compiled/organization.json",
        &bare,
        "an organization without a description",
    );
    for id in [HIDDEN, GONE] {
        assert_eq!(
            get(&app, &format!("/hsds/organizations/{id}")).await.0,
            404,
            "{id}"
        );
    }

    // An admin sees the unpublished organization, never the deleted one.
    let (status, all) = get_as(&app, "admin", "/hsds/organizations?per_page=10").await;
    assert_eq!(status, 200, "{all}");
    let ids: Vec<&str> = all["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, vec![SHOWN, HIDDEN, BARE]);
    assert_eq!(
        get_as(&app, "admin", &format!("/hsds/organizations/{HIDDEN}"))
            .await
            .0,
        200
    );
    assert_eq!(
        get_as(&app, "admin", &format!("/hsds/organizations/{GONE}"))
            .await
            .0,
        404
    );

    // Credentials that do not verify are refused, not treated as anonymous.
    let response = app
        .client
        .get(app.url("/hsds/organizations"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 401);
}
