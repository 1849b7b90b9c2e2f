//! The record types of the schema. Each wraps its table's model; fields read the
//! model, relations are loaded for the record's whole batch
//! ([`crate::graphql::batch`]), so a page of records costs one statement per
//! relation selected, not one per record.

pub mod contact;
pub mod cost_option;
pub mod dataset;
pub mod eligibility;
pub mod event;
pub mod hsds;
pub mod import;
pub mod ingest;
pub mod node;
pub mod provider;
pub mod service;
pub mod taxonomy;
pub mod taxonomy_ref;
pub mod venue;
pub mod viewer;

use super::batch::{Batch, LoadKey, to_one};
use super::connection::NodeObject;
use super::context::ReadContext;
use super::selection::object_columns;
use crate::error::ApiResult;
use crate::read::Readable;
use async_graphql::Context;
use futures_util::future::BoxFuture;
use uuid::Uuid;

/// Implements [`NodeObject`] for a newtype over a model.
macro_rules! node_object {
    ($type:ident, $module:ident) => {
        impl $crate::graphql::connection::NodeObject for $type {
            type Entity = $crate::repo::$module::Entity;
            const NAME: &'static str = stringify!($type);
            fn new(
                model: $crate::repo::$module::Model,
                batch: std::sync::Arc<$crate::graphql::batch::Batch<Self::Entity>>,
            ) -> Self {
                Self(model, batch)
            }
        }
    };
}
pub(crate) use node_object;

/// The record `foreign_key` of `model` points at, if the caller may see it; loaded
/// for every record of `model`'s batch at once. Boxed for the reason
/// [`crate::graphql::connection::children`] is.
pub fn related<'a, N: NodeObject, P: Readable>(
    ctx: &'a Context<'_>,
    batch: &'a Batch<P>,
    model: &'a P::Model,
    field: &'static str,
    foreign_key: fn(&P::Model) -> Option<Uuid>,
) -> BoxFuture<'a, ApiResult<Option<N>>> {
    Box::pin(async move {
        let read = ctx.data::<ReadContext>()?;
        let key = LoadKey::ToOne(field, LoadKey::field_of(ctx));
        let columns = || object_columns::<N::Entity>(ctx, read);
        to_one(read, batch, key, foreign_key, foreign_key(model), columns).await
    })
}
