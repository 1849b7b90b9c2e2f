//! SQL fragments with their bound values, composed by the read queries.
//!
//! The read side needs window functions, FTS joins and correlated `EXISTS`
//! subqueries whose aliases depend on nesting; written as text they read like the SQL
//! they are, which sea-query's builder obscures. User input never enters the text:
//! every value is bound, and `?` marks its place until [`Frag::into_statement`]
//! numbers the placeholders for PostgreSQL.

use sea_orm::{DatabaseBackend, Statement, Value};
use uuid::Uuid;

/// A piece of SQL and the values bound to its `?` placeholders, in order.
#[derive(Clone, Debug, Default)]
pub struct Frag {
    pub sql: String,
    pub values: Vec<Value>,
}

impl Frag {
    /// SQL with no bound values. Never pass text a caller supplied.
    pub fn raw(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// SQL with `?` placeholders and their values.
    pub fn bind(sql: impl Into<String>, values: impl IntoIterator<Item = Value>) -> Self {
        let frag = Self {
            sql: sql.into(),
            values: values.into_iter().collect(),
        };
        debug_assert_eq!(frag.sql.matches('?').count(), frag.values.len());
        frag
    }

    /// `column IN (?, ?, ...)` over `values` (callers keep lists under
    /// [`crate::repo::MAX_IDS_PER_STATEMENT`]).
    pub fn is_in(column: &str, values: impl IntoIterator<Item = Value>) -> Self {
        let values: Vec<Value> = values.into_iter().collect();
        if values.is_empty() {
            return Self::raw("1 = 0");
        }
        let marks = vec!["?"; values.len()].join(", ");
        Self::bind(format!("{column} IN ({marks})"), values)
    }

    /// `column` is one of `ids`. On PostgreSQL that is `= ANY` of one bound array, so
    /// a list of any length is the same prepared statement on every pooled
    /// connection; SQLite has no arrays (and keeps UUIDs as blobs), so it gets an
    /// `IN` list.
    pub fn id_in(column: &str, ids: &[Uuid], backend: DatabaseBackend) -> Self {
        if ids.is_empty() {
            return Self::raw("1 = 0");
        }
        match backend {
            DatabaseBackend::Postgres => {
                let array = ids
                    .iter()
                    .map(Uuid::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                Self::bind(
                    format!("{column} = ANY(CAST(? AS uuid[]))"),
                    [Value::from(format!("{{{array}}}"))],
                )
            }
            _ => Self::is_in(column, ids.iter().map(|id| Value::from(*id))),
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends another fragment, text and values.
    pub fn append(&mut self, other: Frag) -> &mut Self {
        self.sql.push_str(&other.sql);
        self.values.extend(other.values);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn push_value(&mut self, value: impl Into<Value>) -> &mut Self {
        self.sql.push('?');
        self.values.push(value.into());
        self
    }

    /// All of `parts`, parenthesised; true when there are none.
    pub fn all(parts: impl IntoIterator<Item = Frag>) -> Self {
        Self::join(parts, " AND ", "1 = 1")
    }

    /// Any of `parts`, parenthesised; false when there are none.
    pub fn any(parts: impl IntoIterator<Item = Frag>) -> Self {
        Self::join(parts, " OR ", "1 = 0")
    }

    /// The negation of this condition.
    pub fn negate(self) -> Self {
        Self {
            sql: format!("NOT ({})", self.sql),
            values: self.values,
        }
    }

    fn join(parts: impl IntoIterator<Item = Frag>, separator: &str, empty: &str) -> Self {
        let mut joined = Frag::default();
        for (index, part) in parts.into_iter().enumerate() {
            if index > 0 {
                joined.sql.push_str(separator);
            }
            joined.sql.push('(');
            joined.append(part);
            joined.sql.push(')');
        }
        if joined.sql.is_empty() {
            return Self::raw(empty);
        }
        joined
    }

    /// The statement for `backend`: `?` stays for SQLite, becomes `$1, $2, ...` for
    /// PostgreSQL.
    pub fn into_statement(self, backend: DatabaseBackend) -> Statement {
        let sql = match backend {
            DatabaseBackend::Postgres => number_placeholders(&self.sql),
            _ => self.sql,
        };
        Statement::from_sql_and_values(backend, sql, self.values)
    }
}

fn number_placeholders(sql: &str) -> String {
    let mut numbered = String::with_capacity(sql.len() + 16);
    let mut next = 0;
    for ch in sql.chars() {
        if ch == '?' {
            next += 1;
            numbered.push('$');
            numbered.push_str(&next.to_string());
        } else {
            numbered.push(ch);
        }
    }
    numbered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        let mut frag = Frag::bind("a = ?", [Value::from(1)]);
        frag.push(" AND ")
            .append(Frag::is_in("b", [Value::from(2), Value::from(3)]));
        let pg = frag.clone().into_statement(DatabaseBackend::Postgres);
        assert_eq!(pg.sql, "a = $1 AND b IN ($2, $3)");
        let lite = frag.into_statement(DatabaseBackend::Sqlite);
        assert_eq!(lite.sql, "a = ? AND b IN (?, ?)");
        assert_eq!(lite.values.map(|v| v.0.len()), Some(3));
    }

    #[test]
    fn id_lists_are_one_array_on_postgres() {
        let ids = [Uuid::nil(), Uuid::max()];
        let pg = Frag::id_in("t.id", &ids, DatabaseBackend::Postgres);
        assert_eq!(pg.sql, "t.id = ANY(CAST(? AS uuid[]))");
        assert_eq!(
            pg.values,
            vec![Value::from(format!("{{{},{}}}", ids[0], ids[1]))]
        );
        let lite = Frag::id_in("t.id", &ids, DatabaseBackend::Sqlite);
        assert_eq!(lite.sql, "t.id IN (?, ?)");
    }

    #[test]
    fn empty_combinations_are_true_and_false() {
        assert_eq!(Frag::all([]).sql, "1 = 1");
        assert_eq!(Frag::any([]).sql, "1 = 0");
        assert_eq!(Frag::is_in("id", []).sql, "1 = 0");
    }
}
