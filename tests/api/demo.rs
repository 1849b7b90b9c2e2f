//! The demo directory: deterministic for a seed and shaped like a real one.

use crate::helpers::TestDb;
use sea_orm::{EntityTrait, QueryOrder};
use signpost::demo::{self, DemoOptions};
use signpost::repo;
use std::collections::HashSet;

#[tokio::test]
async fn the_same_seed_gives_the_same_directory() {
    let mut directories = Vec::new();
    for _ in 0..2 {
        let test_db = TestDb::new().await;
        let db = test_db.migrated().await;
        demo::load(&db, &DemoOptions::new(40, 7)).await.unwrap();
        let services: Vec<(uuid::Uuid, String, bool)> = repo::services::Entity::find()
            .order_by_asc(repo::services::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.id, s.name, s.published))
            .collect();
        directories.push(services);
    }
    assert_eq!(directories[0].len(), 40);
    assert_eq!(directories[0], directories[1]);
}

#[tokio::test]
async fn demo_data_looks_like_a_real_uk_directory() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let report = demo::load(&db, &DemoOptions::new(300, 1)).await.unwrap();
    let count = |table: &str| {
        report
            .rows
            .iter()
            .find(|(name, _)| *name == table)
            .map(|(_, rows)| *rows)
            .unwrap_or(0)
    };
    assert_eq!(count("services"), 300);
    for table in [
        "providers",
        "venues",
        "service_venues",
        "contacts",
        "cost_options",
        "service_eligibilities",
        "events",
        "taxonomies",
        "taxonomy_terms",
        "taxonomy_refs",
        "eligibilities",
        "postcodes",
    ] {
        assert!(count(table) > 0, "{table} has rows");
    }

    let services = repo::services::Entity::find().all(&db).await.unwrap();
    let published = services.iter().filter(|s| s.published).count();
    assert!(
        published > 240 && published < 300,
        "mostly published: {published}"
    );

    let postcodes: HashSet<String> = entities::postcodes::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.postcode)
        .collect();
    for venue in repo::venues::Entity::find().all(&db).await.unwrap() {
        let (lat, lon) = (venue.latitude.unwrap(), venue.longitude.unwrap());
        assert!(
            (49.8..60.9).contains(&lat) && (-8.7..1.8).contains(&lon),
            "{lat},{lon} in the UK"
        );
        let postcode = venue.postal_code.unwrap().replace(' ', "");
        assert!(postcodes.contains(&postcode), "{postcode} resolvable");
    }

    let costs = repo::cost_options::Entity::find().all(&db).await.unwrap();
    assert!(
        costs
            .iter()
            .any(|c| c.amount == Some(rust_decimal::Decimal::ZERO))
    );
    assert!(
        costs
            .iter()
            .any(|c| c.amount.unwrap_or_default() > rust_decimal::Decimal::ZERO)
    );

    let terms = repo::taxonomy_terms::Entity::find().all(&db).await.unwrap();
    assert!(
        terms.iter().any(|t| t.parent_id.is_none()) && terms.iter().any(|t| t.parent_id.is_some())
    );
}
