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
    /// HSDS `attributes.csv`: the file indexes of `link_entity` (of `link_type`
    /// in files from before HSDS 3.0) and `link_id`.
    pub attribute_link: Option<(usize, usize)>,
    /// The file's own column names, trimmed, as errors name them.
    pub names: Vec<String>,
    /// `published` is not in the file and the import publishes: it is written
    /// true (see [`super::ImportOptions::publish`]).
    pub publish: bool,
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

    /// The file's name for column `name` (`organization_id` for `provider_id` in an
    /// HSDS file), or `name` itself.
    pub fn label<'a>(&'a self, name: &'a str) -> &'a str {
        self.present
            .iter()
            .find(|&&(spec, _)| self.columns[spec].name == name)
            .and_then(|&(_, file)| file)
            .and_then(|file| self.names.get(file))
            .map_or(name, String::as_str)
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
    publish: bool,
) -> Result<(Header, Vec<Problem>), Vec<Problem>> {
    let columns = spec::columns(kind);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut found: Vec<Option<usize>> = vec![None; columns.len()];
    let (mut link_entity, mut link_id) = (None, None);
    let mut unknown = Vec::new();
    let names: Vec<String> = fields
        .iter()
        .map(|raw| {
            raw.trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let has = |wanted: &str| names.iter().any(|name| name == wanted);
    // HSDS 3.0 names the target's table in `link_entity` (and `link_type` is data);
    // earlier files named it in `link_type` beside `link_id`. Signpost's own files
    // name the target column instead (`service_id`, …).
    let entity_column = if has("link_entity") || !has("link_id") {
        "link_entity"
    } else {
        "link_type"
    };
    // HSDS's `taxonomies.version` is the taxonomy's own, unless the file also has
    // Signpost's `version_label` (then `version` is the row's, as exports write it).
    let version_is_data = kind == RecordType::Taxonomies && !has("version_label");
    for (index, name) in names.iter().enumerate() {
        let name = name.clone();
        if name.is_empty() {
            errors.push(Problem::header(format!("column {} has no name", index + 1)));
            continue;
        }
        if spec::SERVER_MANAGED.contains(&name.as_str()) && !(version_is_data && name == "version")
        {
            continue;
        }
        if kind == RecordType::TaxonomyRefs && (name == entity_column || name == "link_id") {
            let slot = if name == entity_column {
                &mut link_entity
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
    let attribute_link = match (link_entity, link_id) {
        (Some(link_entity), Some(link_id)) => Some((link_entity, link_id)),
        (None, None) => None,
        _ => {
            errors.push(Problem::header(format!(
                "{entity_column} and link_id go together"
            )));
            None
        }
    };
    let mut present = Vec::new();
    for (spec_index, column) in columns.iter().enumerate() {
        let linked = attribute_link.is_some()
            && crate::hsds::attribute::target_columns().any(|target| target == column.name);
        match found[spec_index] {
            Some(file_index) => present.push((spec_index, Some(file_index))),
            None if spec_index == 0 || linked => present.push((spec_index, None)),
            None if publish && column.name == "published" => {
                present.push((spec_index, None));
            }
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
                names,
                publish,
                width: fields.len(),
            },
            warnings,
        ))
    } else {
        Err(errors)
    }
}
