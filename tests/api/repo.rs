//! The repo layer's shared behaviour: batched reads and inserts, versions,
//! tombstones and full-text index upkeep.

use crate::fixtures;
use crate::helpers::TestDb;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryOrder, QuerySelect, Statement,
};
use signpost::repo::{self, RepoError};
use std::collections::HashSet;
use uuid::Uuid;

#[tokio::test]
async fn get_by_ids_returns_the_live_records_asked_for() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let a = fixtures::provider(&db, "Alpha").await;
    let b = fixtures::provider(&db, "Beta").await;
    let gone = fixtures::provider(&db, "Gone").await;
    repo::delete::<repo::providers::Entity, _>(&db, gone, false)
        .await
        .unwrap();

    let found = repo::get_by_ids::<repo::providers::Entity>(&db, &[a, b, gone, Uuid::nil()], false)
        .await
        .unwrap();
    let ids: HashSet<Uuid> = found.iter().map(|p| p.id).collect();
    assert_eq!(ids, HashSet::from([a, b]));

    let with_tombstones = repo::get_by_ids::<repo::providers::Entity>(&db, &[gone], true)
        .await
        .unwrap();
    assert!(with_tombstones[0].deleted_at.is_some());
}

#[tokio::test]
async fn batched_insert_spans_several_statements_and_stamps_server_columns() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Big Provider").await;
    // More rows than fit in one statement on either backend.
    let rows: Vec<_> = (0..5_000)
        .map(|i| fixtures::service_model(provider, &format!("Service {i:05}")))
        .collect();
    let inserted = repo::insert_many::<repo::services::Entity>(&db, rows)
        .await
        .unwrap();
    assert_eq!(inserted, 5_000);
    let page = repo::services::Entity::find()
        .order_by_asc(repo::services::Column::Name)
        .limit(3)
        .all(&db)
        .await
        .unwrap();
    assert_eq!(page[0].name, "Service 00000");
    assert_eq!(page[0].version, 1);
    assert!(page[0].deleted_at.is_none());
    assert_eq!(page[0].created_at, page[0].updated_at);
}

#[tokio::test]
async fn an_update_bumps_the_version_and_a_stale_version_is_a_conflict() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let changes = repo::providers::ActiveModel {
        description: Set(Some("Now with a description".into())),
        ..Default::default()
    };
    let updated = repo::update::<repo::providers::Entity>(&db, provider, 1, changes.clone())
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(
        updated.name, "Hope Trust",
        "fields not set stay as they were"
    );
    assert!(updated.updated_at > updated.created_at);

    let error = repo::update::<repo::providers::Entity>(&db, provider, 1, changes.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            RepoError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{error:?}"
    );
    let error = repo::update::<repo::providers::Entity>(&db, Uuid::nil(), 1, changes)
        .await
        .unwrap_err();
    assert!(matches!(error, RepoError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn of_two_concurrent_updates_with_one_version_exactly_one_wins() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let attempt = |name: &'static str| {
        let db = db.clone();
        async move {
            let changes = repo::providers::ActiveModel {
                name: Set(name.into()),
                ..Default::default()
            };
            repo::update::<repo::providers::Entity>(&db, provider, 1, changes).await
        }
    };
    let (first, second) = tokio::join!(attempt("First"), attempt("Second"));
    let wins = [&first, &second].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{first:?} / {second:?}");
    let loser = if first.is_ok() { second } else { first };
    assert!(
        matches!(loser, Err(RepoError::Conflict { .. })),
        "{loser:?}"
    );
}

#[tokio::test]
async fn deleting_a_parent_with_live_children_is_refused_unless_cascading() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let service = fixtures::service(&db, provider, "Food Bank").await;
    let venue = fixtures::venue(&db, Some(provider)).await;
    fixtures::try_link_venue(&db, service, venue).await.unwrap();

    let error = repo::delete::<repo::providers::Entity, _>(&db, provider, false)
        .await
        .unwrap_err();
    match &error {
        RepoError::HasLiveChildren { children, .. } => {
            let tables: HashSet<&str> = children.iter().map(|(t, _)| *t).collect();
            assert_eq!(tables, HashSet::from(["services", "venues"]));
        }
        other => panic!("expected HasLiveChildren, got {other:?}"),
    }
    assert!(error.to_string().contains("services (1)"), "{error}");

    // provider + service + venue + the service-venue link
    let tombstoned = repo::delete::<repo::providers::Entity, _>(&db, provider, true)
        .await
        .unwrap();
    assert_eq!(tombstoned, 4);
    let all = repo::get_by_ids::<repo::services::Entity>(&db, &[service], true)
        .await
        .unwrap();
    assert!(
        all[0].deleted_at.is_some(),
        "cascade tombstones the service"
    );
    assert_eq!(
        all[0].version, 2,
        "a tombstone is a new version for exports"
    );
    assert!(
        repo::get_by_ids::<repo::services::Entity>(&db, &[service], false)
            .await
            .unwrap()
            .is_empty()
    );
    let error = repo::delete::<repo::providers::Entity, _>(&db, provider, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, RepoError::NotFound { .. }),
        "deleting twice: {error:?}"
    );
}

#[tokio::test]
async fn a_child_that_is_itself_deleted_no_longer_blocks_its_parent() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let service = fixtures::service(&db, provider, "Food Bank").await;
    repo::delete::<repo::services::Entity, _>(&db, service, false)
        .await
        .unwrap();
    let tombstoned = repo::delete::<repo::providers::Entity, _>(&db, provider, false)
        .await
        .unwrap();
    assert_eq!(tombstoned, 1);
}

#[tokio::test]
async fn cascades_terminate_on_provider_cycles() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let a = fixtures::provider(&db, "A").await;
    let b = fixtures::try_provider(&db, "B", Some(a)).await.unwrap();
    let changes = repo::providers::ActiveModel {
        parent_provider_id: Set(Some(b)),
        ..Default::default()
    };
    repo::update::<repo::providers::Entity>(&db, a, 1, changes)
        .await
        .unwrap();
    let tombstoned = repo::delete::<repo::providers::Entity, _>(&db, a, true)
        .await
        .unwrap();
    assert_eq!(tombstoned, 2);
}

/// Ids of services whose full-text index matches `word` (as a prefix).
async fn fts_matches(db: &DatabaseConnection, word: &str) -> Vec<Uuid> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT id FROM services WHERE search_vector @@ to_tsquery('simple', '{word}:*')"
        ),
        _ => format!(
            "SELECT s.id FROM services s JOIN services_fts f ON f.rowid = s.rowid \
             WHERE services_fts MATCH '\"{word}\"*'"
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<Uuid>("", "id").unwrap())
        .collect()
}

#[tokio::test]
async fn the_full_text_index_follows_inserts_updates_and_deletes() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let service = fixtures::service(&db, provider, "Zanzibar Lunch Club").await;
    assert_eq!(fts_matches(&db, "zanzi").await, vec![service]);

    let rename = repo::services::ActiveModel {
        name: Set("Quokka Lunch Club".into()),
        description: Set(Some("Lunch for all".into())),
        ..Default::default()
    };
    repo::update::<repo::services::Entity>(&db, service, 1, rename)
        .await
        .unwrap();
    assert!(fts_matches(&db, "zanzibar").await.is_empty());
    assert_eq!(fts_matches(&db, "quokka").await, vec![service]);

    db.execute_unprepared("DELETE FROM services").await.unwrap();
    assert!(fts_matches(&db, "quokka").await.is_empty());
}
