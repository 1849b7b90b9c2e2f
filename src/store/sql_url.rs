//! Connection strings of the `sql` store's own database.
//!
//! Deployments moving from the Data Store Service write SQLAlchemy URLs
//! (`mysql+pymysql://…`, `postgresql+psycopg2://…`, `sqlite:///relative.db`,
//! `sqlite:////absolute.db`); sqlx wants `mysql://…`, `postgres://…` and
//! `sqlite:path`. Both spellings are accepted and mean the same database.

use url::Url;

/// The sqlx URL of a connection string in either spelling.
pub fn normalise(connection_string: &str) -> Result<String, String> {
    let text = connection_string.trim();
    let (scheme, rest) = text.split_once("://").ok_or_else(|| {
        "expected a URL such as postgres://…, mysql://… or sqlite:///file.db".to_owned()
    })?;
    // `dialect+driver`: the driver is SQLAlchemy's business.
    let dialect = scheme
        .split('+')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match dialect.as_str() {
        "postgres" | "postgresql" => Ok(format!("postgres://{rest}")),
        "mysql" | "mariadb" => Ok(format!("mysql://{rest}")),
        "sqlite" => sqlite(rest),
        other => Err(format!(
            "unsupported database {other:?}: expected PostgreSQL, MySQL/MariaDB or SQLite"
        )),
    }
}

/// SQLAlchemy's `sqlite://` (memory), `sqlite:///relative` and `sqlite:////absolute`,
/// and sqlx's own `sqlite://relative?mode=rwc`; the file is created when missing.
fn sqlite(rest: &str) -> Result<String, String> {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || path == "/:memory:" {
        return Ok("sqlite::memory:".to_owned());
    }
    // After `sqlite://`, SQLAlchemy puts one more `/` before a relative path.
    let path = path.strip_prefix('/').unwrap_or(path);
    let query = if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        query.to_owned()
    };
    Ok(format!("sqlite:{path}?{query}"))
}

/// The connection string with any password replaced by `***`, for printing.
pub fn without_password(connection_string: &str) -> String {
    match Url::parse(connection_string.trim()) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        // Not a URL we can take apart: print nothing of it.
        Err(_) => "***".to_owned(),
    }
}

/// Whether `name` can be used inside a table name unquoted.
pub fn is_plain_name(name: &str) -> bool {
    name.len() <= 40 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlalchemy_urls_become_sqlx_urls() {
        let cases = [
            (
                "mysql+pymysql://user:pw@127.0.0.1:10103/db",
                "mysql://user:pw@127.0.0.1:10103/db",
            ),
            ("postgresql://u@h/db", "postgres://u@h/db"),
            ("postgresql+psycopg2://u@h/db", "postgres://u@h/db"),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "sqlite:///objectstoredata/mainfile.db",
                "sqlite:objectstoredata/mainfile.db?mode=rwc",
            ),
            (
                "sqlite:////var/data/store.db",
                "sqlite:/var/data/store.db?mode=rwc",
            ),
            ("sqlite://", "sqlite::memory:"),
        ];
        for (given, expected) in cases {
            assert_eq!(normalise(given).as_deref(), Ok(expected), "{given}");
        }
        assert!(normalise("oracle://x").is_err());
        assert!(normalise("just words").is_err());
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            without_password("mysql+pymysql://user:secret@127.0.0.1:3306/db"),
            "mysql+pymysql://user:***@127.0.0.1:3306/db"
        );
        assert_eq!(without_password("postgres://u@h/db"), "postgres://u@h/db");
        assert!(!without_password("not a url secret").contains("secret"));
    }
}
