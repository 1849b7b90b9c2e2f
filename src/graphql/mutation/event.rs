//! `createEvent`, `updateEvent`, `deleteEvent`, flagging.
//!
//! An event may hang off a service, a venue and a provider, each optional (one
//! without any is visible to readers only). A recurring event needs a start: it is
//! the rule's DTSTART.

use super::common::{
    admin, after, created, delete_record, required_patch, set_flag, trimmed, updated,
};
use super::common::{parent_value, patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::enums::AttendingType;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::event::Event;
use crate::repo::{events, providers, services, venues};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;

/// A new event.
#[derive(InputObject)]
pub struct CreateEventInput {
    pub service_id: Option<ID>,
    pub venue_id: Option<ID>,
    pub provider_id: Option<ID>,
    /// Its title (required).
    pub title: String,
    pub description: Option<String>,
    /// When it starts; required with `rrule` (the first occurrence).
    pub starts_at: Option<DateTime<Utc>>,
    /// When it ends (not before `startsAt`).
    pub ends_at: Option<DateTime<Utc>>,
    /// When, in words, e.g. "every first Thursday".
    pub time_description: Option<String>,
    /// An RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=TH`.
    pub rrule: Option<String>,
    pub attending_type: Option<AttendingType>,
    /// Where to book (an http or https URL).
    pub booking_url: Option<String>,
}

/// Changes to an event: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateEventInput {
    pub service_id: MaybeUndefined<ID>,
    pub venue_id: MaybeUndefined<ID>,
    pub provider_id: MaybeUndefined<ID>,
    pub title: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    pub time_description: MaybeUndefined<String>,
    pub rrule: MaybeUndefined<String>,
    pub attending_type: MaybeUndefined<AttendingType>,
    pub booking_url: MaybeUndefined<String>,
}

/// The time fields as they will be: ends not before starts, a readable rule with
/// a start.
fn schedule(
    problems: &mut Problems,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    rrule: Option<&str>,
) {
    problems.ordered("startsAt", starts_at, "endsAt", ends_at);
    if let Some(rule) = rrule {
        match starts_at {
            None => problems.add("startsAt", "is required when the event recurs (rrule)"),
            Some(start) => {
                if let Err(reason) = crate::read::events::recurrence(rule, start) {
                    problems.add(
                        "rrule",
                        format!("{rule:?} is not an RFC 5545 RRULE: {reason}"),
                    );
                }
            }
        }
    }
}

#[derive(Default)]
pub struct EventMutations;

/// Changes to events (admin only).
#[Object]
impl EventMutations {
    /// Creates an event.
    async fn create_event(&self, ctx: &Context<'_>, input: CreateEventInput) -> ApiResult<Event> {
        let read = admin(ctx)?;
        let db = &read.db;
        let mut problems = Problems::default();
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
        let provider = reference::<providers::Entity>(
            db,
            &mut problems,
            "providerId",
            input.provider_id.as_ref(),
        )
        .await?;
        problems.required("title", Some(&input.title));
        problems.url("bookingUrl", input.booking_url.as_deref());
        schedule(
            &mut problems,
            input.starts_at,
            input.ends_at,
            input.rrule.as_deref(),
        );
        problems.finish().map_err(AppError::Invalid)?;
        let row = events::ActiveModel {
            service_id: Set(service),
            venue_id: Set(venue),
            provider_id: Set(provider),
            title: Set(input.title.trim().to_owned()),
            description: Set(input.description),
            starts_at: Set(input.starts_at),
            ends_at: Set(input.ends_at),
            time_description: Set(input.time_description),
            rrule: Set(input.rrule.map(|rule| rule.trim().to_owned())),
            attending_type: Set(input.attending_type.map(Into::into)),
            booking_url: Set(input.booking_url),
            flagged: Set(false),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes an event at `version` (its current one: `CONFLICT` otherwise).
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateEventInput,
    ) -> ApiResult<Event> {
        let read = admin(ctx)?;
        let db = &read.db;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<events::Entity>(db, id).await?;
        let mut problems = Problems::default();
        let service =
            reference::<services::Entity>(db, &mut problems, "serviceId", input.service_id.value())
                .await?;
        let venue =
            reference::<venues::Entity>(db, &mut problems, "venueId", input.venue_id.value())
                .await?;
        let provider = reference::<providers::Entity>(
            db,
            &mut problems,
            "providerId",
            input.provider_id.value(),
        )
        .await?;
        required_patch(&mut problems, "title", &input.title);
        problems.url("bookingUrl", input.booking_url.value().map(String::as_str));
        let rrule = match &input.rrule {
            MaybeUndefined::Undefined => current.rrule.as_deref(),
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(rule) => Some(rule.as_str()),
        };
        schedule(
            &mut problems,
            after(&input.starts_at, current.starts_at),
            after(&input.ends_at, current.ends_at),
            rrule,
        );
        problems.finish().map_err(AppError::Invalid)?;
        let changes = events::ActiveModel {
            service_id: parent_value(&input.service_id, service),
            venue_id: parent_value(&input.venue_id, venue),
            provider_id: parent_value(&input.provider_id, provider),
            title: trimmed(input.title),
            description: patch(input.description),
            starts_at: patch(input.starts_at),
            ends_at: patch(input.ends_at),
            time_description: patch(input.time_description),
            rrule: patch(input.rrule.map_value(|rule| rule.trim().to_owned())),
            attending_type: patch(input.attending_type.map_value(Into::into)),
            booking_url: patch(input.booking_url),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) an event and, with `cascade`, its taxonomy references.
    async fn delete_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<events::Entity>(ctx, id, cascade).await
    }

    /// Marks an event as needing review.
    async fn flag_event(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Event> {
        set_flag(ctx, &id, "flagged", true).await
    }

    /// Clears an event's review mark.
    async fn unflag_event(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Event> {
        set_flag(ctx, &id, "flagged", false).await
    }
}
