//! `createTaxonomy`, `updateTaxonomy`, `deleteTaxonomy` and the same for taxonomy
//! terms. Names of live taxonomies, and codes of live terms within a taxonomy, are
//! unique (checked here for a clear error; the database's partial unique indexes
//! settle a race). A term's parent lies in the same taxonomy and never below it.

use super::common::{admin, created, delete_record, required_patch, trimmed, updated};
use super::common::{patch, reference};
use crate::error::{ApiResult, AppError};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::taxonomy::{Taxonomy, TaxonomyTerm};
use crate::repo::{taxonomies, taxonomy_terms};
use crate::write::{self, Problems};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// A new taxonomy (a vocabulary such as "Category" or "Need").
#[derive(InputObject)]
pub struct CreateTaxonomyInput {
    /// Its name, unique among live taxonomies (required).
    pub name: String,
    pub description: Option<String>,
    /// Where the vocabulary is published (an http or https URL).
    pub uri: Option<String>,
    /// The vocabulary's own version.
    pub version_label: Option<String>,
}

/// Changes to a taxonomy: omitted fields stay as they are, `null` clears one.
#[derive(InputObject)]
pub struct UpdateTaxonomyInput {
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub uri: MaybeUndefined<String>,
    pub version_label: MaybeUndefined<String>,
}

/// A new term of a taxonomy.
#[derive(InputObject)]
pub struct CreateTaxonomyTermInput {
    /// The live taxonomy it belongs to (required).
    pub taxonomy_id: ID,
    /// The broader term, in the same taxonomy.
    pub parent_id: Option<ID>,
    /// Its code, unique among the taxonomy's live terms.
    pub code: Option<String>,
    /// Its name (required).
    pub name: String,
    pub description: Option<String>,
    /// The term's URI (an http or https URL).
    pub term_uri: Option<String>,
}

/// Changes to a term: omitted fields stay as they are, `null` clears one. A term
/// stays in its taxonomy.
#[derive(InputObject)]
pub struct UpdateTaxonomyTermInput {
    pub parent_id: MaybeUndefined<ID>,
    pub code: MaybeUndefined<String>,
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub term_uri: MaybeUndefined<String>,
}

