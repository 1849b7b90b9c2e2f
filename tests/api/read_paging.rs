//! Relay paging: keyset cursors over whole lists in every order and both directions,
//! lists that change between pages, refused cursors and sizes, nested connections
//! and `nodes(ids:)`.

use crate::fixtures::{self, service_model, try_service};
use crate::helpers::{TestApp, execute, execute_as, spawn_app};
use crate::helpers::{code, fresh};
use crate::read_filters::{ok, tombstone, venue_at};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use signpost::read::{Role, Viewer};
use signpost::repo;
use uuid::Uuid;

const SERVICES: &str = "query ($first: Int, $after: String, $last: Int, $before: String,
    $orderBy: [ServiceOrder!], $filter: ServiceFilter) {
  services(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
    totalCount edges { cursor node { id name } } nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

/// In process or over HTTP.
enum Api<'a> {
    Db(&'a DatabaseConnection),
    Http(&'a TestApp),
}

impl Api<'_> {
    async fn run(&self, query: &str, vars: Value) -> Value {
        match self {
            Api::Db(db) => execute(db, query, vars).await,
            Api::Http(app) => app.graphql(query, vars).await,
        }
    }
}

/// One page of a connection, checked for consistency.
#[derive(Debug)]
struct Page {
    names: Vec<String>,
    ids: Vec<Uuid>,
    has_next: bool,
    has_previous: bool,
    end: Value,
    start: Value,
    total: Value,
}

fn parse(response: &Value, pointer: &str) -> Page {
    assert!(response.get("errors").is_none(), "{response}");
    let connection = response.pointer(pointer).expect("the connection");
    let edges = connection["edges"].as_array().expect("edges");
    let ids: Vec<Uuid> = edges
        .iter()
        .map(|edge| {
            edge["node"]["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("UUID")
        })
        .collect();
    if let Some(nodes) = connection["nodes"].as_array() {
        let node_ids: Vec<&Value> = nodes.iter().map(|node| &node["id"]).collect();
        let edge_ids: Vec<&Value> = edges.iter().map(|edge| &edge["node"]["id"]).collect();
        assert_eq!(node_ids, edge_ids, "nodes and edges agree");
    }
    let info = &connection["pageInfo"];
    let cursor = |index: Option<usize>| index.map_or(Value::Null, |i| edges[i]["cursor"].clone());
    assert_eq!(info["startCursor"], cursor(edges.first().map(|_| 0)));
    assert_eq!(info["endCursor"], cursor(edges.len().checked_sub(1)));
    Page {
        names: edges
            .iter()
            .map(|edge| edge["node"]["name"].as_str().expect("name").to_owned())
            .collect(),
        ids,
        has_next: info["hasNextPage"].as_bool().expect("hasNextPage"),
        has_previous: info["hasPreviousPage"].as_bool().expect("hasPreviousPage"),
        end: info["endCursor"].clone(),
        start: info["startCursor"].clone(),
        total: connection["totalCount"].clone(),
    }
}

fn with(mut vars: Value, key: &str, value: Value) -> Value {
    vars[key] = value;
    vars
}

async fn services(api: &Api<'_>, vars: Value) -> Page {
    parse(&api.run(SERVICES, vars).await, "/data/services")
}

/// Walks the list of `vars` to its other end, `size` a page, forwards (`first`,
/// `after`) or backwards (`last`, `before`), checking every page's info. Returns
/// the ids in list order.
async fn walk(api: &Api<'_>, vars: &Value, size: usize, total: usize, back: bool) -> Vec<Uuid> {
    let [count, cursor] = [["first", "after"], ["last", "before"]][usize::from(back)];
    let (mut ids, mut from) = (Vec::new(), Value::Null);
    for index in 0..=total / size {
        let vars = with(with(vars.clone(), count, json!(size)), cursor, from);
        let page = services(api, vars).await;
        let done = ids.len() + page.ids.len() == total;
        let (toward_end, toward_start) = if back {
            (page.has_previous, page.has_next)
        } else {
            (page.has_next, page.has_previous)
        };
        let context = format!("page {index}, backwards {back}: {page:?}");
        assert_eq!((toward_start, toward_end), (index > 0, !done), "{context}");
        assert_eq!(page.ids.len(), size.min(total - ids.len()), "{context}");
        assert_eq!(page.total, json!(total), "{context}");
        from = if back { page.start } else { page.end };
        if back {
            ids.splice(0..0, page.ids);
        } else {
            ids.extend(page.ids);
        }
        if done {
            return ids;
        }
    }
    panic!("more pages than {total} records need: {ids:?}")
}

async fn set_updated_at(db: &DatabaseConnection, id: Uuid, at: DateTime<Utc>) {
    entities::services::Entity::update_many()
        .col_expr(entities::services::Column::UpdatedAt, Expr::val(at))
        .filter(entities::services::Column::Id.eq(id))
        .exec(db)
        .await
        .expect("set updated_at");
}

async fn gone(db: &DatabaseConnection, id: Uuid) {
    tombstone::<repo::services::Entity>(db, id).await;
}

#[tokio::test]
async fn walking_forwards_and_backwards_covers_the_list_in_every_order() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Walk Provider").await;
    let base: DateTime<Utc> = "2025-06-01T12:00:00Z".parse().expect("time");
    let mut records = Vec::new();
    // Inserted out of name order; three names and many timestamps repeat (ties go by
    // id); some timestamps have fractions of a second.
    let offsets = [0, 250_000, 500_000, 1_000_000, 1_000_001, 1_250_000];
    for i in 0..23 {
        let name = format!("Walk {:02}", (i * 7) % 20);
        let id = fixtures::service(&db, p, &name).await;
        let at = base + TimeDelta::microseconds(offsets[(i * 5) % 6]);
        set_updated_at(&db, id, at).await;
        records.push((name, at, id));
    }
    let api = Api::Db(&db);
    let mut by_name: Vec<_> = records.iter().map(|(n, _, id)| (n.clone(), *id)).collect();
    by_name.sort();
    let name_asc: Vec<Uuid> = by_name.iter().map(|r| r.1).collect();
    let name_desc: Vec<Uuid> = name_asc.iter().rev().copied().collect();
    let mut by_time: Vec<_> = records.iter().map(|(_, at, id)| (*at, *id)).collect();
    by_time.sort();
    let updated_asc: Vec<Uuid> = by_time.iter().map(|r| r.1).collect();
    let updated_desc: Vec<Uuid> = updated_asc.iter().rev().copied().collect();
    for (order, expected) in [
        (json!(null), &name_asc),
        (json!(["NAME_ASC"]), &name_asc),
        (json!(["NAME_DESC"]), &name_desc),
        (json!(["UPDATED_AT_DESC"]), &updated_desc),
        (json!(["UPDATED_AT_ASC"]), &updated_asc),
    ] {
        let vars = json!({ "orderBy": order });
        for (size, back) in [(5, false), (5, true), (1, false), (1, true)] {
            let walked = walk(&api, &vars, size, 23, back).await;
            assert_eq!(&walked, expected, "{order} by {size}, backwards {back}");
        }
    }
}

#[tokio::test]
async fn a_list_that_fills_its_last_page_has_no_empty_page_after_it() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Even Provider").await;
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(fixtures::service(&db, p, &format!("Even {i:02}")).await);
    }
    let api = Api::Db(&db);
    assert_eq!(walk(&api, &json!({}), 5, 10, false).await, ids);
    assert_eq!(walk(&api, &json!({}), 5, 10, true).await, ids);
    let whole = services(&api, json!({ "first": 10 })).await;
    assert!(!whole.has_next && !whole.has_previous, "{whole:?}");
    assert_eq!(whole.ids, ids);
    let beyond = services(&api, json!({ "first": 5, "after": whole.end })).await;
    assert!(beyond.ids.is_empty() && beyond.end.is_null() && beyond.start.is_null());
    assert!(beyond.has_previous && !beyond.has_next, "{beyond:?}");
}

