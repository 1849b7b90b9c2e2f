//! HSDS objects with the objects nested in them, built from stored rows the way
//! `compiled/service.json` nests them ([`crate::hsds::nesting`]).
//!
//! Objects are read a level at a time: every object of one kind that any object
//! of the level above holds is one statement (`phones` under the services, their
//! contacts and their locations alike), so a page of 50 services costs the same
//! few dozen statements as one service. Each nested read applies the caller's
//! visibility rule, as GraphQL's nested connections do. An object met twice (the
//! same phone under a service and under its contact) is read once and shown in
//! both places.
//!
//! Left out: `metadata` (provenance; the HSDS export package carries it), and
//! inside an organization its `locations` (which would repeat every venue of the
//! provider in each of its services; a service's locations are those of its
//! `service_at_locations`) and whatever also hangs off a service, location or
//! contact, which is nested there instead.

use super::object::hsds_object;
use crate::export::rows::for_kind;
use crate::hsds::nesting::Object;
use crate::read::decode::RowDecoder;
use crate::read::visibility::{shown_through, visible};
use crate::read::{Columns, Frag, Readable, Viewer, select_columns};
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The deepest nesting built: deeper than `compiled/service.json` goes.
const MAX_LEVELS: usize = 10;

/// How much is nested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The object's own fields, and its single nested objects with theirs (the
    /// `*_list` shapes of the list routes).
    Summary,
    /// Every nested object, at every level.
    Full,
}

/// A single object nested at the top only, besides the kind's own (the
/// `service` of a `service_at_location`): `(field, kind, HSDS column naming it)`.
pub type ExtraOne = (&'static str, Object, &'static str);

