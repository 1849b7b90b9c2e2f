//! `taxonomy_terms`: A term of a taxonomy (HSDS `taxonomy_term`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "taxonomy_terms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub taxonomy_id: Uuid,
    /// The broader term.
    pub parent_id: Option<Uuid>,
    pub code: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub term_uri: Option<String>,
    /// ISO 639 language of the term's name.
    pub language: Option<String>,
    /// HSDS's free-text name of the taxonomy, for terms of no taxonomy record.
    pub taxonomy: Option<String>,
    /// Set by the server when the row is created.
    pub created_at: DateTimeUtc,
    /// Set by the server on every change.
    pub updated_at: DateTimeUtc,
    /// 1 on create, +1 on every update (optimistic concurrency).
    pub version: i32,
    /// Tombstone: set when the record is deleted; the row is kept for exports.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::taxonomies::Entity",
        from = "Column::TaxonomyId",
        to = "super::taxonomies::Column::Id"
    )]
    Taxonomy,
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
}

impl Related<super::taxonomies::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Taxonomy.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
