//! Venues: the places services are delivered.

use super::Record;
pub use entities::venues::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "venue";
    const TABLE: &'static str = "venues";
}
