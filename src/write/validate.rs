//! Field checks that collect every problem of an input before anything is written.

use serde::Serialize;

/// One problem with one field of an input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The problems found so far.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// A required text must be there and not blank.
    pub fn required(&mut self, field: &str, value: Option<&str>) {
        if value.is_none_or(|text| text.trim().is_empty()) {
            self.add(field, "is required");
        }
    }

    /// An e-mail address: one `@` with something on both sides, no spaces.
    pub fn email(&mut self, field: &str, value: Option<&str>) {
        if let Some(text) = value {
            let valid = match text.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !text.contains(char::is_whitespace)
                        && !domain.contains('@')
                }
                None => false,
            };
            if !valid {
                self.add(field, format!("{text:?} is not an e-mail address"));
            }
        }
    }

    /// An absolute `http` or `https` URL.
    pub fn url(&mut self, field: &str, value: Option<&str>) {
        if let Some(text) = value {
            match url::Url::parse(text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
                _ => self.add(field, format!("{text:?} is not an http(s) URL")),
            }
        }
    }

    /// `value` within `low..=high`.
    pub fn range(&mut self, field: &str, value: Option<f64>, low: f64, high: f64) {
        if let Some(number) = value
            && !(low..=high).contains(&number)
        {
            self.add(field, format!("{number} is outside {low}..{high}"));
        }
    }

    /// `low` ≤ `high` when both are given.
    pub fn ordered<T: PartialOrd + std::fmt::Display>(
        &mut self,
        low_field: &str,
        low: Option<T>,
        high_field: &str,
        high: Option<T>,
    ) {
        if let (Some(low), Some(high)) = (low, high)
            && low > high
        {
            self.add(
                high_field,
                format!("{high} is less than {low_field} ({low})"),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was found, the problems otherwise.
    pub fn finish(self) -> Result<(), Vec<FieldProblem>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_collected() {
        let mut problems = Problems::default();
        problems.required("name", Some("  "));
        problems.email("email", Some("not-an-email"));
        problems.email("email", Some("help@leeds.gov.uk"));
        problems.url("url", Some("ftp://x.org"));
        problems.url("url", Some("https://x.org/a"));
        problems.range("latitude", Some(91.0), -90.0, 90.0);
        problems.ordered("minimumAge", Some(18), "maximumAge", Some(5));
        let fields: Vec<String> = problems
            .finish()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["name", "email", "url", "latitude", "maximumAge"]);
    }
}
