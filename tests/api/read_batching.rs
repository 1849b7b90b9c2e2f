//! Nested relations are batched: the statements a page of services costs do not
//! grow with the number of services on it.

use crate::helpers::{TestDb, execute};
use serde_json::json;
use signpost::demo::{self, DemoOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const PAGE_WITH_EVERY_RELATION: &str = r#"
query ($first: Int!) {
  services(first: $first) {
    nodes {
      name
      provider { name }
      venues(first: 3) {
        nodes { name addresses(first: 2) { nodes { postalCode } } phones(first: 2) { nodes { number } } }
      }
      contacts(first: 3) { nodes { name phones(first: 2) { nodes { number } } } }
      phones(first: 3) { nodes { number type } }
      schedules(first: 3) { nodes { byday opensAt closesAt } }
      languages(first: 3) { nodes { name } }
      serviceAreas(first: 3) { nodes { name } }
      funding(first: 3) { nodes { source } }
      requiredDocuments(first: 3) { nodes { document } }
      program { name }
      costOptions { nodes { option } }
      eligibilities { nodes { description } }
      events { nodes { title } }
      taxonomyTerms { nodes { name } }
      serviceAtLocations(first: 3) {
        nodes {
          description location { name }
          contacts(first: 2) { nodes { name } }
          phones(first: 2) { nodes { number } }
          schedules(first: 2) { nodes { opensAt } }
        }
      }
    }
  }
}"#;

/// Runs the page query on a connection that counts its statements.
async fn statements_for(test_db: &TestDb, first: usize) -> (usize, serde_json::Value) {
    let mut db = test_db.connect().await;
    let counter = Arc::new(AtomicUsize::new(0));
    let seen = counter.clone();
    db.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let response = execute(&db, PAGE_WITH_EVERY_RELATION, json!({ "first": first })).await;
    (counter.load(Ordering::SeqCst), response)
}

#[tokio::test]
async fn a_page_of_services_costs_the_same_statements_for_5_and_100_rows() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    demo::load(&db, &DemoOptions::new(150, 3))
        .await
        .expect("demo data");

    let (small, small_response) = statements_for(&test_db, 5).await;
    let (large, large_response) = statements_for(&test_db, 100).await;

    for response in [&small_response, &large_response] {
        assert!(response.get("errors").is_none(), "{response}");
    }
    let nodes = |response: &serde_json::Value| {
        response["data"]["services"]["nodes"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default()
    };
    assert_eq!(nodes(&small_response), 5);
    assert_eq!(nodes(&large_response), 100);
    let with_venues = large_response["data"]["services"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|node| {
            node["venues"]["nodes"]
                .as_array()
                .is_some_and(|v| !v.is_empty())
        })
        .count();
    assert!(with_venues > 50, "demo services have venues: {with_venues}");
    let at_locations = |node: &serde_json::Value| {
        node["serviceAtLocations"]["nodes"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default()
    };
    for node in large_response["data"]["services"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        // A service at a venue is the same pairing `venues` walks through.
        assert_eq!(
            at_locations(node),
            node["venues"]["nodes"]
                .as_array()
                .map(Vec::len)
                .unwrap_or_default(),
            "{node}"
        );
    }
    let services = large_response["data"]["services"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for service in &services {
        assert_eq!(
            service["phones"]["nodes"].as_array().map(Vec::len),
            Some(1),
            "{service}"
        );
        assert_eq!(
            service["schedules"]["nodes"][0]["opensAt"], "09:00",
            "{service}"
        );
    }
    // One for the page, one per relation: provider, venues (their addresses and
    // phones), contacts (their phones), cost options, eligibilities, events,
    // taxonomy terms, phones, schedules, languages, service areas, funding,
    // required documents (no service of the demo has a programme: no statement), and
    // services at venues (their venues, contacts, phones and schedules).
    assert_eq!(small, 22, "statements for 5 services");
    assert_eq!(large, small, "statements for 100 services");
}