struct Node {
    kind: Object,
    model: Value,
    lists: Vec<(&'static str, usize)>,
    ones: Vec<(&'static str, usize)>,
}

/// `models` (rows of `kind`'s table, already read and visible to `viewer`) as
/// HSDS objects nested to `depth`, in the order given.
pub async fn build(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    kind: Object,
    models: Vec<Value>,
    depth: Depth,
    extra: &[ExtraOne],
) -> Result<Vec<Value>, DbErr> {
    let mut nodes: Vec<Node> = Vec::with_capacity(models.len());
    let mut known: HashMap<(Object, Uuid), usize> = HashMap::new();
    for model in models {
        if let Some(id) = id_of(&model) {
            known.insert((kind, id), nodes.len());
        }
        nodes.push(Node {
            kind,
            model,
            lists: Vec::new(),
            ones: Vec::new(),
        });
    }
    let roots = nodes.len();
    let mut frontier: Vec<usize> = (0..roots).collect();
    for level in 0..MAX_LEVELS {
        if frontier.is_empty() || (depth == Depth::Summary && level > 0) {
            break;
        }
        frontier = expand(
            db,
            viewer,
            &mut nodes,
            &mut known,
            &frontier,
            Expand::Own(depth),
        )
        .await?;
    }
    if !extra.is_empty() {
        // Plain: the service of a link holds the link again, and so on.
        let roots: Vec<usize> = (0..roots).collect();
        expand(
            db,
            viewer,
            &mut nodes,
            &mut known,
            &roots,
            Expand::Only(extra),
        )
        .await?;
    }
    Ok((0..roots).map(|index| render(&nodes, index, 0)).collect())
}

/// What one level asks of one kind of nested object.
#[derive(Default)]
struct Wanted {
    /// By id: `(parent node, field)` of single objects.
    by_id: Vec<(Uuid, usize, &'static str)>,
    /// By the column naming the parent: `(column, parent id, parent node, field)`.
    by_parent: Vec<(&'static str, Uuid, usize, &'static str)>,
}

/// What one pass nests.
#[derive(Clone, Copy)]
enum Expand<'a> {
    /// The kind's own nested objects: its single ones, and with `Full` its lists.
    Own(Depth),
    /// These single objects only.
    Only(&'a [ExtraOne]),
}

/// Reads the objects nested in the `frontier` nodes and attaches them; the nodes
/// new at this level (the next frontier).
async fn expand(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    nodes: &mut Vec<Node>,
    known: &mut HashMap<(Object, Uuid), usize>,
    frontier: &[usize],
    pass: Expand<'_>,
) -> Result<Vec<usize>, DbErr> {
    let mut wanted: BTreeMap<&'static str, (Object, Wanted)> = BTreeMap::new();
    for &index in frontier {
        let node = &nodes[index];
        let Some(id) = id_of(&node.model) else {
            continue;
        };
        let (ones, lists) = match pass {
            Expand::Own(depth) => (node.kind.ones(), depth == Depth::Full),
            Expand::Only(extra) => (extra, false),
        };
        for (field, child, hsds_column) in ones {
            let target = node
                .kind
                .column(hsds_column)
                .and_then(|column| node.model.get(column))
                .and_then(Value::as_str)
                .and_then(|text| Uuid::parse_str(text).ok());
            if let Some(target) = target {
                let entry = wanted
                    .entry(child.file())
                    .or_insert((*child, Wanted::default()));
                entry.1.by_id.push((target, index, field));
            }
        }
        if !lists {
            continue;
        }
        for (field, child) in node.kind.lists() {
            if *child == Object::Metadata
                || (node.kind == Object::Organization && *field == "locations")
            {
                continue;
            }
            if let Some(column) = child.link_column(node.kind) {
                let entry = wanted
                    .entry(child.file())
                    .or_insert((*child, Wanted::default()));
                entry.1.by_parent.push((column, id, index, field));
            }
        }
    }
    let mut created = Vec::new();
    for (child, asked) in wanted.into_values() {
        let rows = read(db, viewer, child, &asked).await?;
        let mut by_id: HashMap<Uuid, usize> = HashMap::with_capacity(rows.len());
        for model in rows {
            let Some(id) = id_of(&model) else {
                continue;
            };
            let index = match known.get(&(child, id)) {
                Some(&index) => index,
                None => {
                    let index = nodes.len();
                    nodes.push(Node {
                        kind: child,
                        model,
                        lists: Vec::new(),
                        ones: Vec::new(),
                    });
                    known.insert((child, id), index);
                    created.push(index);
                    index
                }
            };
            by_id.insert(id, index);
        }
        for (target, parent, field) in &asked.by_id {
            if let Some(&index) = by_id.get(target) {
                nodes[*parent].ones.push((field, index));
            }
        }
        // Rows come in id order, so each parent's list does too.
        let mut ordered: Vec<(Uuid, usize)> = by_id.into_iter().collect();
        ordered.sort_unstable();
        let mut columns: Vec<&'static str> = asked.by_parent.iter().map(|(c, ..)| *c).collect();
        columns.sort_unstable();
        columns.dedup();
        let mut under: HashMap<(&'static str, Uuid), Vec<usize>> = HashMap::new();
        for (_, index) in &ordered {
            for column in &columns {
                let parent = nodes[*index]
                    .model
                    .get(*column)
                    .and_then(Value::as_str)
                    .and_then(|text| Uuid::parse_str(text).ok());
                if let Some(parent) = parent {
                    under.entry((column, parent)).or_default().push(*index);
                }
            }
        }
        for (column, parent_id, parent, field) in &asked.by_parent {
            for index in under.get(&(*column, *parent_id)).into_iter().flatten() {
                if nodes[*parent].kind == Object::Organization
                    && belongs_elsewhere(child, &nodes[*index].model)
                {
                    continue;
                }
                nodes[*parent].lists.push((field, *index));
            }
        }
    }
    Ok(created)
}

/// The visible rows of `child` that `asked` names, in id order.
async fn read(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    child: Object,
    asked: &Wanted,
) -> Result<Vec<Value>, DbErr> {
    let backend = db.get_database_backend();
    let table = child.kind().name();
    let id_column = format!("{table}.id");
    // A row found through a parent already shown is visible by that parent
    // alone wherever the rule is "any visible parent": the rule's subqueries,
    // costly to plan, are kept for rows found by id.
    let live = Frag::raw(format!("{table}.deleted_at IS NULL"));
    let rule = visible(child.kind(), table, viewer);
    let mut pairs: Vec<(String, Uuid)> = asked
        .by_id
        .iter()
        .map(|(id, _, _)| (id_column.clone(), *id))
        .chain(
            asked
                .by_parent
                .iter()
                .map(|(column, id, _, _)| (format!("{table}.{column}"), *id)),
        )
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut rows = Vec::new();
    for chunk in pairs.chunks(crate::repo::MAX_IDS_PER_STATEMENT) {
        let mut by_column: BTreeMap<&str, Vec<Uuid>> = BTreeMap::new();
        for (column, id) in chunk {
            by_column.entry(column.as_str()).or_default().push(*id);
        }
        let matches = Frag::any(by_column.into_iter().map(|(column, ids)| {
            let through = column
                .strip_prefix(table)
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|name| *column != id_column && shown_through(child.kind(), name));
            let seen = if through.is_some() { &live } else { &rule };
            Frag::all([Frag::id_in(column, &ids, backend), seen.clone()])
        }));
        rows.extend(for_kind!(child.kind(), rows_where(db, matches).await)?);
    }
    if pairs.len() > crate::repo::MAX_IDS_PER_STATEMENT {
        // Chunks may each have read the same row.
        let mut seen = std::collections::HashSet::new();
        rows.retain(|row| id_of(row).is_some_and(|id| seen.insert(id)));
    }
    Ok(rows)
}

/// Rows of `E` meeting `condition`, as JSON keyed by column, in id order.
pub(crate) async fn rows_where<E: Readable>(
    db: &impl ConnectionTrait,
    condition: Frag,
) -> Result<Vec<Value>, DbErr>
where
    E::Model: serde::Serialize,
{
    let table = E::TABLE;
    let mut sql = Frag::raw(format!(
        "SELECT {} FROM {table} WHERE ",
        select_columns::<E>(table)
    ));
    sql.append(condition).push(&format!(" ORDER BY {table}.id"));
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    let mut decoder = RowDecoder::<E>::new(Columns::ALL);
    rows.iter()
        .map(|row| {
            let model = decoder.decode(row)?;
            serde_json::to_value(&model).map_err(|error| DbErr::Custom(error.to_string()))
        })
        .collect()
}

/// Whether a row of `kind` hangs off something besides its organization (a
/// phone of a service, a contact at a location). An organization nested in a
/// service holds only what is its own: the rest is nested where it belongs, and
/// would otherwise name, in every service of the organization, records that
/// service's JSON does not hold.
fn belongs_elsewhere(kind: Object, model: &Value) -> bool {
    Object::ALL
        .iter()
        .filter(|parent| **parent != Object::Organization)
        .filter(|parent| parent.lists().iter().any(|(_, nested)| *nested == kind))
        .filter_map(|parent| kind.link_column(*parent))
        .any(|column| model.get(column).is_some_and(|value| !value.is_null()))
}

fn id_of(model: &Value) -> Option<Uuid> {
    model
        .get("id")
        .and_then(Value::as_str)
        .and_then(|text| Uuid::parse_str(text).ok())
}

/// The node as its HSDS object, with what is nested in it.
fn render(nodes: &[Node], index: usize, level: usize) -> Value {
    let node = &nodes[index];
    let mut object = match hsds_object(node.kind.kind(), &node.model, node.kind.required()) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if level >= MAX_LEVELS {
        return Value::Object(object);
    }
    for (field, _) in node.kind.lists() {
        let items: Vec<Value> = node
            .lists
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, nested)| render(nodes, *nested, level + 1))
            .collect();
        if !items.is_empty() {
            object.insert((*field).to_owned(), Value::Array(items));
        }
    }
    for (field, nested) in &node.ones {
        object.insert((*field).to_owned(), render(nodes, *nested, level + 1));
    }
    Value::Object(object)
}
