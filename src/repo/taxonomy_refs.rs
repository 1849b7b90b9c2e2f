//! Taxonomy references: which term tags which record.

use super::Record;
pub use entities::taxonomy_refs::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "taxonomy reference";
    const TABLE: &'static str = "taxonomy_refs";
}
