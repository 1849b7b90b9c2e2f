//! `createEligibility`, `updateEligibility`, `deleteEligibility`, and linking
//! services to eligibility rules (`linkServiceEligibility`, `unlinkServiceEligibility`).

use super::common::ages;
use super::common::{
    admin, after, created, delete_record, link_ends, required_patch, trimmed, unlink, updated,
};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::eligibility::Eligibility;
use crate::repo::{eligibilities, service_eligibilities, services};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::Set;

/// A new eligibility rule.
#[derive(InputObject)]
pub struct CreateEligibilityInput {
    /// Who qualifies, in words (required).
    pub description: String,
    /// Youngest age admitted (0 or more).
    pub minimum_age: Option<i32>,
    /// Oldest age admitted (not below `minimumAge`).
    pub maximum_age: Option<i32>,
}

/// Changes to an eligibility rule: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateEligibilityInput {
    pub description: MaybeUndefined<String>,
    pub minimum_age: MaybeUndefined<i32>,
    pub maximum_age: MaybeUndefined<i32>,
}

#[derive(Default)]
pub struct EligibilityMutations;

/// Changes to eligibility rules (admin only).
#[Object]
impl EligibilityMutations {
    /// Creates an eligibility rule.
    async fn create_eligibility(
        &self,
        ctx: &Context<'_>,
        input: CreateEligibilityInput,
    ) -> ApiResult<Eligibility> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        problems.required("description", Some(&input.description));
        ages(&mut problems, input.minimum_age, input.maximum_age);
        problems.finish().map_err(AppError::Invalid)?;
        let row = eligibilities::ActiveModel {
            description: Set(input.description.trim().to_owned()),
            minimum_age: Set(input.minimum_age),
            maximum_age: Set(input.maximum_age),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes an eligibility rule at `version` (its current one: `CONFLICT` otherwise).
    async fn update_eligibility(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateEligibilityInput,
    ) -> ApiResult<Eligibility> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<eligibilities::Entity>(&read.db, id).await?;
        let mut problems = Problems::default();
        required_patch(&mut problems, "description", &input.description);
        ages(
            &mut problems,
            after(&input.minimum_age, current.minimum_age),
            after(&input.maximum_age, current.maximum_age),
        );
        problems.finish().map_err(AppError::Invalid)?;
        let changes = eligibilities::ActiveModel {
            description: trimmed(input.description),
            minimum_age: super::common::patch(input.minimum_age),
            maximum_age: super::common::patch(input.maximum_age),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) an eligibility rule; refused while services use it,
    /// unless `cascade`, which ends those links too.
    async fn delete_eligibility(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<eligibilities::Entity>(ctx, id, cascade).await
    }

    /// Applies an eligibility rule to a service (both live); linking twice is refused.
    async fn link_service_eligibility(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        eligibility_id: ID,
    ) -> ApiResult<ID> {
        let read = admin(ctx)?;
        let (service, rule) = link_ends::<services::Entity, eligibilities::Entity>(
            read,
            ("serviceId", &service_id),
            ("eligibilityId", &eligibility_id),
        )
        .await?;
        let row = service_eligibilities::ActiveModel {
            service_id: Set(service),
            eligibility_id: Set(rule),
            ..Default::default()
        };
        let model = write::create::<service_eligibilities::Entity, _>(
            &read.db,
            row,
            read.viewer.subject.as_deref(),
        )
        .await?;
        Ok(ID(model.id.to_string()))
    }

    /// Removes an eligibility rule from a service (tombstones the link).
    async fn unlink_service_eligibility(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
        eligibility_id: ID,
    ) -> ApiResult<bool> {
        let service = parse_id("serviceId", &service_id)?;
        let rule = parse_id("eligibilityId", &eligibility_id)?;
        unlink::<service_eligibilities::Entity>(
            ctx,
            ("service_id", service),
            ("eligibility_id", rule),
            "that eligibility rule is not applied to that service",
        )
        .await
    }
}
