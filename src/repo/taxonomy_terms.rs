//! Taxonomy terms.

use super::Record;
pub use entities::taxonomy_terms::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "taxonomy term";
    const TABLE: &'static str = "taxonomy_terms";
}
