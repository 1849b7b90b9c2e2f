//! `createContact`, `updateContact`, `deleteContact`, flagging.

use super::common::{admin, created, delete_record, required_patch, set_flag, trimmed, updated};
use super::common::{parent, parent_value, patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::contact::Contact;
use crate::repo::{contacts, providers, service_venues, services, venues};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::Set;

/// A new contact, for at least one of a provider, a service, a venue and a service
/// at a venue.
#[derive(InputObject)]
pub struct CreateContactInput {
    pub provider_id: Option<ID>,
    pub service_id: Option<ID>,
    pub venue_id: Option<ID>,
    /// The service at a venue (HSDS `service_at_location_id`).
    pub service_venue_id: Option<ID>,
    /// Who or what to contact (required).
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Web page (an http or https URL).
    pub url: Option<String>,
    pub social_facebook: Option<String>,
    pub social_twitter: Option<String>,
}

/// Changes to a contact: omitted fields stay as they are, `null` clears one (it must
/// keep at least one of provider, service, venue and service at a venue).
#[derive(InputObject)]
pub struct UpdateContactInput {
    pub provider_id: MaybeUndefined<ID>,
    pub service_id: MaybeUndefined<ID>,
    pub venue_id: MaybeUndefined<ID>,
    pub service_venue_id: MaybeUndefined<ID>,
    pub name: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub department: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub url: MaybeUndefined<String>,
    pub social_facebook: MaybeUndefined<String>,
    pub social_twitter: MaybeUndefined<String>,
}

const NO_PARENT: &str = "a contact belongs to a provider, a service, a venue or a service at a venue: give at least one";

#[derive(Default)]
pub struct ContactMutations;

/// Changes to contacts (admin only).
#[Object]
impl ContactMutations {
    /// Creates a contact.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> ApiResult<Contact> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        let db = &read.db;
        let provider = reference::<providers::Entity>(
            db,
            &mut problems,
            "providerId",
            input.provider_id.as_ref(),
        )
        .await?;
        let service = reference::<services::Entity>(
            db,
            &mut problems,
            "serviceId",
            input.service_id.as_ref(),
        )
        .await?;
        let venue =
            reference::<venues::Entity>(db, &mut problems, "venueId", input.venue_id.as_ref())
                .await?;
        let service_venue = reference::<service_venues::Entity>(
            db,
            &mut problems,
            "serviceVenueId",
            input.service_venue_id.as_ref(),
        )
        .await?;
        if input.provider_id.is_none()
            && input.service_id.is_none()
            && input.venue_id.is_none()
            && input.service_venue_id.is_none()
        {
            problems.add("providerId", NO_PARENT);
        }
        problems.required("name", Some(&input.name));
        problems.email("email", input.email.as_deref());
        problems.url("url", input.url.as_deref());
        problems.finish().map_err(AppError::Invalid)?;
        let row = contacts::ActiveModel {
            provider_id: Set(provider),
            service_id: Set(service),
            venue_id: Set(venue),
            service_venue_id: Set(service_venue),
            name: Set(input.name.trim().to_owned()),
            title: Set(input.title),
            department: Set(input.department),
            email: Set(input.email),
            phone: Set(input.phone),
            url: Set(input.url),
            social_facebook: Set(input.social_facebook),
            social_twitter: Set(input.social_twitter),
            flagged: Set(false),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a contact at `version` (its current one: `CONFLICT` otherwise).
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateContactInput,
    ) -> ApiResult<Contact> {
        let read = admin(ctx)?;
        let db = &read.db;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<contacts::Entity>(db, id).await?;
        let mut problems = Problems::default();
        let provider = reference::<providers::Entity>(
            db,
            &mut problems,
            "providerId",
            input.provider_id.value(),
        )
        .await?;
        let service =
            reference::<services::Entity>(db, &mut problems, "serviceId", input.service_id.value())
                .await?;
        let venue =
            reference::<venues::Entity>(db, &mut problems, "venueId", input.venue_id.value())
                .await?;
        let service_venue = reference::<service_venues::Entity>(
            db,
            &mut problems,
            "serviceVenueId",
            input.service_venue_id.value(),
        )
        .await?;
        let keeps_a_parent = [
            parent(&input.provider_id, provider, current.provider_id),
            parent(&input.service_id, service, current.service_id),
            parent(&input.venue_id, venue, current.venue_id),
            parent(
                &input.service_venue_id,
                service_venue,
                current.service_venue_id,
            ),
        ]
        .iter()
        .any(Option::is_some);
        if !keeps_a_parent {
            problems.add("providerId", NO_PARENT);
        }
        required_patch(&mut problems, "name", &input.name);
        problems.email("email", input.email.value().map(String::as_str));
        problems.url("url", input.url.value().map(String::as_str));
        problems.finish().map_err(AppError::Invalid)?;
        let changes = contacts::ActiveModel {
            provider_id: parent_value(&input.provider_id, provider),
            service_id: parent_value(&input.service_id, service),
            venue_id: parent_value(&input.venue_id, venue),
            service_venue_id: parent_value(&input.service_venue_id, service_venue),
            name: trimmed(input.name),
            title: patch(input.title),
            department: patch(input.department),
            email: patch(input.email),
            phone: patch(input.phone),
            url: patch(input.url),
            social_facebook: patch(input.social_facebook),
            social_twitter: patch(input.social_twitter),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a contact.
    async fn delete_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<contacts::Entity>(ctx, id, cascade).await
    }

    /// Marks a contact as needing review.
    async fn flag_contact(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Contact> {
        set_flag(ctx, &id, "flagged", true).await
    }

    /// Clears a contact's review mark.
    async fn unflag_contact(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Contact> {
        set_flag(ctx, &id, "flagged", false).await
    }
}
