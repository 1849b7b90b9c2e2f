//! Tagging records with taxonomy terms: `createTaxonomyRef`, `updateTaxonomyRef`,
//! `deleteTaxonomyRef`, and the shorthands `linkTaxonomyTerm` / `unlinkTaxonomyTerm`
//! that take any taggable record's id (a service, provider, venue or event).
//!
//! A reference tags exactly one record; a term tags a record once (the database
//! enforces both; they are checked here first for a clear error).

use super::common::{admin, created, delete_record, unlink, updated};
use super::common::{patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::taxonomy_ref::TaxonomyRef;
use crate::repo::{events, providers, services, taxonomy_refs, taxonomy_terms, venues};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A new taxonomy reference: a term and exactly one of the records it tags.
#[derive(InputObject)]
pub struct CreateTaxonomyRefInput {
    /// The live term (required).
    pub taxonomy_term_id: ID,
    pub service_id: Option<ID>,
    pub provider_id: Option<ID>,
    pub venue_id: Option<ID>,
    pub event_id: Option<ID>,
    /// A value qualifying the tag (HSDS `attribute.value`).
    pub value: Option<String>,
    pub label: Option<String>,
}

/// Changes to a taxonomy reference: omitted fields stay as they are, `null` clears
/// one. What it tags does not change: delete it and tag again.
#[derive(InputObject)]
pub struct UpdateTaxonomyRefInput {
    pub value: MaybeUndefined<String>,
    pub label: MaybeUndefined<String>,
}

/// The record a reference tags.
#[derive(Clone, Copy, Debug)]
enum Target {
    Service(Uuid),
    Provider(Uuid),
    Venue(Uuid),
    Event(Uuid),
}

impl Target {
    /// The record with `id`, whichever taggable type it is, if live.
    async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Self>> {
        Ok(if is_live::<services::Entity>(db, id).await? {
            Some(Self::Service(id))
        } else if is_live::<providers::Entity>(db, id).await? {
            Some(Self::Provider(id))
        } else if is_live::<venues::Entity>(db, id).await? {
            Some(Self::Venue(id))
        } else if is_live::<events::Entity>(db, id).await? {
            Some(Self::Event(id))
        } else {
            None
        })
    }

    fn column(self) -> (&'static str, Uuid) {
        match self {
            Self::Service(id) => ("service_id", id),
            Self::Provider(id) => ("provider_id", id),
            Self::Venue(id) => ("venue_id", id),
            Self::Event(id) => ("event_id", id),
        }
    }

    fn row(
        self,
        term: Uuid,
        value: Option<String>,
        label: Option<String>,
    ) -> taxonomy_refs::ActiveModel {
        let mut row = taxonomy_refs::ActiveModel {
            taxonomy_term_id: Set(term),
            service_id: Set(None),
            provider_id: Set(None),
            venue_id: Set(None),
            event_id: Set(None),
            value: Set(value),
            label: Set(label),
            ..Default::default()
        };
        match self {
            Self::Service(id) => row.service_id = Set(Some(id)),
            Self::Provider(id) => row.provider_id = Set(Some(id)),
            Self::Venue(id) => row.venue_id = Set(Some(id)),
            Self::Event(id) => row.event_id = Set(Some(id)),
        }
        row
    }
}

async fn is_live<E: crate::repo::Record>(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<bool> {
    Ok(write::missing::<E>(db, &[id]).await?.is_empty())
}

/// A problem when `term` already tags `target` through a live reference.
async fn not_tagged_yet(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    term: Uuid,
    target: Target,
) -> ApiResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (column, id) = target.column();
    let column: taxonomy_refs::Column = column
        .parse()
        .map_err(|_| AppError::internal_msg("taxonomy_refs column"))?;
    let existing = taxonomy_refs::Entity::find()
        .filter(taxonomy_refs::Column::TaxonomyTermId.eq(term))
        .filter(column.eq(id))
        .filter(taxonomy_refs::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    if existing.is_some() {
        problems.add("taxonomyTermId", "that term already tags that record");
    }
    Ok(())
}

#[derive(Default)]
pub struct TaxonomyRefMutations;

/// Tagging records with taxonomy terms (admin only).
#[Object]
impl TaxonomyRefMutations {
    /// Tags one record (exactly one of `serviceId`, `providerId`, `venueId`,
    /// `eventId`) with a term.
    async fn create_taxonomy_ref(
        &self,
        ctx: &Context<'_>,
        input: CreateTaxonomyRefInput,
    ) -> ApiResult<TaxonomyRef> {
        let read = admin(ctx)?;
        let db = &read.db;
        let mut problems = Problems::default();
        let term = reference::<taxonomy_terms::Entity>(
            db,
            &mut problems,
            "taxonomyTermId",
            Some(&input.taxonomy_term_id),
        )
        .await?;
        let service = reference::<services::Entity>(
            db,
            &mut problems,
            "serviceId",
            input.service_id.as_ref(),
        )
        .await?
        .map(Target::Service);
        let provider = reference::<providers::Entity>(
            db,
            &mut problems,
            "providerId",
            input.provider_id.as_ref(),
        )
        .await?
        .map(Target::Provider);
        let venue =
            reference::<venues::Entity>(db, &mut problems, "venueId", input.venue_id.as_ref())
                .await?
                .map(Target::Venue);
        let event =
            reference::<events::Entity>(db, &mut problems, "eventId", input.event_id.as_ref())
                .await?
                .map(Target::Event);
        let targets: Vec<Target> = [service, provider, venue, event]
            .into_iter()
            .flatten()
            .collect();
        let given = [
            &input.service_id,
            &input.provider_id,
            &input.venue_id,
            &input.event_id,
        ]
        .iter()
        .filter(|id| id.is_some())
        .count();
        if given != 1 {
            problems.add(
                "serviceId",
                "give exactly one of serviceId, providerId, venueId and eventId",
            );
        }
        if let (Some(term), [target]) = (term, targets.as_slice()) {
            not_tagged_yet(db, &mut problems, term, *target).await?;
        }
        problems.finish().map_err(AppError::Invalid)?;
        let (Some(term), [target]) = (term, targets.as_slice()) else {
            return Err(AppError::Invalid(Vec::new()));
        };
        created(read, target.row(term, input.value, input.label)).await
    }

    /// Changes a reference's value or label at `version`.
    async fn update_taxonomy_ref(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateTaxonomyRefInput,
    ) -> ApiResult<TaxonomyRef> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        let changes = taxonomy_refs::ActiveModel {
            value: patch(input.value),
            label: patch(input.label),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a taxonomy reference.
    async fn delete_taxonomy_ref(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default_with = "Some(false)", desc = "Nothing depends on a reference.")]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<taxonomy_refs::Entity>(ctx, id, cascade).await
    }

    /// Tags the service, provider, venue or event with id `recordId` with a term.
    async fn link_taxonomy_term(
        &self,
        ctx: &Context<'_>,
        taxonomy_term_id: ID,
        record_id: ID,
        value: Option<String>,
        label: Option<String>,
    ) -> ApiResult<TaxonomyRef> {
        let read = admin(ctx)?;
        let db = &read.db;
        let mut problems = Problems::default();
        let term = reference::<taxonomy_terms::Entity>(
            db,
            &mut problems,
            "taxonomyTermId",
            Some(&taxonomy_term_id),
        )
        .await?;
        let target = match parse_id("recordId", &record_id) {
            Ok(id) => Target::find(db, id).await?,
            Err(_) => None,
        };
        if target.is_none() {
            problems.add(
                "recordId",
                format!(
                    "{:?} is not the id of a live service, provider, venue or event",
                    record_id.as_str()
                ),
            );
        }
        if let (Some(term), Some(target)) = (term, target) {
            not_tagged_yet(db, &mut problems, term, target).await?;
        }
        problems.finish().map_err(AppError::Invalid)?;
        let (Some(term), Some(target)) = (term, target) else {
            return Err(AppError::Invalid(Vec::new()));
        };
        created(read, target.row(term, value, label)).await
    }

    /// Removes a term from the service, provider, venue or event with id `recordId`
    /// (tombstones the reference).
    async fn unlink_taxonomy_term(
        &self,
        ctx: &Context<'_>,
        taxonomy_term_id: ID,
        record_id: ID,
    ) -> ApiResult<bool> {
        let read = admin(ctx)?;
        let term = parse_id("taxonomyTermId", &taxonomy_term_id)?;
        let record = parse_id("recordId", &record_id)?;
        let missing = "that term does not tag that record";
        let Some(target) = Target::find(&read.db, record).await? else {
            return Err(AppError::not_found(missing));
        };
        unlink::<taxonomy_refs::Entity>(ctx, ("taxonomy_term_id", term), target.column(), missing)
            .await
    }
}
