//! The preview of an uploaded file: per column, the type inferred over every
//! row (not the first few: a column whose last value is `n/a` is not a number),
//! the types every value fits (what the column may be confirmed as), and a few
//! sample values; and, against the dataset's current version, the columns the
//! new file lacks, since queries that use them will break.

use super::column_type::{ColumnType, fits_mask};
use super::csv_file::Visitor;
use serde::{Deserialize, Serialize};

/// Sample values kept per column.
const SAMPLES: usize = 5;
/// Characters kept of a sample value.
const SAMPLE_CHARS: usize = 100;

/// One column of the preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnPreview {
    pub name: String,
    pub inferred: ColumnType,
    /// The types every value of the column fits, most specific first.
    pub fits: Vec<ColumnType>,
    pub samples: Vec<String>,
    /// Rows with no value here (NULL in every type).
    pub empty: u64,
}

/// What a file holds, as shown before it is confirmed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub columns: Vec<ColumnPreview>,
    pub rows: u64,
    /// Columns of the current version this file does not have.
    pub missing_columns: Vec<String>,
    pub warnings: Vec<String>,
}

/// Inference as the rows pass.
#[derive(Default)]
pub struct Inference {
    names: Vec<String>,
    masks: Vec<u8>,
    empty: Vec<u64>,
    samples: Vec<Vec<String>>,
    rows: u64,
}

impl Visitor for Inference {
    fn header(&mut self, columns: &[String]) -> Result<(), String> {
        self.names = columns.to_vec();
        self.masks = vec![u8::MAX; columns.len()];
        self.empty = vec![0; columns.len()];
        self.samples = vec![Vec::new(); columns.len()];
        Ok(())
    }

    fn row(&mut self, _line: u64, fields: &csv::StringRecord) -> Result<(), String> {
        self.rows += 1;
        for (at, field) in fields.iter().enumerate() {
            if field.is_empty() {
                self.empty[at] += 1;
                continue;
            }
            // Once only text is left, nothing more is learnt from the values.
            if self.masks[at] != ColumnType::Text.bit() {
                self.masks[at] &= fits_mask(field);
            }
            let samples = &mut self.samples[at];
            if samples.len() < SAMPLES && !samples.iter().any(|s| s == field) {
                samples.push(field.chars().take(SAMPLE_CHARS).collect());
            }
        }
        Ok(())
    }
}

impl Inference {
    /// The preview, given the columns of the dataset's current version.
    pub fn preview(self, current: &[String]) -> Preview {
        let Inference {
            names,
            masks,
            empty,
            mut samples,
            rows,
        } = self;
        let columns: Vec<ColumnPreview> = names
            .into_iter()
            .enumerate()
            .map(|(at, name)| {
                let fits: Vec<ColumnType> = if empty[at] == rows {
                    vec![ColumnType::Text]
                } else {
                    ColumnType::ALL
                        .into_iter()
                        .filter(|kind| masks[at] & kind.bit() != 0)
                        .collect()
                };
                ColumnPreview {
                    name,
                    inferred: fits.first().copied().unwrap_or(ColumnType::Text),
                    fits,
                    samples: std::mem::take(&mut samples[at]),
                    empty: empty[at],
                }
            })
            .collect();
        let missing_columns: Vec<String> = current
            .iter()
            .filter(|name| !columns.iter().any(|column| &column.name == *name))
            .cloned()
            .collect();
        let mut warnings = Vec::new();
        if !missing_columns.is_empty() {
            warnings.push(format!(
                "the current version has columns this file lacks ({}): queries that use them will break",
                missing_columns.join(", ")
            ));
        }
        if rows == 0 {
            warnings.push("the file has a header and no rows".into());
        }
        Preview {
            columns,
            rows,
            missing_columns,
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(rows: &[&[&str]]) -> Preview {
        let mut inference = Inference::default();
        let header: Vec<String> = rows[0].iter().map(|s| (*s).to_owned()).collect();
        inference.header(&header).unwrap();
        for row in &rows[1..] {
            inference
                .row(0, &csv::StringRecord::from(row.to_vec()))
                .unwrap();
        }
        inference.preview(&["id".into(), "gone".into()])
    }

    #[test]
    fn one_bad_value_in_the_last_row_decides_the_type() {
        let preview = infer(&[
            &["id", "count", "when", "flag", "blank"],
            &["1", "10", "2024-01-01", "yes", ""],
            &["2", "11", "2024-01-02 10:00", "no", ""],
            &["3", "n/a", "2024-01-03", "", ""],
        ]);
        let types: Vec<ColumnType> = preview.columns.iter().map(|c| c.inferred).collect();
        use ColumnType::*;
        assert_eq!(types, vec![Integer, Text, Timestamp, Boolean, Text]);
        assert_eq!(preview.columns[1].samples, vec!["10", "11", "n/a"]);
        assert_eq!(preview.columns[3].empty, 1);
        assert_eq!(preview.missing_columns, vec!["gone".to_owned()]);
        assert_eq!(preview.rows, 3);
    }
}