#[tokio::test]
async fn an_empty_list_has_no_edges_and_null_cursors() {
    let (_t, db) = fresh().await;
    let api = Api::Db(&db);
    let empty = json!({
        "totalCount": 0, "edges": [], "nodes": [],
        "pageInfo": { "hasNextPage": false, "hasPreviousPage": false, "startCursor": null, "endCursor": null }
    });
    for vars in [json!({}), json!({ "first": 5 }), json!({ "last": 5 })] {
        let response = api.run(SERVICES, vars).await;
        assert_eq!(response["data"]["services"], empty, "{response}");
    }
    let p = fixtures::provider(&db, "Lonely Provider").await;
    fixtures::service(&db, p, "Lonely").await;
    let none = json!({ "filter": { "name": { "eq": "Nothing" } }, "orderBy": ["NAME_DESC"] });
    let response = api.run(SERVICES, none).await;
    assert_eq!(response["data"]["services"], empty, "{response}");
}

#[tokio::test]
async fn records_added_and_deleted_while_paging_are_not_repeated_or_skipped() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Moving Provider").await;
    let mut ids = std::collections::HashMap::new();
    for i in 0..15 {
        let name = format!("Chg {i:02}");
        ids.insert(name.clone(), fixtures::service(&db, p, &name).await);
    }
    let api = Api::Db(&db);
    let mut seen = Vec::new();
    let mut page = services(&api, json!({ "first": 4 })).await;
    seen.extend(page.names.clone());
    // Behind the cursor: an insert and a delete no page will show.
    fixtures::service(&db, p, "Chg 01x").await;
    gone(&db, ids["Chg 02"]).await;
    // Ahead: one new record to show, one to skip.
    fixtures::service(&db, p, "Chg 05x").await;
    gone(&db, ids["Chg 06"]).await;
    let mut changes = 0;
    while page.has_next {
        page = services(&api, json!({ "first": 4, "after": page.end })).await;
        seen.extend(page.names.clone());
        if changes == 0 {
            // The record the cursor points at goes, a new one lands right after it,
            // one changes in place and one is added at the end.
            gone(&db, ids["Chg 07"]).await;
            fixtures::service(&db, p, "Chg 07x").await;
            let change = repo::services::ActiveModel {
                description: Set(Some("Changed".into())),
                ..Default::default()
            };
            let updated = repo::update::<repo::services::Entity>(&db, ids["Chg 09"], 1, change);
            ok(updated.await);
            fixtures::service(&db, p, "Chg 99").await;
        }
        changes += 1;
        assert!(changes < 10, "too many pages: {seen:?}");
    }
    let expected = "00 01 02 03 04 05 05x 07 07x 08 09 10 11 12 13 14 99".split(' ');
    assert_eq!(
        seen,
        expected.map(|n| format!("Chg {n}")).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_cursor_of_a_deleted_record_still_continues() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Gone Provider").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(fixtures::service(&db, p, &format!("Del {i:02}")).await);
    }
    let api = Api::Db(&db);
    let first = services(&api, json!({ "first": 4 })).await;
    assert_eq!(first.ids, ids[..4]);
    gone(&db, ids[3]).await;
    gone(&db, ids[4]).await;
    let next = services(&api, json!({ "first": 4, "after": first.end })).await;
    assert_eq!(next.ids, ids[5..9]);
    assert!(next.has_next && next.has_previous);
    gone(&db, ids[8]).await;
    let back = services(&api, json!({ "last": 3, "before": next.end })).await;
    assert_eq!(back.ids, ids[5..8]);
    assert!(back.has_previous && back.has_next);
    let counted = services(&api, json!({ "first": 1 })).await;
    assert_eq!(counted.total, json!(9));
}

