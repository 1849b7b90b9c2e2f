//! `createProvider`, `updateProvider`, `deleteProvider` and the publish and flag
//! mutations of providers.

use super::{
    admin, created, delete_record, required_patch, set_flag, trimmed, updated, validation_failed,
};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::provider::Provider;
use crate::repo::providers;
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use sea_orm::ActiveValue::{NotSet, Set};
use uuid::Uuid;

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

/// A patch field as an active value.
pub(super) fn patch<T: Into<sea_orm::Value>>(
    value: MaybeUndefined<T>,
) -> sea_orm::ActiveValue<Option<T>>
where
    Option<T>: Into<sea_orm::Value>,
{
    match value {
        MaybeUndefined::Undefined => NotSet,
        MaybeUndefined::Null => Set(None),
        MaybeUndefined::Value(value) => Set(Some(value)),
    }
}

/// A reference id: a problem when it is not a UUID or names no live record of `E`.
pub(super) async fn reference<E: crate::repo::Record>(
    db: &impl sea_orm::ConnectionTrait,
    problems: &mut Problems,
    field: &str,
    id: Option<&ID>,
) -> Result<Option<Uuid>> {
    let Some(id) = id else { return Ok(None) };
    let Ok(uuid) = parse_id(field, id) else {
        problems.add(field, format!("{:?} is not a UUID", id.as_str()));
        return Ok(None);
    };
    let missing = write::missing::<E>(db, &[uuid])
        .await
        .map_err(super::repo_error)?;
    if !missing.is_empty() {
        problems.add(field, format!("no live {} has id {uuid}", E::KIND));
    }
    Ok(Some(uuid))
}

/// A parent reference after a patch: the checked new id, none, or the current one.
pub(super) fn parent(
    patched: &MaybeUndefined<ID>,
    checked: Option<Uuid>,
    current: Option<Uuid>,
) -> Option<Uuid> {
    match patched {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(_) => checked,
    }
}

/// A parent reference patch as an active value.
pub(super) fn parent_value(
    patched: &MaybeUndefined<ID>,
    checked: Option<Uuid>,
) -> sea_orm::ActiveValue<Option<Uuid>> {
    match patched {
        MaybeUndefined::Undefined => NotSet,
        MaybeUndefined::Null => Set(None),
        MaybeUndefined::Value(_) => Set(checked),
    }
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
    ) -> Result<Provider> {
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
        problems.finish().map_err(validation_failed)?;
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
    ) -> Result<Provider> {
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
        problems.finish().map_err(validation_failed)?;
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
    ) -> Result<ID> {
        delete_record::<providers::Entity>(ctx, id, cascade).await
    }

    /// Shows a provider to anonymous callers.
    async fn publish_provider(&self, ctx: &Context<'_>, id: ID) -> Result<Provider> {
        set_flag(ctx, &id, "published", true).await
    }

    /// Hides a provider (and its services) from anonymous callers.
    async fn unpublish_provider(&self, ctx: &Context<'_>, id: ID) -> Result<Provider> {
        set_flag(ctx, &id, "published", false).await
    }

    /// Marks a provider as needing review.
    async fn flag_provider(&self, ctx: &Context<'_>, id: ID) -> Result<Provider> {
        set_flag(ctx, &id, "flagged", true).await
    }

    /// Clears a provider's review mark.
    async fn unflag_provider(&self, ctx: &Context<'_>, id: ID) -> Result<Provider> {
        set_flag(ctx, &id, "flagged", false).await
    }
}
