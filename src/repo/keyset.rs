//! Keyset pagination: pages are found by the sort key of the last row seen, never by
//! OFFSET, so the thousandth page costs what the first does and rows added or
//! removed elsewhere do not shift a page.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Order, Value};
use uuid::Uuid;

/// The ordering a list is read in; ties are always broken by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Id,
    /// The record's name column ([`crate::repo::Record::NAME_COLUMN`]), then id.
    Name,
    /// `updated_at`, then id.
    UpdatedAt,
}

/// Which way to walk from the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// The position of a row in a [`SortKey`] ordering.
#[derive(Clone, Debug, PartialEq)]
pub struct KeysetCursor {
    /// The sort column's value (absent for [`SortKey::Id`]).
    pub key: Option<Value>,
    pub id: Uuid,
}

/// One page to read.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub sort: SortKey,
    pub descending: bool,
    pub direction: Direction,
    /// Rows strictly after (forward) or before (backward) this one.
    pub cursor: Option<KeysetCursor>,
    pub limit: u64,
    /// Include tombstoned rows (exports and admins).
    pub include_deleted: bool,
}

impl PageRequest {
    /// The first `limit` rows in `sort` order.
    pub fn first(sort: SortKey, limit: u64) -> Self {
        Self {
            sort,
            descending: false,
            direction: Direction::Forward,
            cursor: None,
            limit,
            include_deleted: false,
        }
    }

    /// Whether the SQL walks the index ascending: flipped when paging backwards.
    pub(crate) fn scan_ascending(&self) -> bool {
        self.descending == (self.direction == Direction::Backward)
    }

    pub(crate) fn order(&self) -> Order {
        if self.scan_ascending() {
            Order::Asc
        } else {
            Order::Desc
        }
    }

    /// `(key, id) > (cursor.key, cursor.id)` or `<`, as the scan direction needs.
    pub(crate) fn after_cursor(&self, key_column: Option<&'static str>) -> Option<Expr> {
        let cursor = self.cursor.as_ref()?;
        let id = Expr::col("id");
        let ascending = self.scan_ascending();
        let cmp = |left: Expr, right: Expr| -> Expr {
            if ascending {
                left.gt(right)
            } else {
                left.lt(right)
            }
        };
        Some(match (key_column, &cursor.key) {
            (Some(column), Some(key)) => {
                // Written out rather than as a row value so NULL keys never arise
                // (sort columns are NOT NULL) and both backends plan it the same way.
                let key_expr = Expr::val(key.clone());
                cmp(Expr::col(column), key_expr.clone()).or(Expr::col(column)
                    .eq(key_expr)
                    .and(cmp(id, Expr::val(cursor.id))))
            }
            _ => cmp(id, Expr::val(cursor.id)),
        })
    }
}
