//! The database itself refuses bad data, whatever path it came by.

use crate::fixtures;
use crate::helpers::TestDb;
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use signpost::repo::{self, RepoError};

#[tokio::test]
async fn a_status_outside_the_enum_is_refused() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    fixtures::service(&db, provider, "Food Bank").await;
    let error = db
        .execute_unprepared("UPDATE services SET status = 'closed'")
        .await
        .unwrap_err();
    assert!(
        matches!(RepoError::from(error), RepoError::Invalid(_)),
        "a bad enum is a CHECK violation"
    );
}

#[tokio::test]
async fn a_dangling_foreign_key_is_refused() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let error = fixtures::try_service(
        &db,
        fixtures::service_model(signpost::stamp::new_id(), "Orphan"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, RepoError::InvalidReference(_)), "{error:?}");
}

#[tokio::test]
async fn a_taxonomy_ref_must_point_at_exactly_one_record() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let service = fixtures::service(&db, provider, "Food Bank").await;
    let term = fixtures::term(&db).await;

    let mut two_targets = fixtures::taxonomy_ref(term);
    two_targets.service_id = Set(Some(service));
    two_targets.provider_id = Set(Some(provider));
    let error = repo::insert_many::<repo::taxonomy_refs::Entity>(&db, [two_targets])
        .await
        .unwrap_err();
    assert!(matches!(error, RepoError::Invalid(_)), "{error:?}");

    let no_target = fixtures::taxonomy_ref(term);
    let error = repo::insert_many::<repo::taxonomy_refs::Entity>(&db, [no_target])
        .await
        .unwrap_err();
    assert!(matches!(error, RepoError::Invalid(_)), "{error:?}");

    let mut one_target = fixtures::taxonomy_ref(term);
    one_target.service_id = Set(Some(service));
    repo::insert_many::<repo::taxonomy_refs::Entity>(&db, [one_target])
        .await
        .expect("exactly one target is fine");
}

#[tokio::test]
async fn a_contact_must_belong_to_something() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let orphan = repo::contacts::ActiveModel {
        id: Set(signpost::stamp::new_id()),
        provider_id: Set(None),
        service_id: Set(None),
        venue_id: Set(None),
        name: Set("Nobody's contact".into()),
        title: Set(None),
        department: Set(None),
        email: Set(None),
        phone: Set(None),
        url: Set(None),
        social_facebook: Set(None),
        social_twitter: Set(None),
        flagged: Set(false),
        ..Default::default()
    };
    let error = repo::insert_many::<repo::contacts::Entity>(&db, [orphan])
        .await
        .unwrap_err();
    assert!(matches!(error, RepoError::Invalid(_)), "{error:?}");
}

#[tokio::test]
async fn age_ranges_and_coordinates_are_checked() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let mut backwards = fixtures::service_model(provider, "Youth Club");
    backwards.minimum_age = Set(Some(19));
    backwards.maximum_age = Set(Some(11));
    let error = fixtures::try_service(&db, backwards).await.unwrap_err();
    assert!(matches!(error, RepoError::Invalid(_)), "{error:?}");

    let venue = fixtures::venue(&db, Some(provider)).await;
    let error = db
        .execute_unprepared("UPDATE venues SET latitude = 91")
        .await
        .unwrap_err();
    assert!(matches!(RepoError::from(error), RepoError::Invalid(_)));
    let error = db
        .execute_unprepared("UPDATE venues SET longitude = NULL")
        .await
        .unwrap_err();
    assert!(
        matches!(RepoError::from(error), RepoError::Invalid(_)),
        "latitude without longitude for venue {venue}"
    );
}

#[tokio::test]
async fn a_link_is_unique_among_live_rows_and_can_be_made_again_after_deletion() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let provider = fixtures::provider(&db, "Hope Trust").await;
    let service = fixtures::service(&db, provider, "Food Bank").await;
    let venue = fixtures::venue(&db, Some(provider)).await;
    let link = fixtures::try_link_venue(&db, service, venue).await.unwrap();
    let error = fixtures::try_link_venue(&db, service, venue)
        .await
        .unwrap_err();
    assert!(matches!(error, RepoError::Duplicate(_)), "{error:?}");

    repo::delete::<repo::service_venues::Entity, _>(&db, link, false)
        .await
        .unwrap();
    fixtures::try_link_venue(&db, service, venue)
        .await
        .expect("a tombstoned link does not block a new one");
}
