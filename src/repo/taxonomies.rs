//! Taxonomies: vocabularies of terms.

use super::Record;
pub use entities::taxonomies::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "taxonomy";
    const TABLE: &'static str = "taxonomies";
}
