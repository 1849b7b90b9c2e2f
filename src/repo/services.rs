//! Services: what providers offer, the heart of the directory.

use super::Record;
pub use entities::services::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "service";
    const TABLE: &'static str = "services";
}