#[tokio::test]
async fn foreign_and_malformed_cursors_and_bad_sizes_are_refused() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Fussy Provider").await;
    let service = fixtures::service(&db, p, "Fussy One").await;
    fixtures::service(&db, p, "Fussy Two").await;
    let venue = fixtures::venue(&db, None).await;
    ok(fixtures::try_link_venue(&db, service, venue).await);
    let api = Api::Db(&db);
    let end = |response: Value, pointer: &str| parse(&response, pointer).end;
    let providers = "{ providers(first: 1) { edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let provider_cursor = end(api.run(providers, json!({})).await, "/data/providers");
    let asc = json!({ "first": 1, "orderBy": ["NAME_ASC"] });
    let asc = services(&api, asc).await.end;
    let filtered = json!({ "first": 1, "filter": { "name": { "startsWith": "F" } } });
    let filtered = services(&api, filtered).await.end;
    let nested = "query ($id: ID!, $first: Int, $after: String) { service(id: $id) { venues(first: $first, after: $after) {
        edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }";
    let one_venue = api.run(nested, json!({ "id": service, "first": 1 })).await;
    let venue_cursor = end(one_venue, "/data/service/venues");
    let venues = "query ($after: String) { venues(after: $after) { edges { cursor } } }";
    for (query, vars, expected) in [
        (venues, json!({ "after": venue_cursor }), "BAD_USER_INPUT"),
        (
            nested,
            json!({ "id": service, "after": asc }),
            "BAD_USER_INPUT",
        ),
        (
            nested,
            json!({ "id": service, "first": 101 }),
            "LIMIT_EXCEEDED",
        ),
    ] {
        assert_eq!(
            code(&api.run(query, vars.clone()).await),
            expected,
            "{vars}"
        );
    }

    let tampered = |cursor: &Value, key: &str, value: Value| {
        let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str().expect("cursor"));
        let bytes = bytes.expect("base64");
        let mut wire: Value = serde_json::from_slice(&bytes).expect("JSON cursor");
        wire[key] = value;
        json!(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).expect("JSON")))
    };
    let bad = "BAD_USER_INPUT";
    let (q, k) = (json!("0123456789abcdef"), json!([{ "f": 1.5 }]));
    let not_json = URL_SAFE_NO_PAD.encode("{\"q\":1}");
    let cases = json!([
        [{ "after": provider_cursor }, bad],
        [{ "after": asc, "orderBy": ["NAME_DESC"] }, bad],
        [{ "before": asc, "orderBy": ["UPDATED_AT_DESC"] }, bad],
        [{ "after": filtered, "filter": { "name": { "startsWith": "G" } } }, bad],
        [{ "after": filtered }, bad],
        [{ "after": tampered(&asc, "q", q), "orderBy": ["NAME_ASC"] }, bad],
        [{ "after": tampered(&asc, "k", k), "orderBy": ["NAME_ASC"] }, bad],
        [{ "after": "garbage!!" }, bad],
        [{ "after": "" }, bad],
        [{ "before": not_json }, bad],
        [{ "first": 101 }, "LIMIT_EXCEEDED"],
        [{ "last": 101 }, "LIMIT_EXCEEDED"],
        [{ "first": 5, "last": 5 }, bad],
        [{ "first": -1 }, bad],
        [{ "last": -1 }, bad],
    ]);
    for case in cases.as_array().expect("cases") {
        let response = api.run(SERVICES, case[0].clone()).await;
        assert_eq!(code(&response), case[1], "{}", case[0]);
    }
    let most = services(&api, json!({ "first": 100, "orderBy": ["NAME_ASC"] })).await;
    assert_eq!(most.names, ["Fussy One", "Fussy Two"]);
    let resumed = services(&api, json!({ "after": asc, "orderBy": ["NAME_ASC"] })).await;
    assert_eq!(resumed.names, ["Fussy Two"]);
}

