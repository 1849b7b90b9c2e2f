//! Providers: the organisations that run services.

use super::Record;
pub use entities::providers::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "provider";
    const TABLE: &'static str = "providers";
}
