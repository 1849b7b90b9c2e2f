//! `createCostOption`, `updateCostOption`, `deleteCostOption`.

use super::common::{admin, created, delete_record, trimmed, updated};
use super::common::{patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::scalars::Date;
use crate::graphql::types::cost_option::CostOption;
use crate::repo::{cost_options, services};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::{NotSet, Set};

/// A new cost option of a service.
#[derive(InputObject)]
pub struct CreateCostOptionInput {
    /// The live service it prices (required).
    pub service_id: ID,
    /// What is charged for (required), e.g. "Per session".
    pub option: String,
    /// The price (0 or more); none when it varies.
    pub amount: Option<Decimal>,
    /// ISO 4217 code (default GBP).
    pub currency: Option<String>,
    pub amount_description: Option<String>,
    /// First day it applies.
    pub valid_from: Option<Date>,
    /// Last day it applies (not before `validFrom`).
    pub valid_to: Option<Date>,
}

/// Changes to a cost option: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateCostOptionInput {
    pub option: MaybeUndefined<String>,
    pub amount: MaybeUndefined<Decimal>,
    pub currency: MaybeUndefined<String>,
    pub amount_description: MaybeUndefined<String>,
    pub valid_from: MaybeUndefined<Date>,
    pub valid_to: MaybeUndefined<Date>,
}

fn money(problems: &mut Problems, amount: Option<Decimal>, currency: Option<&str>) {
    if let Some(amount) = amount
        && amount.is_sign_negative()
    {
        problems.add("amount", format!("{amount} is below 0"));
    }
    if let Some(currency) = currency
        && !(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_alphabetic()))
    {
        problems.add(
            "currency",
            format!("{currency:?} is not a three-letter currency code"),
        );
    }
}

#[derive(Default)]
pub struct CostOptionMutations;

/// Changes to cost options (admin only).
#[Object]
impl CostOptionMutations {
    /// Creates a cost option.
    async fn create_cost_option(
        &self,
        ctx: &Context<'_>,
        input: CreateCostOptionInput,
    ) -> ApiResult<CostOption> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        let service = reference::<services::Entity>(
            &read.db,
            &mut problems,
            "serviceId",
            Some(&input.service_id),
        )
        .await?;
        problems.required("option", Some(&input.option));
        money(&mut problems, input.amount, input.currency.as_deref());
        problems.ordered(
            "validFrom",
            input.valid_from.map(|d| d.0),
            "validTo",
            input.valid_to.map(|d| d.0),
        );
        problems.finish().map_err(AppError::Invalid)?;
        let Some(service) = service else {
            return Err(AppError::Invalid(Vec::new()));
        };
        let row = cost_options::ActiveModel {
            service_id: Set(service),
            option: Set(input.option.trim().to_owned()),
            amount: Set(input.amount),
            currency: Set(input
                .currency
                .map_or_else(|| "GBP".to_owned(), |c| c.to_ascii_uppercase())),
            amount_description: Set(input.amount_description),
            valid_from: Set(input.valid_from.map(|d| d.0)),
            valid_to: Set(input.valid_to.map(|d| d.0)),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a cost option at `version` (its current one: `CONFLICT` otherwise).
    async fn update_cost_option(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateCostOptionInput,
    ) -> ApiResult<CostOption> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<cost_options::Entity>(&read.db, id).await?;
        let mut problems = Problems::default();
        for (field, cleared) in [
            ("option", input.option.is_null()),
            ("currency", input.currency.is_null()),
        ] {
            if cleared {
                problems.add(field, "is required and cannot be cleared");
            }
        }
        if let MaybeUndefined::Value(option) = &input.option {
            problems.required("option", Some(option));
        }
        money(
            &mut problems,
            input.amount.value().copied(),
            input.currency.value().map(String::as_str),
        );
        let date = |patch: &MaybeUndefined<Date>, now| match patch {
            MaybeUndefined::Undefined => now,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(date) => Some(date.0),
        };
        problems.ordered(
            "validFrom",
            date(&input.valid_from, current.valid_from),
            "validTo",
            date(&input.valid_to, current.valid_to),
        );
        problems.finish().map_err(AppError::Invalid)?;
        let changes = cost_options::ActiveModel {
            option: trimmed(input.option),
            amount: patch(input.amount),
            currency: match input.currency {
                MaybeUndefined::Value(currency) => Set(currency.to_ascii_uppercase()),
                _ => NotSet,
            },
            amount_description: patch(input.amount_description),
            valid_from: patch(input.valid_from.map_value(|d| d.0)),
            valid_to: patch(input.valid_to.map_value(|d| d.0)),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a cost option.
    async fn delete_cost_option(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<cost_options::Entity>(ctx, id, cascade).await
    }
}