/// The default order is NAME_ASC (docs/api.md), so its cursors continue a list ordered
/// by an explicit NAME_ASC and the other way round.
#[tokio::test]
async fn the_default_order_and_an_explicit_name_asc_share_cursors() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Default Provider").await;
    for name in ["Default A", "Default B", "Default C"] {
        fixtures::service(&db, p, name).await;
    }
    let api = Api::Db(&db);
    let implicit = services(&api, json!({ "first": 1 })).await;
    let vars = json!({ "first": 1, "after": implicit.end, "orderBy": ["NAME_ASC"] });
    let response = api.run(SERVICES, vars).await;
    assert_eq!(parse(&response, "/data/services").names, ["Default B"]);
    let explicit = services(&api, json!({ "first": 2, "orderBy": ["NAME_ASC"] })).await;
    let response = api.run(SERVICES, json!({ "after": explicit.end })).await;
    assert_eq!(parse(&response, "/data/services").names, ["Default C"]);
}

#[tokio::test]
async fn nested_venues_page_in_name_order_with_their_own_total() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Venue Provider").await;
    let big = fixtures::service(&db, p, "Many Venues").await;
    let small = fixtures::service(&db, p, "Two Venues").await;
    for letter in ["D", "A", "G", "C", "F", "B", "E"] {
        let venue = venue_at(&db, &format!("Hall {letter}"), 53.8, -1.5).await;
        ok(fixtures::try_link_venue(&db, big, venue).await);
    }
    let unlinked = venue_at(&db, "Hall Unlinked", 53.8, -1.5).await;
    let link = ok(fixtures::try_link_venue(&db, big, unlinked).await);
    tombstone::<repo::service_venues::Entity>(&db, link).await;
    for name in ["Small Y", "Small X"] {
        let venue = venue_at(&db, name, 53.8, -1.5).await;
        ok(fixtures::try_link_venue(&db, small, venue).await);
    }
    let query = "query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      service(id: $id) { venues(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { id name } } nodes { id }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }";
    let api = Api::Db(&db);
    let halls: Vec<String> = "ABCDEFG".chars().map(|l| format!("Hall {l}")).collect();
    let (mut forwards, mut after) = (Vec::new(), Value::Null);
    for index in 0..3 {
        let vars = json!({ "id": big, "first": 3, "after": after });
        let page = parse(&api.run(query, vars).await, "/data/service/venues");
        assert_eq!(page.total, json!(7));
        let info = (page.has_previous, page.has_next);
        assert_eq!(info, (index > 0, index < 2), "page {index}");
        forwards.extend(page.names);
        after = page.end;
    }
    assert_eq!(forwards, halls);
    let (mut backwards, mut before) = (Vec::new(), Value::Null);
    for index in 0..3 {
        let vars = json!({ "id": big, "last": 3, "before": before });
        let page = parse(&api.run(query, vars).await, "/data/service/venues");
        let info = (page.has_previous, page.has_next);
        assert_eq!(info, (index < 2, index > 0), "page {index} from the end");
        backwards.splice(0..0, page.names);
        before = page.start;
    }
    assert_eq!(backwards, halls);
    let list = "{ services { nodes { name venues(first: 3) { totalCount nodes { name } } } } }";
    let response = api.run(list, json!({})).await;
    let expected = json!([
        { "name": "Many Venues", "venues": { "totalCount": 7,
            "nodes": [{ "name": "Hall A" }, { "name": "Hall B" }, { "name": "Hall C" }] } },
        { "name": "Two Venues", "venues": { "totalCount": 2,
            "nodes": [{ "name": "Small X" }, { "name": "Small Y" }] } },
    ]);
    assert_eq!(
        response["data"]["services"]["nodes"], expected,
        "{response}"
    );
}

