//! Small records written through the repo layer, for tests that need a few rows.

use entities::enums::{LocationType, ServiceStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use signpost::repo::{self, RepoError};
use uuid::Uuid;

pub async fn provider(db: &impl ConnectionTrait, name: &str) -> Uuid {
    try_provider(db, name, None).await.expect("insert provider")
}

pub async fn try_provider(
    db: &impl ConnectionTrait,
    name: &str,
    parent: Option<Uuid>,
) -> Result<Uuid, RepoError> {
    let id = signpost::stamp::new_id();
    repo::insert_many::<repo::providers::Entity>(
        db,
        [repo::providers::ActiveModel {
            id: Set(id),
            name: Set(name.into()),
            alternate_name: Set(None),
            description: Set(None),
            email: Set(None),
            website: Set(None),
            logo: Set(None),
            parent_provider_id: Set(parent),
            published: Set(true),
            flagged: Set(false),
            ..Default::default()
        }],
    )
    .await?;
    Ok(id)
}

pub fn service_model(provider_id: Uuid, name: &str) -> repo::services::ActiveModel {
    repo::services::ActiveModel {
        id: Set(signpost::stamp::new_id()),
        provider_id: Set(provider_id),
        name: Set(name.into()),
        alternate_name: Set(None),
        description: Set(Some(format!("About {name}"))),
        url: Set(None),
        email: Set(None),
        status: Set(ServiceStatus::Active),
        fees_description: Set(None),
        application_process: Set(None),
        wait_time: Set(None),
        minimum_age: Set(None),
        maximum_age: Set(None),
        assured_date: Set(None),
        published: Set(true),
        flagged: Set(false),
        ..Default::default()
    }
}

pub async fn try_service(
    db: &impl ConnectionTrait,
    model: repo::services::ActiveModel,
) -> Result<Uuid, RepoError> {
    let id = match &model.id {
        Set(id) => *id,
        _ => signpost::stamp::new_id(),
    };
    repo::insert_many::<repo::services::Entity>(db, [model]).await?;
    Ok(id)
}

pub async fn service(db: &impl ConnectionTrait, provider_id: Uuid, name: &str) -> Uuid {
    try_service(db, service_model(provider_id, name))
        .await
        .expect("insert service")
}

pub async fn venue(db: &impl ConnectionTrait, provider_id: Option<Uuid>) -> Uuid {
    let id = signpost::stamp::new_id();
    repo::insert_many::<repo::venues::Entity>(
        db,
        [repo::venues::ActiveModel {
            id: Set(id),
            provider_id: Set(provider_id),
            name: Set("Town Hall".into()),
            description: Set(None),
            location_type: Set(LocationType::Physical),
            address_1: Set(None),
            address_2: Set(None),
            city: Set(Some("Leeds".into())),
            region: Set(None),
            state_province: Set(None),
            postal_code: Set(Some("LS1 1UR".into())),
            country: Set("GB".into()),
            latitude: Set(Some(53.8)),
            longitude: Set(Some(-1.55)),
            transportation: Set(None),
            accessibility: Set(None),
            url: Set(None),
            flagged: Set(false),
            ..Default::default()
        }],
    )
    .await
    .expect("insert venue");
    id
}

pub async fn try_link_venue(
    db: &impl ConnectionTrait,
    service_id: Uuid,
    venue_id: Uuid,
) -> Result<Uuid, RepoError> {
    let id = signpost::stamp::new_id();
    repo::insert_many::<repo::service_venues::Entity>(
        db,
        [repo::service_venues::ActiveModel {
            id: Set(id),
            service_id: Set(service_id),
            venue_id: Set(venue_id),
            description: Set(None),
            ..Default::default()
        }],
    )
    .await?;
    Ok(id)
}

/// A taxonomy with one term; returns the term id.
pub async fn term(db: &impl ConnectionTrait) -> Uuid {
    let taxonomy_id = signpost::stamp::new_id();
    repo::insert_many::<repo::taxonomies::Entity>(
        db,
        [repo::taxonomies::ActiveModel {
            id: Set(taxonomy_id),
            name: Set(format!("Need {taxonomy_id}")),
            description: Set(None),
            uri: Set(None),
            version_label: Set(None),
            ..Default::default()
        }],
    )
    .await
    .expect("insert taxonomy");
    let term_id = signpost::stamp::new_id();
    repo::insert_many::<repo::taxonomy_terms::Entity>(
        db,
        [repo::taxonomy_terms::ActiveModel {
            id: Set(term_id),
            taxonomy_id: Set(taxonomy_id),
            parent_id: Set(None),
            code: Set(None),
            name: Set("Food".into()),
            description: Set(None),
            term_uri: Set(None),
            ..Default::default()
        }],
    )
    .await
    .expect("insert term");
    term_id
}

pub fn taxonomy_ref(term_id: Uuid) -> repo::taxonomy_refs::ActiveModel {
    repo::taxonomy_refs::ActiveModel {
        id: Set(signpost::stamp::new_id()),
        taxonomy_term_id: Set(term_id),
        service_id: Set(None),
        provider_id: Set(None),
        venue_id: Set(None),
        event_id: Set(None),
        value: Set(None),
        label: Set(None),
        ..Default::default()
    }
}
