//! Turns a backend-neutral SQL template into the SQL of one backend.
//!
//! Placeholders name a *kind* of column, not a database type, so one file describes
//! both schemas and they cannot drift apart:
//! `{uuid}` `{ts}` `{bool}` `{false}` `{money}` `{date}` `{float}` `{json}` `{bytes}`
//! and `{count_set}` (`{num_one_of_4}` in the first templates), the "how many of these
//! are set" function of a CHECK, of any number of columns.

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};

const POSTGRES: &[(&str, &str)] = &[
    ("{uuid}", "UUID"),
    ("{ts}", "TIMESTAMPTZ"),
    ("{bool}", "BOOLEAN"),
    ("{false}", "FALSE"),
    ("{money}", "NUMERIC(14, 2)"),
    ("{date}", "DATE"),
    ("{float}", "DOUBLE PRECISION"),
    ("{json}", "JSONB"),
    ("{bytes}", "BYTEA"),
    ("{num_one_of_4}", "num_nonnulls"),
    ("{count_set}", "num_nonnulls"),
];

// sqlx stores a UUID as a 16-byte BLOB, a timestamp as RFC 3339 TEXT and a boolean
// as 0/1 on SQLite. Money is REAL because sea-orm reads SQLite decimals through f64;
// amounts are validated to two decimal places, which f64 holds exactly once rounded.
const SQLITE: &[(&str, &str)] = &[
    ("{uuid}", "BLOB"),
    ("{ts}", "TEXT"),
    ("{bool}", "INTEGER"),
    ("{false}", "0"),
    ("{money}", "REAL"),
    ("{date}", "TEXT"),
    ("{float}", "REAL"),
    ("{json}", "TEXT"),
    ("{bytes}", "BLOB"),
    ("{num_one_of_4}", "signpost_count_set"),
    ("{count_set}", "signpost_count_set"),
];

/// Renders `template` for `backend`.
pub fn render(template: &str, backend: DatabaseBackend) -> String {
    let table = match backend {
        DatabaseBackend::Postgres => POSTGRES,
        _ => SQLITE,
    };
    let mut sql = table
        .iter()
        .fold(template.to_owned(), |sql, (from, to)| sql.replace(from, to));
    if backend != DatabaseBackend::Postgres {
        sql = expand_count_set(&sql);
    }
    sql
}

/// SQLite has no `num_nonnulls`; `(a IS NOT NULL) + (b IS NOT NULL) + ...` says the same.
fn expand_count_set(sql: &str) -> String {
    let marker = "signpost_count_set(";
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find(marker) {
        out.push_str(&rest[..start]);
        let args_start = start + marker.len();
        let Some(len) = rest[args_start..].find(')') else {
            break;
        };
        let terms: Vec<String> = rest[args_start..args_start + len]
            .split(',')
            .map(|column| format!("({} IS NOT NULL)", column.trim()))
            .collect();
        out.push('(');
        out.push_str(&terms.join(" + "));
        out.push(')');
        rest = &rest[args_start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Runs a rendered script; both backends accept several statements in one call.
pub async fn execute(
    db: &impl ConnectionTrait,
    template: &str,
    backend: DatabaseBackend,
) -> Result<(), DbErr> {
    db.execute_unprepared(&render(template, backend)).await?;
    Ok(())
}

/// `DROP TABLE` for each table, in the order given (children before parents).
pub fn drop_tables(tables: &[&str]) -> String {
    tables
        .iter()
        .map(|table| format!("DROP TABLE IF EXISTS {table};\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_counts_set_columns_with_a_sum() {
        let sql = render(
            "CHECK ({num_one_of_4}(a, b, c, d) = 1)",
            DatabaseBackend::Sqlite,
        );
        assert_eq!(
            sql,
            "CHECK (((a IS NOT NULL) + (b IS NOT NULL) + (c IS NOT NULL) + (d IS NOT NULL)) = 1)"
        );
    }

    #[test]
    fn postgres_uses_num_nonnulls_and_native_types() {
        let sql = render(
            "x {uuid} {ts} {num_one_of_4}(a, b)",
            DatabaseBackend::Postgres,
        );
        assert_eq!(sql, "x UUID TIMESTAMPTZ num_nonnulls(a, b)");
    }

    #[test]
    fn every_placeholder_is_rendered_in_the_shipped_templates() {
        for template in [
            include_str!("sql/directory.sql"),
            include_str!("sql/operations.sql"),
            include_str!("sql/hsds_objects.sql"),
            include_str!("sql/run_files_and_confirms.sql"),
        ] {
            for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
                let sql = render(template, backend);
                assert!(!sql.contains('{'), "unrendered placeholder in {sql}");
            }
        }
    }
}
