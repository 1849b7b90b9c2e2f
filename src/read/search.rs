//! Keyword search: the application splits the user's text into words itself and asks
//! for every word as a prefix (AND). Raw input never reaches FTS5 `MATCH` or
//! `to_tsquery`, so quotes, operators and column filters in it are just text.
//!
//! SQLite uses the FTS5 tables of the migration (joined on `rowid`), PostgreSQL the
//! generated `search_vector` (`signpost_search` configuration over text whose
//! non-alphanumeric runs became spaces). Both split on everything but letters and
//! digits, lower-case and fold accents, as [`words`] does here, so the same words find
//! the same records; ranking (bm25 and `ts_rank`) may differ.

use super::Table;
use super::order::{KeyKind, Ordering, SortTerm};
use super::sql::Frag;
use sea_orm::{DatabaseBackend, Value};

/// At most this many words are searched; more is refused.
pub const MAX_WORDS: usize = 16;
/// Words are cut to this many characters.
const MAX_WORD_CHARS: usize = 64;

/// Why search text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SearchError {
    #[error("search text has no words (letters or digits)")]
    NoWords,
    #[error("search text has more than {MAX_WORDS} words")]
    TooManyWords,
}

/// The words of `text`: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> Result<Vec<String>, SearchError> {
    let words: Vec<String> = text
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.chars()
                .take(MAX_WORD_CHARS)
                .collect::<String>()
                .to_lowercase()
        })
        .collect();
    match words.len() {
        0 => Err(SearchError::NoWords),
        n if n > MAX_WORDS => Err(SearchError::TooManyWords),
        _ => Ok(words),
    }
}

/// A search over one table, as a plain filter and as a ranked ordering.
#[derive(Clone, Debug)]
pub struct SearchPlan {
    /// Keeps the matching rows; for use anywhere in a filter.
    pub condition: Frag,
    /// For ordering by relevance: a join that brings the rank (and on PostgreSQL the
    /// parsed query) in, the condition to use with it instead of `condition`, and
    /// the ordering, best match first. The rank is a plain column expression so the
    /// keyset comparison can repeat it without binding values again.
    pub rank_join: Frag,
    pub ranked_condition: Frag,
    pub ordering: Ordering,
}

/// The plan for `words` over `table` (providers, services or venues).
pub fn plan(backend: DatabaseBackend, table: Table, words: &[String]) -> SearchPlan {
    let name = table.name();
    let relevance = |expr: String, descending: bool| Ordering {
        name: "RELEVANCE".into(),
        terms: vec![SortTerm {
            expr,
            descending,
            kind: KeyKind::Float,
        }],
        id_expr: format!("{name}.id"),
        id_descending: false,
    };
    match backend {
        DatabaseBackend::Postgres => {
            // Words hold only letters and digits; quoting keeps them literal anyway.
            let query = words
                .iter()
                .map(|word| format!("'{}':*", word.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(" & ");
            SearchPlan {
                condition: Frag::bind(
                    format!("{name}.search_vector @@ to_tsquery('signpost_search', ?)"),
                    [Value::from(query.clone())],
                ),
                rank_join: Frag::bind(
                    "CROSS JOIN (SELECT to_tsquery('signpost_search', ?) AS q) fts",
                    [Value::from(query)],
                ),
                ranked_condition: Frag::raw(format!("{name}.search_vector @@ fts.q")),
                // float4 widened, so a cursor's value compares equal to the row's.
                ordering: relevance(
                    format!("ts_rank({name}.search_vector, fts.q)::float8"),
                    true,
                ),
            }
        }
        _ => {
            let query = words
                .iter()
                .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" ");
            let fts = format!("{name}_fts");
            SearchPlan {
                condition: Frag::bind(
                    format!("{name}.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"),
                    [Value::from(query.clone())],
                ),
                rank_join: Frag::bind(
                    format!(
                        "JOIN (SELECT rowid AS fts_rowid, bm25({fts}) AS fts_rank FROM {fts} \
                         WHERE {fts} MATCH ?) fts ON fts.fts_rowid = {name}.rowid"
                    ),
                    [Value::from(query)],
                ),
                ranked_condition: Frag::raw("1 = 1"),
                // bm25: lower is better.
                ordering: relevance("fts.fts_rank".into(), false),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_lower_cased() {
        assert_eq!(
            words(r#"Café "OR" NEAR(x) -- 7b*"#).unwrap_or_default(),
            ["café", "or", "near", "x", "7b"]
        );
        assert_eq!(words(" ?! "), Err(SearchError::NoWords));
        assert_eq!(words(&"a ".repeat(17)), Err(SearchError::TooManyWords));
    }
}
