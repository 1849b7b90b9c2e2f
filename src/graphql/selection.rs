//! The columns a field's selection reads ([`crate::read::Columns`]), from
//! async-graphql's look-ahead: fragments, inline fragments and aliases included (an
//! aliased field is read under its field name; a field selected twice is read once).

use super::context::ReadContext;
use crate::read::{Columns, Readable};
use async_graphql::{Context, SelectionField};

/// The columns the records of the connection `ctx` resolves need: what its
/// `nodes` and `edges { node }` select.
pub fn connection_columns<E: Readable>(ctx: &Context<'_>, read: &ReadContext) -> Columns {
    let look = ctx.look_ahead();
    let nodes = look.field("nodes").selection_fields();
    let edges = look.field("edges").field("node").selection_fields();
    columns_of::<E>(read, nodes.iter().chain(&edges))
}

/// The columns the record (or records) the field `ctx` resolves need.
pub fn object_columns<E: Readable>(ctx: &Context<'_>, read: &ReadContext) -> Columns {
    columns_of::<E>(read, [ctx.field()].iter())
}

fn columns_of<'a, E: Readable>(
    read: &ReadContext,
    selections: impl Iterator<Item = &'a SelectionField<'a>>,
) -> Columns {
    if !read.project_columns {
        return Columns::ALL;
    }
    let fields =
        selections.flat_map(|selection| selection.selection_set().map(|field| field.name()));
    Columns::for_fields::<E>(E::READ_TABLE, fields)
}
