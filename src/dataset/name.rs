//! Names of datasets and of their columns. Both become SQL identifiers (a
//! PostgreSQL schema per organisation, a table per dataset, a column per CSV
//! column), so they are normalised to one safe alphabet here, once, and every
//! other module quotes them without a second thought.

use std::fmt;

/// The longest organisation or dataset name: PostgreSQL identifiers stop at 63
/// bytes, and a version's table adds `__v<number>`.
pub const MAX_NAME: usize = 48;

/// The longest column name (PostgreSQL's identifier limit).
pub const MAX_COLUMN: usize = 63;

/// Schemas an organisation may not be called: PostgreSQL's own, the directory's
/// `table-data` schema, and the default one.
const RESERVED_SCHEMAS: &[&str] = &["public", "directory", "information_schema"];

/// The row number column every dataset table has, and PostgreSQL's system columns.
pub const ROW_COLUMN: &str = "_row";
const RESERVED_COLUMNS: &[&str] = &[
    ROW_COLUMN, "oid", "tableoid", "xmin", "xmax", "cmin", "cmax", "ctid",
];

/// A normalised organisation or dataset name: `^[a-z0-9_]+$`, without `__`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    /// Lower-cases `raw`, turns `.`, `-` and spaces into `_`, and checks the rest;
    /// `what` ("organisation", "dataset") names it in the error.
    pub fn parse(what: &str, raw: &str) -> Result<Self, String> {
        let name: String = raw
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if matches!(c, '.' | '-' | ' ') { '_' } else { c })
            .collect();
        if name.is_empty() {
            return Err(format!("{what} is empty"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!(
                "{what} {raw:?} may hold only letters, digits, '_' and '.' (as '_')"
            ));
        }
        if name.contains("__") {
            return Err(format!(
                "{what} {raw:?} may not hold \"__\" (it separates names in table names)"
            ));
        }
        if name.len() > MAX_NAME {
            return Err(format!(
                "{what} {raw:?} is longer than {MAX_NAME} characters"
            ));
        }
        Ok(Self(name))
    }

    /// [`Name::parse`] for an organisation, which also names a PostgreSQL schema.
    pub fn organisation(raw: &str) -> Result<Self, String> {
        let name = Self::parse("organisation", raw)?;
        if RESERVED_SCHEMAS.contains(&name.as_str()) || name.0.starts_with("pg_") {
            return Err(format!(
                "organisation {:?} is a reserved name; choose another",
                name.0
            ));
        }
        Ok(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The column names of a file's header, normalised like dataset names (so
/// `Opening Date` is `opening_date`); every problem names the column by its
/// position and header text.
pub fn columns(header: &[String]) -> Result<Vec<String>, Vec<String>> {
    let mut names = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    for (at, raw) in header.iter().enumerate() {
        let position = at + 1;
        let mut name = String::with_capacity(raw.len());
        for c in raw.trim().to_lowercase().chars() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                name.push(c);
            } else if !name.ends_with('_') {
                name.push('_');
            }
        }
        let name = name.trim_end_matches('_').to_owned();
        let name = if raw.trim().starts_with('_') {
            name
        } else {
            name.trim_start_matches('_').to_owned()
        };
        if name.is_empty() {
            problems.push(format!("column {position} has no name ({raw:?})"));
        } else if RESERVED_COLUMNS.contains(&name.as_str()) {
            problems.push(format!(
                "column {position} ({raw:?}) is named {name:?}, a reserved column name; rename it"
            ));
        } else if name.len() > MAX_COLUMN {
            problems.push(format!(
                "column {position} ({raw:?}) is longer than {MAX_COLUMN} characters"
            ));
        } else if let Some(first) = names.iter().position(|n| n == &name) {
            problems.push(format!(
                "column {position} ({raw:?}) is named {name:?} like column {}",
                first + 1
            ));
        }
        names.push(name);
    }
    if problems.is_empty() {
        Ok(names)
    } else {
        Err(problems)
    }
}

/// `name` as a quoted SQL identifier (names here never hold a quote).
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_cased_with_dots_as_underscores() {
        assert_eq!(
            Name::parse("dataset", " Prices.2024 ").map(|n| n.0),
            Ok("prices_2024".into())
        );
        assert!(Name::parse("dataset", "a__b").is_err());
        assert!(Name::parse("dataset", "naïve").is_err());
        assert!(Name::parse("dataset", "").is_err());
        assert!(Name::organisation("public").is_err());
        assert!(Name::organisation("pg_catalog").is_err());
        assert!(Name::organisation("Acme").is_ok());
    }

    #[test]
    fn columns_are_normalised_and_reserved_ones_refused() {
        let header = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            columns(&header(&["Opening Date", "Cost (£)", "id"])),
            Ok(vec!["opening_date".into(), "cost".into(), "id".into()])
        );
        let refused = columns(&header(&["a", "_row", "A", ""])).unwrap_err();
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert!(refused[0].contains("reserved"), "{refused:?}");
        assert!(refused[1].contains("like column 1"), "{refused:?}");
        assert!(refused[2].contains("no name"), "{refused:?}");
    }
}
