//! Tagging records with taxonomy terms: `createTaxonomyRef`, `updateTaxonomyRef`,
//! `deleteTaxonomyRef`, and the shorthands `linkTaxonomyTerm` / `unlinkTaxonomyTerm`
//! that take any taggable record's id: HSDS `attribute`, about any of the 17 kinds
//! of record HSDS allows (`crate::hsds::attribute`).
//!
//! A reference tags exactly one record; a term tags a record once (the database
//! enforces both; they are checked here first for a clear error).

use super::common::{admin, created, delete_record, unlink, updated};
use super::common::{patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::taxonomy_ref::TaxonomyRef;
use crate::hsds::attribute;
use crate::import::spec::{self, Kind};
use crate::repo::{RecordType, taxonomy_refs, taxonomy_terms};
use crate::write::{Problems, fields};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// A new taxonomy reference (HSDS `attribute`): a term and exactly one record it is
/// about, named by `serviceId`, `providerId`, `venueId` or `eventId`, or HSDS's way,
/// by `linkEntity` and `linkId` (any of the 17 objects HSDS allows).
#[derive(InputObject)]
pub struct CreateTaxonomyRefInput {
    /// The live term (required).
    pub taxonomy_term_id: ID,
    pub service_id: Option<ID>,
    pub provider_id: Option<ID>,
    pub venue_id: Option<ID>,
    pub event_id: Option<ID>,
    /// The HSDS table of the record it is about (`phone`, `schedule`, `location`,
    /// `service_at_location`, …), with `linkId`.
    pub link_entity: Option<String>,
    /// The id of the record it is about, with `linkEntity`.
    pub link_id: Option<ID>,
    /// What the attribute says about the record (HSDS `link_type`), e.g. "audience".
    pub link_type: Option<String>,
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
    pub link_type: MaybeUndefined<String>,
}

/// The record a reference is about: the `taxonomy_refs` column that holds it, and
/// its id.
#[derive(Clone, Copy, Debug)]
struct Target {
    column: &'static str,
    id: Uuid,
}

/// Every column an attribute's record may sit in, with that record's type, from
/// the record catalogue.
fn target_types() -> impl Iterator<Item = (&'static str, RecordType)> {
    spec::columns(RecordType::TaxonomyRefs)
        .iter()
        .filter(|column| attribute::target_columns().any(|target| target == column.name))
        .filter_map(|column| match column.kind {
            Kind::Ref(kind) => Some((column.name, kind)),
            _ => None,
        })
}

impl Target {
    /// The live record with `id`, whichever type an attribute may be about.
    async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<Option<Self>> {
        for (column, kind) in target_types() {
            if fields::is_live(db, kind, id).await? {
                return Ok(Some(Self { column, id }));
            }
        }
        Ok(None)
    }

    /// The record in `column` (a target column) with `id`, if live; a problem on
    /// `field` otherwise.
    async fn checked(
        db: &impl ConnectionTrait,
        problems: &mut Problems,
        field: &str,
        column: &'static str,
        id: &ID,
    ) -> ApiResult<Option<Self>> {
        let Some((_, kind)) = target_types().find(|(name, _)| *name == column) else {
            return Ok(None);
        };
        let Ok(id) = parse_id(field, id) else {
            problems.add(field, format!("{:?} is not a UUID", id.as_str()));
            return Ok(None);
        };
        if !fields::is_live(db, kind, id).await? {
            problems.add(field, format!("no live {} has id {id}", kind.singular()));
            return Ok(None);
        }
        Ok(Some(Self { column, id }))
    }

    fn row(
        self,
        term: Uuid,
        value: Option<String>,
        label: Option<String>,
        link_type: Option<String>,
    ) -> ApiResult<taxonomy_refs::ActiveModel> {
        use sea_orm::ActiveModelTrait;
        let mut row = taxonomy_refs::ActiveModel {
            taxonomy_term_id: Set(term),
            value: Set(value),
            label: Set(label),
            link_type: Set(link_type),
            ..Default::default()
        };
        let column: taxonomy_refs::Column = self
            .column
            .parse()
            .map_err(|_| AppError::internal_msg("taxonomy_refs column"))?;
        row.try_set(column, Some(self.id).into())?;
        Ok(row)
    }
}

/// A problem when `term` already tags `target` through a live reference.
async fn not_tagged_yet(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    term: Uuid,
    target: Target,
) -> ApiResult<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let column: taxonomy_refs::Column = target
        .column
        .parse()
        .map_err(|_| AppError::internal_msg("taxonomy_refs column"))?;
    let existing = taxonomy_refs::Entity::find()
        .filter(taxonomy_refs::Column::TaxonomyTermId.eq(term))
        .filter(column.eq(target.id))
        .filter(taxonomy_refs::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    if existing.is_some() {
        problems.add("taxonomyTermId", "that term already tags that record");
    }
    Ok(())
}

/// The one record a create names, or the problems of naming none, several, or one
/// that is not live.
async fn target_of(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    input: &CreateTaxonomyRefInput,
) -> ApiResult<Option<Target>> {
    let mut named = Vec::new();
    for (field, column, id) in [
        ("serviceId", "service_id", &input.service_id),
        ("providerId", "provider_id", &input.provider_id),
        ("venueId", "venue_id", &input.venue_id),
        ("eventId", "event_id", &input.event_id),
    ] {
        if let Some(id) = id {
            named.push(Target::checked(db, problems, field, column, id).await?);
        }
    }
    match (&input.link_entity, &input.link_id) {
        (Some(entity), Some(id)) => match attribute::target_column(entity) {
            Some(column) => named.push(Target::checked(db, problems, "linkId", column, id).await?),
            None => {
                let known: Vec<&str> = attribute::LINK_ENTITIES.iter().map(|(e, _)| *e).collect();
                problems.add(
                    "linkEntity",
                    format!(
                        "{entity:?} names no table (expected one of {})",
                        known.join(", ")
                    ),
                );
                named.push(None);
            }
        },
        (None, None) => {}
        (Some(_), None) | (None, Some(_)) => {
            problems.add("linkId", "linkEntity and linkId go together");
            named.push(None);
        }
    }
    if named.len() != 1 {
        problems.add(
            "serviceId",
            "give exactly one of serviceId, providerId, venueId, eventId and linkEntity with linkId",
        );
        return Ok(None);
    }
    Ok(named.pop().flatten())
}

#[derive(Default)]
pub struct TaxonomyRefMutations;

/// Tagging records with taxonomy terms (admin only).
#[Object]
impl TaxonomyRefMutations {
    /// Tags one record (exactly one of `serviceId`, `providerId`, `venueId`,
    /// `eventId`, or `linkEntity` with `linkId`) with a term.
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
        let target = target_of(db, &mut problems, &input).await?;
        if let (Some(term), Some(target)) = (term, target) {
            not_tagged_yet(db, &mut problems, term, target).await?;
        }
        problems.finish().map_err(AppError::Invalid)?;
        let (Some(term), Some(target)) = (term, target) else {
            return Err(AppError::Invalid(Vec::new()));
        };
        let row = target.row(term, input.value, input.label, input.link_type)?;
        created(read, row).await
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
            link_type: patch(input.link_type),
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
                    "{:?} is not the id of a live record an attribute may be about",
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
        created(read, target.row(term, value, label, None)?).await
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
        unlink::<taxonomy_refs::Entity>(
            ctx,
            ("taxonomy_term_id", term),
            (target.column, target.id),
            missing,
        )
        .await
    }
}
