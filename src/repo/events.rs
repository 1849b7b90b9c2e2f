//! Events, dated or recurring.

use super::Record;
pub use entities::events::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "event";
    const TABLE: &'static str = "events";
}
