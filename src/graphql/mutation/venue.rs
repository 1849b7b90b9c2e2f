//! `createVenue`, `updateVenue`, `deleteVenue`, flagging, and linking services to
//! venues (`linkServiceVenue`, `unlinkServiceVenue`).

use super::common::{
    admin, after, created, delete_record, link_ends, set_flag, trimmed, unlink, updated,
};
use super::common::{patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::enums::LocationType;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::venue::Venue;
use crate::repo::{providers, service_venues, services, venues};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::{NotSet, Set};

/// A new venue.
#[derive(InputObject)]
pub struct CreateVenueInput {
    /// The live provider it belongs to, if any.
    pub provider_id: Option<ID>,
    /// Name of the place (required).
    pub name: String,
    pub description: Option<String>,
    /// Default PHYSICAL.
    pub location_type: Option<LocationType>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 two-letter code (default GB).
    pub country: Option<String>,
    /// -90..90, given with `longitude`.
    pub latitude: Option<f64>,
    /// -180..180, given with `latitude`.
    pub longitude: Option<f64>,
    pub transportation: Option<String>,
    pub accessibility: Option<String>,
    /// Web page (an http or https URL).
    pub url: Option<String>,
}

/// Changes to a venue: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateVenueInput {
    pub provider_id: MaybeUndefined<ID>,
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub location_type: MaybeUndefined<LocationType>,
    pub address_1: MaybeUndefined<String>,
    pub address_2: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub region: MaybeUndefined<String>,
    pub state_province: MaybeUndefined<String>,
    pub postal_code: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub latitude: MaybeUndefined<f64>,
    pub longitude: MaybeUndefined<f64>,
    pub transportation: MaybeUndefined<String>,
    pub accessibility: MaybeUndefined<String>,
    pub url: MaybeUndefined<String>,
}

fn place(
    problems: &mut Problems,
    country: Option<&str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
) {
    if let Some(country) = country
        && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()))
    {
        problems.add(
            "country",
            format!("{country:?} is not a two-letter country code"),
        );
    }
    problems.range("latitude", latitude, -90.0, 90.0);
    problems.range("longitude", longitude, -180.0, 180.0);
    if latitude.is_some() != longitude.is_some() {
        problems.add("longitude", "latitude and longitude go together");
    }
}

#[derive(Default)]
pub struct VenueMutations;

/// Changes to venues (admin only).
#[Object]
impl VenueMutations {
    /// Creates a venue.
    async fn create_venue(&self, ctx: &Context<'_>, input: CreateVenueInput) -> ApiResult<Venue> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        let provider = reference::<providers::Entity>(
            &read.db,
            &mut problems,
            "providerId",
            input.provider_id.as_ref(),
        )
        .await?;
        problems.required("name", Some(&input.name));
        problems.url("url", input.url.as_deref());
        place(
            &mut problems,
            input.country.as_deref(),
            input.latitude,
            input.longitude,
        );
        problems.finish().map_err(AppError::Invalid)?;
        let row = venues::ActiveModel {
            provider_id: Set(provider),
            name: Set(input.name.trim().to_owned()),
            description: Set(input.description),
            location_type: Set(input.location_type.unwrap_or(LocationType::Physical).into()),
            address_1: Set(input.address_1),
            address_2: Set(input.address_2),
            city: Set(input.city),
            region: Set(input.region),
            state_province: Set(input.state_province),
            postal_code: Set(input.postal_code),
            country: Set(input
                .country
                .map_or_else(|| "GB".to_owned(), |c| c.to_ascii_uppercase())),
            latitude: Set(input.latitude),
            longitude: Set(input.longitude),
            transportation: Set(input.transportation),
            accessibility: Set(input.accessibility),
            url: Set(input.url),
            flagged: Set(false),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a venue at `version` (its current one: `CONFLICT` otherwise).
    async fn update_venue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateVenueInput,
    ) -> ApiResult<Venue> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<venues::Entity>(&read.db, id).await?;
        let mut problems = Problems::default();
        for (field, cleared) in [
            ("name", input.name.is_null()),
            ("locationType", input.location_type.is_null()),
            ("country", input.country.is_null()),
        ] {
            if cleared {
                problems.add(field, "is required and cannot be cleared");
            }
        }
        if let MaybeUndefined::Value(name) = &input.name {
            problems.required("name", Some(name));
        }
        let provider = reference::<providers::Entity>(
            &read.db,
            &mut problems,
            "providerId",
            input.provider_id.value(),
        )
        .await?;
        problems.url("url", input.url.value().map(String::as_str));
        place(
            &mut problems,
            input.country.value().map(String::as_str),
            after(&input.latitude, current.latitude),
            after(&input.longitude, current.longitude),
        );
        problems.finish().map_err(AppError::Invalid)?;
        let changes = venues::ActiveModel {
            provider_id: match input.provider_id {
                MaybeUndefined::Undefined => NotSet,
                MaybeUndefined::Null => Set(None),
                MaybeUndefined::Value(_) => Set(provider),
            },
            name: trimmed(input.name),
            description: patch(input.description),
            location_type: match input.location_type {
                MaybeUndefined::Value(kind) => Set(kind.into()),
                _ => NotSet,
            },
            address_1: patch(input.address_1),
            address_2: patch(input.address_2),
            city: patch(input.city),
            region: patch(input.region),
            state_province: patch(input.state_province),
            postal_code: patch(input.postal_code),
            country: match input.country {
                MaybeUndefined::Value(country) => Set(country.to_ascii_uppercase()),
                _ => NotSet,
            },
            latitude: patch(input.latitude),
            longitude: patch(input.longitude),
            transportation: patch(input.transportation),
            accessibility: patch(input.accessibility),
            url: patch(input.url),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a venue; refused while services, contacts or events
    /// live there, unless `cascade`.
    async fn delete_venue(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<venues::Entity>(ctx, id, cascade).await
    }

    /// Marks a venue as needing review.
    async fn flag_venue(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Venue> {
        set_flag(ctx, &id, "flagged", true).await
    }

    /// Clears a venue's review mark.
    async fn unflag_venue(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Venue> {
        set_flag(ctx, &id, "flagged", false).await
    }

    /// Says a service is delivered at a venue (both live); linking twice is refused.
    async fn link_service_venue(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        venue_id: ID,
        description: Option<String>,
    ) -> ApiResult<ID> {
        let read = admin(ctx)?;
        let (service, venue) = link_ends::<services::Entity, venues::Entity>(
            read,
            ("serviceId", &service_id),
            ("venueId", &venue_id),
        )
        .await?;
        let row = service_venues::ActiveModel {
            service_id: Set(service),
            venue_id: Set(venue),
            description: Set(description),
            ..Default::default()
        };
        let model = write::create::<service_venues::Entity, _>(
            &read.db,
            row,
            read.viewer.subject.as_deref(),
        )
        .await?;
        Ok(ID(model.id.to_string()))
    }

    /// Ends a service's link to a venue (tombstones the link).
    async fn unlink_service_venue(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        venue_id: ID,
    ) -> ApiResult<bool> {
        let service = parse_id("serviceId", &service_id)?;
        let venue = parse_id("venueId", &venue_id)?;
        unlink::<service_venues::Entity>(
            ctx,
            ("service_id", service),
            ("venue_id", venue),
            "that service is not linked to that venue",
        )
        .await
    }
}
