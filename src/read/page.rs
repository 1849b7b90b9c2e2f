//! One keyset page of a root list, and its total count.

use super::decode::RowDecoder;
use super::order::{Cursor, Ordering};
use super::sql::Frag;
use super::{Columns, Readable};
use sea_orm::{ConnectionTrait, DbErr, ModelTrait, Value};
use uuid::Uuid;

/// What to list: a table (aliased by its own name), extra joins, the conditions
/// (visibility and filters, all ANDed), the ordering and the columns to fill.
#[derive(Clone, Debug)]
pub struct ListSpec {
    pub joins: Vec<Frag>,
    pub conditions: Vec<Frag>,
    pub ordering: Ordering,
    pub columns: Columns,
}

/// How many rows to take, from which end of the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Take {
    First(u64),
    Last(u64),
}

/// The part of the ordering to read: strictly between the cursors, `take` rows from
/// the start (`First`) or the end (`Last`).
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    pub take: Take,
}

impl Window {
    pub fn first(count: u64) -> Self {
        Self {
            after: None,
            before: None,
            take: Take::First(count),
        }
    }

    /// The keyset bounds of this window.
    pub fn bounds(&self, ordering: &Ordering) -> Vec<Frag> {
        let after = self
            .after
            .iter()
            .map(|cursor| ordering.beyond(cursor, true));
        let before = self
            .before
            .iter()
            .map(|cursor| ordering.beyond(cursor, false));
        after.chain(before).collect()
    }

    /// (rows to fetch: one more than asked, to know whether there are more; reversed?)
    pub fn limit(&self) -> (u64, bool) {
        match self.take {
            Take::First(count) => (count + 1, false),
            Take::Last(count) => (count + 1, true),
        }
    }

    /// Trims the extra row and puts rows in ordering order; returns the page info.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let (limit, reversed) = self.limit();
        let more = rows.len() as u64 >= limit;
        if more {
            rows.truncate((limit - 1) as usize);
        }
        if reversed {
            rows.reverse();
        }
        // Relay: walking forwards, a previous page exists when we started after a
        // cursor; walking backwards, a next page exists when we ended before one.
        let (has_previous, has_next) = match self.take {
            Take::First(_) => (self.after.is_some(), more),
            Take::Last(_) => (more, self.before.is_some()),
        };
        Page {
            rows,
            has_previous,
            has_next,
        }
    }
}

/// Rows of one page with their cursors.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_previous: bool,
    pub has_next: bool,
}

/// A record and where it stands in the ordering it was read in.
#[derive(Clone, Debug)]
pub struct Positioned<M> {
    pub model: M,
    pub cursor: Cursor,
}

/// One page of `E` records.
pub async fn fetch_page<E: Readable>(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    window: &Window,
) -> Result<Page<Positioned<E::Model>>, DbErr> {
    let table = E::TABLE;
    let (limit, reversed) = window.limit();
    let mut sql = Frag::raw(format!(
        "SELECT {}{} FROM {table}",
        spec.columns.select_list::<E>(table),
        spec.ordering.select_keys()
    ));
    for join in &spec.joins {
        sql.push(" ").append(join.clone());
    }
    let conditions = spec
        .conditions
        .iter()
        .cloned()
        .chain(window.bounds(&spec.ordering));
    sql.push(" WHERE ").append(Frag::all(conditions));
    // The limit is written into the text, not bound: a bound LIMIT makes PostgreSQL
    // plan every execution anew (its generic plan cannot cost an unknown limit), and
    // page sizes are bounded by `maxPageSize`, so the shapes stay few.
    sql.push(&format!(
        " ORDER BY {} LIMIT {limit}",
        spec.ordering.order_by(reversed)
    ));
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    let mut positioned = Vec::with_capacity(rows.len());
    let mut decoder = RowDecoder::<E>::new(spec.columns);
    let width = <E::Column as sea_orm::Iterable>::iter().count();
    for row in &rows {
        let model = decoder.decode(row)?;
        let cursor = spec
            .ordering
            .cursor_of(row, width, model_id::<E>(&model)?)?;
        positioned.push(Positioned { model, cursor });
    }
    Ok(window.finish(positioned))
}

/// How many rows the spec matches, ignoring any window.
pub async fn count<E: Readable>(db: &impl ConnectionTrait, spec: &ListSpec) -> Result<i64, DbErr> {
    let mut sql = Frag::raw(format!("SELECT COUNT(*) AS total FROM {}", E::TABLE));
    for join in &spec.joins {
        sql.push(" ").append(join.clone());
    }
    sql.push(" WHERE ")
        .append(Frag::all(spec.conditions.iter().cloned()));
    let row = db
        .query_one_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    match row {
        Some(row) => row.try_get("", "total"),
        None => Ok(0),
    }
}

/// Visible records of `E` with these ids, in no particular order, with `columns`
/// filled.
pub async fn by_ids<E: Readable>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    visibility: Frag,
    columns: Columns,
) -> Result<Vec<E::Model>, DbErr> {
    let mut models = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::repo::MAX_IDS_PER_STATEMENT) {
        let mut sql = Frag::raw(format!(
            "SELECT {} FROM {} WHERE ",
            columns.select_list::<E>(E::TABLE),
            E::TABLE
        ));
        let id_column = format!("{}.id", E::TABLE);
        sql.append(Frag::all([
            Frag::id_in(&id_column, chunk, db.get_database_backend()),
            visibility.clone(),
        ]));
        let rows = db
            .query_all_raw(sql.into_statement(db.get_database_backend()))
            .await?;
        let mut decoder = RowDecoder::<E>::new(columns);
        for row in &rows {
            models.push(decoder.decode(row)?);
        }
    }
    Ok(models)
}

/// The id of a model of any directory table.
pub fn model_id<E: Readable>(model: &E::Model) -> Result<Uuid, DbErr> {
    let column = <E::Column as std::str::FromStr>::from_str("id")
        .map_err(|_| DbErr::Custom(format!("{} has no id column", E::TABLE)))?;
    match model.get(column) {
        Value::Uuid(Some(id)) => Ok(id),
        other => Err(DbErr::Custom(format!("id is not a UUID: {other:?}"))),
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            has_previous: false,
            has_next: false,
        }
    }
}
