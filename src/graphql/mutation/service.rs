//! `createService`, `updateService`, `deleteService` and the publish and flag
//! mutations of services.

use super::common::{admin, after, ages, created, delete_record, set_flag, trimmed, updated};
use super::common::{patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::enums::ServiceStatus;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::scalars::Date;
use crate::graphql::types::service::Service;
use crate::repo::{providers, services};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::{NotSet, Set};

/// A new service.
#[derive(InputObject)]
pub struct CreateServiceInput {
    /// The live provider that runs it (required).
    pub provider_id: ID,
    /// Name of the service (required).
    pub name: String,
    pub alternate_name: Option<String>,
    pub description: Option<String>,
    /// Web page (an http or https URL).
    pub url: Option<String>,
    pub email: Option<String>,
    /// Default ACTIVE.
    pub status: Option<ServiceStatus>,
    pub fees_description: Option<String>,
    pub application_process: Option<String>,
    pub wait_time: Option<String>,
    /// Youngest age served (0 or more).
    pub minimum_age: Option<i32>,
    /// Oldest age served (not below `minimumAge`).
    pub maximum_age: Option<i32>,
    /// When the record was last checked.
    pub assured_date: Option<Date>,
    /// Show it to anonymous callers (default false).
    pub published: Option<bool>,
}

/// Changes to a service: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateServiceInput {
    pub provider_id: MaybeUndefined<ID>,
    pub name: MaybeUndefined<String>,
    pub alternate_name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub url: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub status: MaybeUndefined<ServiceStatus>,
    pub fees_description: MaybeUndefined<String>,
    pub application_process: MaybeUndefined<String>,
    pub wait_time: MaybeUndefined<String>,
    pub minimum_age: MaybeUndefined<i32>,
    pub maximum_age: MaybeUndefined<i32>,
    pub assured_date: MaybeUndefined<Date>,
    pub published: MaybeUndefined<bool>,
}

#[derive(Default)]
pub struct ServiceMutations;

/// Changes to services (admin only).
#[Object]
impl ServiceMutations {
    /// Creates a service.
    async fn create_service(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceInput,
    ) -> ApiResult<Service> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        let provider = reference::<providers::Entity>(
            &read.db,
            &mut problems,
            "providerId",
            Some(&input.provider_id),
        )
        .await?;
        problems.required("name", Some(&input.name));
        problems.email("email", input.email.as_deref());
        problems.url("url", input.url.as_deref());
        ages(&mut problems, input.minimum_age, input.maximum_age);
        problems.finish().map_err(AppError::Invalid)?;
        let Some(provider) = provider else {
            return Err(AppError::Invalid(Vec::new()));
        };
        let row = services::ActiveModel {
            provider_id: Set(provider),
            name: Set(input.name.trim().to_owned()),
            alternate_name: Set(input.alternate_name),
            description: Set(input.description),
            url: Set(input.url),
            email: Set(input.email),
            status: Set(input.status.unwrap_or(ServiceStatus::Active).into()),
            fees_description: Set(input.fees_description),
            application_process: Set(input.application_process),
            wait_time: Set(input.wait_time),
            minimum_age: Set(input.minimum_age),
            maximum_age: Set(input.maximum_age),
            assured_date: Set(input.assured_date.map(|date| date.0)),
            published: Set(input.published.unwrap_or(false)),
            flagged: Set(false),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a service at `version` (its current one: `CONFLICT` otherwise).
    async fn update_service(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateServiceInput,
    ) -> ApiResult<Service> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<services::Entity>(&read.db, id).await?;
        let mut problems = Problems::default();
        for (field, cleared) in [
            ("providerId", input.provider_id.is_null()),
            ("name", input.name.is_null()),
            ("status", input.status.is_null()),
            ("published", input.published.is_null()),
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
        problems.email("email", input.email.value().map(String::as_str));
        problems.url("url", input.url.value().map(String::as_str));
        // The ages after the change, against each other.
        ages(
            &mut problems,
            after(&input.minimum_age, current.minimum_age),
            after(&input.maximum_age, current.maximum_age),
        );
        problems.finish().map_err(AppError::Invalid)?;
        let changes = services::ActiveModel {
            provider_id: match provider {
                Some(provider) => Set(provider),
                None => NotSet,
            },
            name: trimmed(input.name),
            alternate_name: patch(input.alternate_name),
            description: patch(input.description),
            url: patch(input.url),
            email: patch(input.email),
            status: match input.status {
                MaybeUndefined::Value(status) => Set(status.into()),
                _ => NotSet,
            },
            fees_description: patch(input.fees_description),
            application_process: patch(input.application_process),
            wait_time: patch(input.wait_time),
            minimum_age: patch(input.minimum_age),
            maximum_age: patch(input.maximum_age),
            assured_date: patch(input.assured_date.map_value(|date| date.0)),
            published: match input.published {
                MaybeUndefined::Value(published) => Set(published),
                _ => NotSet,
            },
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a service; refused while it has live contacts, cost
    /// options, events or links, unless `cascade`, which deletes them too.
    async fn delete_service(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<services::Entity>(ctx, id, cascade).await
    }

    /// Shows a service to anonymous callers (its provider must be published too).
    async fn publish_service(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Service> {
        set_flag(ctx, &id, "published", true).await
    }

    /// Hides a service from anonymous callers.
    async fn unpublish_service(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Service> {
        set_flag(ctx, &id, "published", false).await
    }

    /// Marks a service as needing review.
    async fn flag_service(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Service> {
        set_flag(ctx, &id, "flagged", true).await
    }

    /// Clears a service's review mark.
    async fn unflag_service(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Service> {
        set_flag(ctx, &id, "flagged", false).await
    }
}
