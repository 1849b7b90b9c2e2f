//! `Node`: any record by its id (`node(id:)`, `nodes(ids:)`).

use super::contact::Contact;
use super::cost_option::CostOption;
use super::eligibility::Eligibility;
use super::event::Event;
use super::provider::Provider;
use super::service::Service;
use super::taxonomy::{Taxonomy, TaxonomyTerm};
use super::taxonomy_ref::TaxonomyRef;
use super::venue::Venue;
use crate::graphql::connection::NodeObject;
use crate::graphql::loaders::ReadContext;
use crate::read::Table;
use crate::read::lookup::tables_of;
use async_graphql::{Context, ID, Interface, Result};
use uuid::Uuid;

/// Any directory record. Every record has a UUID `id`, unique across all types.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "The record's id (a UUID): the same in GraphQL, CSV files and exports."
))]
pub enum Node {
    Provider(Provider),
    Service(Service),
    Venue(Venue),
    Contact(Contact),
    Eligibility(Eligibility),
    CostOption(CostOption),
    Event(Event),
    Taxonomy(Taxonomy),
    TaxonomyTerm(TaxonomyTerm),
    TaxonomyRef(TaxonomyRef),
}

async fn load<N: NodeObject>(ctx: &Context<'_>, id: Uuid) -> Result<Option<N>>
where
    <N::Entity as sea_orm::EntityTrait>::Model: Send + Sync,
{
    super::to_one::<N>(ctx, Some(id)).await
}

async fn node_in(ctx: &Context<'_>, table: Table, id: Uuid) -> Result<Option<Node>> {
    Ok(match table {
        Table::Providers => load::<Provider>(ctx, id).await?.map(Node::Provider),
        Table::Services => load::<Service>(ctx, id).await?.map(Node::Service),
        Table::Venues => load::<Venue>(ctx, id).await?.map(Node::Venue),
        Table::Contacts => load::<Contact>(ctx, id).await?.map(Node::Contact),
        Table::Eligibilities => load::<Eligibility>(ctx, id).await?.map(Node::Eligibility),
        Table::CostOptions => load::<CostOption>(ctx, id).await?.map(Node::CostOption),
        Table::Events => load::<Event>(ctx, id).await?.map(Node::Event),
        Table::Taxonomies => load::<Taxonomy>(ctx, id).await?.map(Node::Taxonomy),
        Table::TaxonomyTerms => load::<TaxonomyTerm>(ctx, id).await?.map(Node::TaxonomyTerm),
        Table::TaxonomyRefs => load::<TaxonomyRef>(ctx, id).await?.map(Node::TaxonomyRef),
        Table::ServiceVenues | Table::ServiceEligibilities => None,
    })
}

/// The records with these ids, in the same order; null where an id is unknown or
/// the caller may not see the record.
pub async fn nodes(ctx: &Context<'_>, ids: &[Uuid]) -> Result<Vec<Option<Node>>> {
    let read = ctx.data::<ReadContext>()?;
    let tables = tables_of(&read.db, ids)
        .await
        .map_err(crate::graphql::error::db)?;
    let lookups = ids.iter().map(|id| async {
        match tables.get(id) {
            Some(table) => node_in(ctx, *table, *id).await,
            None => Ok(None),
        }
    });
    futures_util::future::try_join_all(lookups).await
}
