//! Service-to-eligibility links.

use super::Record;
pub use entities::service_eligibilities::{ActiveModel, Column, Entity, Model};

impl Record for Entity {
    const KIND: &'static str = "service eligibility link";
    const TABLE: &'static str = "service_eligibilities";
}
