//! `postcodes`: A postcode and its point (ONS Postcode Directory).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "postcodes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub postcode: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub terminated: bool,
    pub source_file: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
