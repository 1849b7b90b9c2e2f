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
use crate::error::ApiResult;
use crate::graphql::batch::Batch;
use crate::graphql::connection::NodeObject;
use crate::graphql::context::ReadContext;
use crate::graphql::selection::object_columns;
use crate::read::lookup::tables_of;
use crate::read::page::{by_ids, model_id};
use crate::read::visibility::visible;
use crate::read::{Columns, Readable, Table};
use async_graphql::{Context, ID, Interface};
use std::collections::HashMap;
use uuid::Uuid;

/// Any directory record. Every record has a UUID `id`, unique across all types.
#[derive(Interface, Clone)]
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

/// Visible records of `N` with these ids and `columns` filled, sharing one batch.
pub async fn lookup<N: NodeObject>(
    read: &ReadContext,
    ids: &[Uuid],
    columns: Columns,
) -> ApiResult<HashMap<Uuid, N>> {
    let table = <N::Entity as Readable>::READ_TABLE;
    let visibility = visible(table, table.name(), &read.viewer);
    let models = by_ids::<N::Entity>(&read.db, ids, visibility, columns).await?;
    let batch = Batch::new(models.clone());
    let mut found = HashMap::with_capacity(models.len());
    for model in models {
        found.insert(model_id::<N::Entity>(&model)?, N::new(model, batch.clone()));
    }
    Ok(found)
}

async fn nodes_in<N: NodeObject>(
    ctx: &Context<'_>,
    ids: &[Uuid],
    wrap: fn(N) -> Node,
    found: &mut HashMap<Uuid, Node>,
) -> ApiResult<()> {
    let read = ctx.data::<ReadContext>()?;
    let columns = object_columns::<N::Entity>(ctx, read);
    for (id, node) in lookup::<N>(read, ids, columns).await? {
        found.insert(id, wrap(node));
    }
    Ok(())
}

/// The records with these ids, in the same order; null where an id is unknown or
/// the caller may not see the record. Two statements per table involved at most.
pub async fn nodes(ctx: &Context<'_>, ids: &[Uuid]) -> ApiResult<Vec<Option<Node>>> {
    let read = ctx.data::<ReadContext>()?;
    let tables = tables_of(&read.db, ids).await?;
    let mut by_table: HashMap<Table, Vec<Uuid>> = HashMap::new();
    for (id, table) in &tables {
        by_table.entry(*table).or_default().push(*id);
    }
    let mut found = HashMap::with_capacity(ids.len());
    for (table, ids) in by_table {
        let found = &mut found;
        match table {
            Table::Providers => nodes_in(ctx, &ids, Node::Provider, found).await?,
            Table::Services => nodes_in(ctx, &ids, Node::Service, found).await?,
            Table::Venues => nodes_in(ctx, &ids, Node::Venue, found).await?,
            Table::Contacts => nodes_in(ctx, &ids, Node::Contact, found).await?,
            Table::Eligibilities => nodes_in(ctx, &ids, Node::Eligibility, found).await?,
            Table::CostOptions => nodes_in(ctx, &ids, Node::CostOption, found).await?,
            Table::Events => nodes_in(ctx, &ids, Node::Event, found).await?,
            Table::Taxonomies => nodes_in(ctx, &ids, Node::Taxonomy, found).await?,
            Table::TaxonomyTerms => nodes_in(ctx, &ids, Node::TaxonomyTerm, found).await?,
            Table::TaxonomyRefs => nodes_in(ctx, &ids, Node::TaxonomyRef, found).await?,
            // Link records and HSDS objects read through their parents.
            _ => {}
        }
    }
    Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
}