const NODES: &str = "query ($ids: [ID!]!) { nodes(ids: $ids) {
  __typename id ... on Service { name } ... on Provider { name } ... on TaxonomyTerm { name } } }";

#[tokio::test]
async fn nodes_come_back_in_the_order_asked_with_null_for_unknown_ids() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Nodes Provider").await;
    let one = fixtures::service(&db, p, "Node One").await;
    let two = fixtures::service(&db, p, "Node Two").await;
    let mut draft = service_model(p, "Node Draft");
    draft.published = Set(false);
    let draft = ok(try_service(&db, draft).await);
    let term = fixtures::term(&db).await;
    let unknown = Uuid::now_v7();
    let node = |kind: &str, id: Uuid, name: &str| json!({ "__typename": kind, "id": id.to_string(), "name": name });
    let ids = json!({ "ids": [two, unknown, p, draft, term, one] });
    let response = execute(&db, NODES, ids.clone()).await;
    let (two, p) = (
        node("Service", two, "Node Two"),
        node("Provider", p, "Nodes Provider"),
    );
    let (term, one) = (
        node("TaxonomyTerm", term, "Food"),
        node("Service", one, "Node One"),
    );
    let expected = json!([two, null, p, null, term, one]);
    assert_eq!(response["data"]["nodes"], expected, "{response}");
    let as_reader = execute_as(&db, Viewer::with_role(Role::Reader), NODES, ids).await;
    let draft = node("Service", draft, "Node Draft");
    assert_eq!(as_reader["data"]["nodes"][3], draft, "{as_reader}");
    let empty = execute(&db, NODES, json!({ "ids": [] })).await;
    assert_eq!(empty["data"]["nodes"], json!([]), "{empty}");
    let bad = execute(&db, NODES, json!({ "ids": ["not-a-uuid"] })).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let too_many: Vec<Uuid> = (0..101).map(|_| Uuid::now_v7()).collect();
    let over = execute(&db, NODES, json!({ "ids": too_many })).await;
    assert_eq!(code(&over), "LIMIT_EXCEEDED");
    assert_eq!(
        over["errors"][0]["extensions"]["limit"], "maxPageSize",
        "{over}"
    );
    assert!(
        over["data"].is_null(),
        "refused before anything ran: {over}"
    );
}

#[tokio::test]
async fn nodes_returns_a_record_asked_for_twice_both_times() {
    let (_t, db) = fresh().await;
    let p = fixtures::provider(&db, "Twice Provider").await;
    let one = fixtures::service(&db, p, "Twice").await;
    let response = execute(&db, NODES, json!({ "ids": [one, p, one] })).await;
    let twice = json!({ "__typename": "Service", "id": one.to_string(), "name": "Twice" });
    assert_eq!(response["data"]["nodes"][0], twice, "{response}");
    assert_eq!(response["data"]["nodes"][2], twice, "{response}");
}

#[tokio::test]
async fn paging_over_http_walks_both_ways() {
    let app = spawn_app().await;
    let p = fixtures::provider(&app.db, "Http Provider").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(fixtures::service(&app.db, p, &format!("Http {i:02}")).await);
    }
    let api = Api::Http(&app);
    let desc: Vec<Uuid> = ids.iter().rev().copied().collect();
    let vars = json!({ "orderBy": ["NAME_DESC"] });
    assert_eq!(walk(&api, &vars, 5, 12, false).await, desc);
    assert_eq!(walk(&api, &vars, 5, 12, true).await, desc);
    let over = api.run(SERVICES, json!({ "first": 101 })).await;
    assert_eq!(code(&over), "LIMIT_EXCEEDED");
}
