//! The record types of the schema. Each wraps its table's model; fields read the
//! model, relations go through the request's loader (to-one) or
//! [`connection::children`] (lists), so a page of records costs one statement per
//! relation selected, not one per record.

pub mod contact;
pub mod cost_option;
pub mod eligibility;
pub mod event;
pub mod node;
pub mod provider;
pub mod service;
pub mod taxonomy;
pub mod taxonomy_ref;
pub mod venue;

use super::connection::NodeObject;
use super::loaders::ReadContext;
use async_graphql::{Context, Result};
use uuid::Uuid;

/// The related record of type `N` with this id, if the caller may see it.
pub async fn to_one<N: NodeObject>(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<N>>
where
    <N::Entity as sea_orm::EntityTrait>::Model: Send + Sync,
{
    let Some(id) = id else { return Ok(None) };
    let model = ctx.data::<ReadContext>()?.record::<N::Entity>(id).await?;
    Ok(model.map(N::from_model))
}

/// Implements [`NodeObject`] for a newtype over a model.
macro_rules! node_object {
    ($type:ident, $module:ident) => {
        impl $crate::graphql::connection::NodeObject for $type {
            type Entity = $crate::repo::$module::Entity;
            const NAME: &'static str = stringify!($type);
            fn from_model(model: $crate::repo::$module::Model) -> Self {
                Self(model)
            }
        }
    };
}
pub(crate) use node_object;
