//! Service-at-venue links.

use super::Record;
pub use entities::service_venues::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "service venue link";
    const TABLE: &'static str = "service_venues";
}
