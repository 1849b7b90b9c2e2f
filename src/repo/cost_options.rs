//! Cost options of services.

use super::Record;
pub use entities::cost_options::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "cost option";
    const TABLE: &'static str = "cost_options";
}
