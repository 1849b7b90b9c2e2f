//! Contacts of providers, services and venues.

use super::Record;
pub use entities::contacts::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "contact";
    const TABLE: &'static str = "contacts";
}
