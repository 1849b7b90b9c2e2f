//! The header row: which column of the file is which column of the record type,
//! what the file lacks, and what it carries that Signpost does not store.

use super::Problem;
use super::spec::{self, Column};
use crate::repo::RecordType;

/// How a file's columns map onto a record type's.
#[derive(Clone, Debug)]
pub struct Header {
    pub kind: RecordType,
    pub columns: &'static [Column],
    /// The columns this import writes, `id` first: (index in `columns`, index in
    /// the file's fields — `None` for `id` when the file has none).
    pub present: Vec<(usize, Option<usize>)>,
    /// HSDS `attributes.csv`: the file indexes of `link_type` and `link_id`.
    pub attribute_link: Option<(usize, usize)>,
    /// Fields per row the header promises.
    pub width: usize,
}

impl Header {
    /// Where column `name`'s cell sits in a row, if the import writes it.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.present
            .iter()
            .position(|&(spec, _)| self.columns[spec].name == name)
    }

    /// The table columns a row's cells go to, in order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.present
            .iter()
            .map(|&(spec, _)| self.columns[spec].name)
            .collect()
    }
}

/// Reads the header of a file of `kind`. Unknown columns are warnings, or errors
/// when `strict`; a missing required column or a column named twice is an error.
pub fn read_header(
    kind: RecordType,
    fields: &csv::StringRecord,
    strict: bool,
) -> Result<(Header, Vec<Problem>), Vec<Problem>> {
    let columns = spec::columns(kind);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut found: Vec<Option<usize>> = vec![None; columns.len()];
    let (mut link_type, mut link_id) = (None, None);
    let mut unknown = Vec::new();
    for (index, raw) in fields.iter().enumerate() {
        let name = raw
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        if name.is_empty() {
            errors.push(Problem::header(format!("column {} has no name", index + 1)));
            continue;
        }
        if spec::SERVER_MANAGED.contains(&name.as_str()) {
            continue;
        }
        if kind == RecordType::TaxonomyRefs && (name == "link_type" || name == "link_id") {
            let slot = if name == "link_type" {
                &mut link_type
            } else {
                &mut link_id
            };
            if slot.replace(index).is_some() {
                errors.push(Problem::header(format!("column {name:?} appears twice")));
            }
            continue;
        }
        let matched = columns
            .iter()
            .position(|column| column.name == name || column.aliases.contains(&name.as_str()));
        match matched {
            Some(spec_index) => {
                if found[spec_index].replace(index).is_some() {
                    errors.push(Problem::header(format!(
                        "column {:?} appears twice (as {name:?})",
                        columns[spec_index].name
                    )));
                }
            }
            None => unknown.push(name),
        }
    }
    if !unknown.is_empty() {
        let message = format!(
            "columns Signpost does not store for {kind}: {}",
            unknown.join(", ")
        );
        if strict {
            errors.push(Problem::header(format!(
                "{message} (refused in strict mode)"
            )));
        } else {
            warnings.push(Problem::header(format!("{message} (ignored)")));
        }
    }
    let attribute_link = match (link_type, link_id) {
        (Some(link_type), Some(link_id)) => Some((link_type, link_id)),
        (None, None) => None,
        _ => {
            errors.push(Problem::header("link_type and link_id go together"));
            None
        }
    };
    let targets = ["service_id", "provider_id", "venue_id", "event_id"];
    let mut present = Vec::new();
    for (spec_index, column) in columns.iter().enumerate() {
        let linked = attribute_link.is_some() && targets.contains(&column.name);
        match found[spec_index] {
            Some(file_index) => present.push((spec_index, Some(file_index))),
            None if spec_index == 0 || linked => present.push((spec_index, None)),
            None if column.required && column.default.is_none() => {
                errors.push(Problem::header(format!(
                    "required column {:?} is missing{}",
                    column.name,
                    if column.aliases.is_empty() {
                        String::new()
                    } else {
                        format!(" (or {})", column.aliases.join(", "))
                    }
                )));
            }
            None => {}
        }
    }
    if errors.is_empty() {
        Ok((
            Header {
                kind,
                columns,
                present,
                attribute_link,
                width: fields.len(),
            },
            warnings,
        ))
    } else {
        Err(errors)
    }
}
