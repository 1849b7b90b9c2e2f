//! What one request read, told by the statements it sent.
//!
//! The pool's metric callback sees every statement, on the task that awaited it,
//! which is the request's (reads are never spawned elsewhere: see
//! `graphql::batch`). So the request's tables are taken from the SQL itself rather
//! than declared by each resolver: a resolver added later, or an `EXISTS` a
//! visibility rule grows, is covered without anyone remembering to declare it.
//! Reading the SQL over-approximates (an alias that happens to be a table name adds
//! a dependency), which only costs an early invalidation, never a stale answer.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

tokio::task_local! {
    static LOG: RequestLog;
}

/// The tables of the database, numbered, and whether a committed write to each
/// reaches every replica (a notification trigger on PostgreSQL; on SQLite any
/// commit does).
#[derive(Debug, Default)]
pub struct TableIndex {
    names: Vec<String>,
    by_name: HashMap<String, (u16, bool)>,
}

impl TableIndex {
    pub fn new(tables: impl IntoIterator<Item = (String, bool)>) -> Self {
        let mut index = Self::default();
        for (name, notifies) in tables {
            if index.by_name.contains_key(&name) || index.names.len() >= usize::from(u16::MAX) {
                continue;
            }
            let number = index.names.len() as u16;
            index.by_name.insert(name.clone(), (number, notifies));
            index.names.push(name);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn name(&self, number: u16) -> &str {
        self.names
            .get(usize::from(number))
            .map(String::as_str)
            .unwrap_or("?")
    }

    pub fn number(&self, name: &str) -> Option<u16> {
        self.by_name.get(name).map(|(number, _)| *number)
    }

    fn lookup(&self, token: &str) -> Option<(u16, bool)> {
        self.by_name.get(token).copied()
    }
}

/// What a request read, once it has run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadLog {
    /// Statements sent.
    pub statements: u64,
    /// The tables read, in the order first read.
    pub tables: Vec<u16>,
    /// A statement read a table no notification covers, or wrote: not cacheable.
    pub untracked: bool,
    /// The answer depends on the time it was asked (`openNow`): not cacheable.
    pub clock: bool,
}

struct RequestLog {
    statements: Cell<u64>,
    index: Option<Arc<TableIndex>>,
    tables: RefCell<Vec<u16>>,
    untracked: Cell<bool>,
    clock: Cell<bool>,
}

/// Runs `work`, counting its statements and, when `index` is given, noting the
/// tables they read.
pub async fn logging<F: Future>(index: Option<Arc<TableIndex>>, work: F) -> (F::Output, ReadLog) {
    let log = RequestLog {
        statements: Cell::new(0),
        index,
        tables: RefCell::new(Vec::new()),
        untracked: Cell::new(false),
        clock: Cell::new(false),
    };
    LOG.scope(log, async move {
        let output = work.await;
        let log = LOG.with(|log| ReadLog {
            statements: log.statements.get(),
            tables: log.tables.borrow().clone(),
            untracked: log.untracked.get(),
            clock: log.clock.get(),
        });
        (output, log)
    })
    .await
}

/// Notes one statement for the request running on this task, if it is logged.
pub fn observe(sql: &str) {
    let _ = LOG.try_with(|log| {
        log.statements.set(log.statements.get() + 1);
        let Some(index) = &log.index else {
            return;
        };
        if !only_reads(sql) {
            tracing::debug!(sql, "a statement that may write: the answer is not cached");
            log.untracked.set(true);
        }
        let mut tables = log.tables.borrow_mut();
        for token in identifiers(sql) {
            if let Some((number, notifies)) = index.lookup(token) {
                if !notifies && !log.untracked.replace(true) {
                    tracing::debug!(
                        table = token,
                        "a table no notification covers: the answer is not cached"
                    );
                }
                if !tables.contains(&number) {
                    tables.push(number);
                }
            }
        }
    });
}

/// Marks the running request's answer as depending on the time it was asked.
pub fn depends_on_clock() {
    let _ = LOG.try_with(|log| log.clock.set(true));
}

/// Marks the running request's answer as naming its caller (`viewer`), which the
/// cache key (the role) does not tell apart: not cacheable, like an answer that
/// depends on the clock.
pub fn depends_on_caller() {
    depends_on_clock();
}

/// Whether a statement can only read: it opens with a keyword that reads, or
/// manages the transaction.
fn only_reads(sql: &str) -> bool {
    let first = sql
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default();
    [
        "select",
        "with",
        "values",
        "pragma",
        "show",
        "begin",
        "commit",
        "rollback",
        "set",
        "savepoint",
        "release",
    ]
    .iter()
    .any(|keyword| first.eq_ignore_ascii_case(keyword))
}

/// The words of a statement that could name a table (quotes are separators).
fn identifiers(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.as_bytes().first().is_some_and(u8::is_ascii_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Arc<TableIndex> {
        Arc::new(TableIndex::new([
            ("services".to_owned(), true),
            ("providers".to_owned(), true),
            ("imports".to_owned(), false),
        ]))
    }

    #[tokio::test]
    async fn tables_are_read_from_quoted_and_bare_names_in_first_read_order() {
        let (_, log) = logging(Some(index()), async {
            observe(r#"SELECT "services"."id" FROM "services" WHERE services.visible"#);
            observe("SELECT 1 FROM providers p WHERE EXISTS (SELECT 1 FROM services)");
        })
        .await;
        assert_eq!(log.statements, 2);
        assert_eq!(log.tables, vec![0, 1]);
        assert!(!log.untracked);
    }

    #[tokio::test]
    async fn a_table_without_notifications_or_a_write_makes_it_untracked() {
        let (_, read) = logging(Some(index()), async { observe("SELECT * FROM imports") }).await;
        assert!(read.untracked);
        let (_, wrote) = logging(Some(index()), async {
            observe("UPDATE services SET name = 'x'")
        })
        .await;
        assert!(wrote.untracked);
        let (_, clock) = logging(Some(index()), async { depends_on_clock() }).await;
        assert!(clock.clock && clock.tables.is_empty());
    }

    #[tokio::test]
    async fn without_an_index_only_statements_are_counted() {
        let (_, log) = logging(None, async { observe("DELETE FROM services") }).await;
        assert_eq!(log.statements, 1);
        assert!(log.tables.is_empty() && !log.untracked);
        observe("SELECT 1"); // outside any request: ignored
    }
}