/// A problem when another live taxonomy than `this` is named `name`.
async fn unique_name(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    name: &str,
    this: Option<Uuid>,
) -> ApiResult<()> {
    let mut query = taxonomies::Entity::find()
        .filter(taxonomies::Column::Name.eq(name.trim()))
        .filter(taxonomies::Column::DeletedAt.is_null());
    if let Some(id) = this {
        query = query.filter(taxonomies::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        problems.add("name", format!("a live taxonomy is already named {name:?}"));
    }
    Ok(())
}

/// A problem when another live term than `this` of `taxonomy` has `code`.
async fn unique_code(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    taxonomy: Uuid,
    code: &str,
    this: Option<Uuid>,
) -> ApiResult<()> {
    let mut query = taxonomy_terms::Entity::find()
        .filter(taxonomy_terms::Column::TaxonomyId.eq(taxonomy))
        .filter(taxonomy_terms::Column::Code.eq(code))
        .filter(taxonomy_terms::Column::DeletedAt.is_null());
    if let Some(id) = this {
        query = query.filter(taxonomy_terms::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        problems.add(
            "code",
            format!("another live term of this taxonomy has code {code:?}"),
        );
    }
    Ok(())
}

/// Problems with `parent` as the broader term of `term` (absent when creating) in
/// `taxonomy`: another taxonomy, or `term` itself or one of its descendants.
async fn valid_parent(
    db: &impl ConnectionTrait,
    problems: &mut Problems,
    taxonomy: Uuid,
    parent: Uuid,
    term: Option<Uuid>,
) -> ApiResult<()> {
    let mut next = Some(parent);
    let mut seen = Vec::new();
    while let Some(id) = next {
        if Some(id) == term {
            problems.add(
                "parentId",
                "a term cannot sit below itself or its descendants",
            );
            return Ok(());
        }
        if seen.contains(&id) {
            break;
        }
        seen.push(id);
        let Some(ancestor) = taxonomy_terms::Entity::find_by_id(id).one(db).await? else {
            break;
        };
        if id == parent && ancestor.taxonomy_id != taxonomy {
            problems.add("parentId", "the broader term belongs to another taxonomy");
            return Ok(());
        }
        next = ancestor.parent_id;
    }
    Ok(())
}

#[derive(Default)]
pub struct TaxonomyMutations;

/// Changes to taxonomies and their terms (admin only).
#[Object]
impl TaxonomyMutations {
    /// Creates a taxonomy.
    async fn create_taxonomy(
        &self,
        ctx: &Context<'_>,
        input: CreateTaxonomyInput,
    ) -> ApiResult<Taxonomy> {
        let read = admin(ctx)?;
        let mut problems = Problems::default();
        problems.required("name", Some(&input.name));
        unique_name(&read.db, &mut problems, &input.name, None).await?;
        problems.url("uri", input.uri.as_deref());
        problems.finish().map_err(AppError::Invalid)?;
        let row = taxonomies::ActiveModel {
            name: Set(input.name.trim().to_owned()),
            description: Set(input.description),
            uri: Set(input.uri),
            version_label: Set(input.version_label),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a taxonomy at `version` (its current one: `CONFLICT` otherwise).
    async fn update_taxonomy(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateTaxonomyInput,
    ) -> ApiResult<Taxonomy> {
        let read = admin(ctx)?;
        let id = parse_id("id", &id)?;
        write::fetch::<taxonomies::Entity>(&read.db, id).await?;
        let mut problems = Problems::default();
        match &input.name {
            MaybeUndefined::Null => problems.add("name", "is required and cannot be cleared"),
            MaybeUndefined::Value(name) => {
                problems.required("name", Some(name));
                unique_name(&read.db, &mut problems, name, Some(id)).await?;
            }
            MaybeUndefined::Undefined => {}
        }
        problems.url("uri", input.uri.value().map(String::as_str));
        problems.finish().map_err(AppError::Invalid)?;
        let changes = taxonomies::ActiveModel {
            name: trimmed(input.name),
            description: patch(input.description),
            uri: patch(input.uri),
            version_label: patch(input.version_label),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a taxonomy; refused while it has live terms, unless
    /// `cascade`, which also deletes its terms and their references.
    async fn delete_taxonomy(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<taxonomies::Entity>(ctx, id, cascade).await
    }

    /// Creates a term in a taxonomy.
    async fn create_taxonomy_term(
        &self,
        ctx: &Context<'_>,
        input: CreateTaxonomyTermInput,
    ) -> ApiResult<TaxonomyTerm> {
        let read = admin(ctx)?;
        let db = &read.db;
        let mut problems = Problems::default();
        let taxonomy = reference::<taxonomies::Entity>(
            db,
            &mut problems,
            "taxonomyId",
            Some(&input.taxonomy_id),
        )
        .await?;
        let parent = reference::<taxonomy_terms::Entity>(
            db,
            &mut problems,
            "parentId",
            input.parent_id.as_ref(),
        )
        .await?;
        if let (Some(taxonomy), Some(parent)) = (taxonomy, parent) {
            valid_parent(db, &mut problems, taxonomy, parent, None).await?;
        }
        if let (Some(taxonomy), Some(code)) = (taxonomy, &input.code) {
            unique_code(db, &mut problems, taxonomy, code, None).await?;
        }
        problems.required("name", Some(&input.name));
        problems.url("termUri", input.term_uri.as_deref());
        problems.finish().map_err(AppError::Invalid)?;
        let (Some(taxonomy), parent) = (taxonomy, parent) else {
            return Err(AppError::Invalid(Vec::new()));
        };
        let row = taxonomy_terms::ActiveModel {
            taxonomy_id: Set(taxonomy),
            parent_id: Set(parent),
            code: Set(input.code),
            name: Set(input.name.trim().to_owned()),
            description: Set(input.description),
            term_uri: Set(input.term_uri),
            ..Default::default()
        };
        created(read, row).await
    }

    /// Changes a term at `version` (its current one: `CONFLICT` otherwise).
    async fn update_taxonomy_term(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateTaxonomyTermInput,
    ) -> ApiResult<TaxonomyTerm> {
        let read = admin(ctx)?;
        let db = &read.db;
        let id = parse_id("id", &id)?;
        let current = write::fetch::<taxonomy_terms::Entity>(db, id).await?;
        let mut problems = Problems::default();
        let parent = reference::<taxonomy_terms::Entity>(
            db,
            &mut problems,
            "parentId",
            input.parent_id.value(),
        )
        .await?;
        if let Some(parent) = parent {
            valid_parent(db, &mut problems, current.taxonomy_id, parent, Some(id)).await?;
        }
        if let MaybeUndefined::Value(code) = &input.code {
            unique_code(db, &mut problems, current.taxonomy_id, code, Some(id)).await?;
        }
        required_patch(&mut problems, "name", &input.name);
        problems.url("termUri", input.term_uri.value().map(String::as_str));
        problems.finish().map_err(AppError::Invalid)?;
        let changes = taxonomy_terms::ActiveModel {
            parent_id: super::common::parent_value(&input.parent_id, parent),
            code: patch(input.code),
            name: trimmed(input.name),
            description: patch(input.description),
            term_uri: patch(input.term_uri),
            ..Default::default()
        };
        updated(read, id, version, changes).await
    }

    /// Deletes (tombstones) a term; refused while it has live narrower terms or
    /// references, unless `cascade`.
    async fn delete_taxonomy_term(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the live records that depend on it."
        )]
        cascade: Option<bool>,
    ) -> ApiResult<ID> {
        delete_record::<taxonomy_terms::Entity>(ctx, id, cascade).await
    }
}
