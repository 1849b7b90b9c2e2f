//! Eligibility rules, shared between services.

use super::Record;
pub use entities::eligibilities::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "eligibility";
    const TABLE: &'static str = "eligibilities";
}
