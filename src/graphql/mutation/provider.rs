//! `createProvider`, `updateProvider`, `deleteProvider` and the publish and flag
//! mutations of providers.

use super::common::{
    admin, created, delete_record, patch, reference, required_patch, set_flag, trimmed, updated,
};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::provider::Provider;
use crate::repo::providers;
use crate::write::Problems;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::{NotSet, Set};

/// A new provider.
#[derive(InputObject)]
pub struct CreateProviderInput {
    /// Name of the organisation (required).
    pub name: String,
    /// Another name it is known by.
    pub alternate_name: Option<String>,
    /// What the organisation does.
    pub description: Option<String>,
    /// Main e-mail address.
    pub email: Option<String>,
    /// Website (an http or https URL).
    pub website: Option<String>,
    /// URL of its logo.
    pub logo: Option<String>,
    /// The live provider this one is part of.
    pub parent_provider_id: Option<ID>,
    /// Show it to anonymous callers (default false).
    pub published: Option<bool>,
}

/// Changes to a provider: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateProviderInput {
    pub name: MaybeUndefined<String>,
    pub alternate_name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub website: MaybeUndefined<String>,
    pub logo: MaybeUndefined<String>,
    pub parent_provider_id: MaybeUndefined<ID>,
    pub published: MaybeUndefined<bool>,
}

#[derive(Default)]
pub struct ProviderMutations;

/// Changes to providers (admin only).
#[Object]
impl ProviderMutations {
    /// Creates a provider.
    async fn create_provider(
        &self,
        ctx: &Context<'_>,
        input: CreateProviderInput,
    ) -> ApiResult<Provider> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        problems.required("name", Some(&input.name));
        problems.email("email", input.email.as_deref());
        problems.url("website", input.website.as_deref());
        problems.url("logo", input.logo.as_deref());
        let parent = reference::<providers::Entity>(
            &read.db,
            &mut problems,
            "parentProviderId",
            input.parent_provider_id.as_ref(),
        )
        .await?;
        problems.finish().map_err(AppError::Invalid)?;
        let row = providers::ActiveModel {
            name: Set(input.name.trim().to_owned()),
            alternate_name: Set(input.alternate_name),
            description: Set(input.description),
            email: Set(input.email),
            website: Set(input.website),
            logo: Set(input.logo),
            parent_provider_id: Set(parent),
            published: Set(input.published.unwrap_or(false)),
            flagged: Set(false),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a provider at `version` (its current one: `CONFLICT` otherwise).
    async fn update_provider(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateProviderInput,
    ) -> ApiResult<Provider> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        let mut problems = Problems::default();
        required_patch(&mut problems, "name", &input.name);
        if input.published.is_null() {
            problems.add("published", "cannot be null");
        }
        problems.email("email", input.email.value().map(String::as_str));
        problems.url("website", input.website.value().map(String::as_str));
        problems.url("logo", input.logo.value().map(String::as_str));
        let parent = reference::<providers::Entity>(
            &read.db,
            &mut problems,
            "parentProviderId",
            input.parent_provider_id.value(),
        )
        .await?;
        if parent == Some(id) {
            problems.add("parentProviderId", "a provider cannot be its own parent");
        }
        problems.finish().map_err(AppError::Invalid)?;
        let changes = providers::ActiveModel {
            name: trimmed(input.name),
            alternate_name: patch(input.alternate_name),
            description: patch(input.description),
            email: patch(input.email),
            website: patch(input.website),
            logo: patch(input.logo),
            parent_provider_id: match input.parent_provider_id {
                MaybeUndefined::Undefined => NotSet,
                MaybeUndefined::Null => Set(None),
                MaybeUndefined::Value(_) => Set(parent),
            },
            published: match input.published {
                MaybeUndefined::Value(published) => Set(published),
                _ => NotSet,
            },
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a provider; refused while it has live services, venues,
    /// contacts or child providers, unless `cascade`, which deletes them too.
    async fn delete_provider(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<providers::Entity>(ctx, id, cascade).await
    }

    /// Shows a provider to anonymous callers.
    async fn publish_provider(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Provider> {
        set_flag(ctx, &id, "published", true).await
    }

    /// Hides a provider (and its services) from anonymous callers.
    async fn unpublish_provider(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Provider> {
        set_flag(ctx, &id, "published", false).await
    }

    /// Marks a provider as needing review.
    async fn flag_provider(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Provider> {
        set_flag(ctx, &id, "flagged", true).await
    }

    /// Clears a provider's review mark.
    async fn unflag_provider(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Provider> {
        set_flag(ctx, &id, "flagged", false).await
    }
}
