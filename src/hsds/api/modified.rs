//! `modified_after`: a service counts as modified when it, or anything its
//! nested JSON is built from, was written (created, changed or deleted) at or
//! after the time — as HSDS defines a service's `last_modified` ("the service,
//! or any related information about it"). Each part is a lookup on a table's
//! `(updated_at, id)` index, so an incremental run costs what changed, not the
//! size of the directory.
//!
//! Not counted: a change to a taxonomy term or taxonomy itself, or to an
//! attribute of a nested object other than the service (an attribute of a
//! phone, say), which would mean searching every attribute for its parents.

use crate::read::Frag;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::Value;

use super::ApiError;

/// Tables whose rows name the service they belong to in `service_id`.
const SERVICE_CHILDREN: &[&str] = &[
    "phones",
    "schedules",
    "service_areas",
    "service_venues",
    "languages",
    "funding",
    "cost_options",
    "required_documents",
    "contacts",
    "taxonomy_refs",
];

/// Tables whose rows name their venue in `venue_id`, reached through the
/// service's `service_venues`.
const VENUE_CHILDREN: &[&str] = &[
    "addresses",
    "accessibility",
    "phones",
    "schedules",
    "languages",
    "contacts",
];

/// Tables whose rows name their organization in `provider_id`, nested in the
/// service's `organization` when they are the organization's own (hang off
/// nothing else: see `super::tree`).
const PROVIDER_CHILDREN: &[(&str, &str)] = &[
    ("funding", "service_id IS NULL"),
    (
        "contacts",
        "service_id IS NULL AND service_venue_id IS NULL AND venue_id IS NULL",
    ),
    (
        "phones",
        "venue_id IS NULL AND service_id IS NULL AND contact_id IS NULL \
         AND service_venue_id IS NULL",
    ),
    ("programs", "1 = 1"),
    ("organization_identifiers", "1 = 1"),
];

/// Services (aliased `services`) modified at or after `since`.
pub fn modified_since(since: DateTime<Utc>) -> Frag {
    let mut parts = vec![
        "services.updated_at >= ?".to_owned(),
        "services.provider_id IN (SELECT id FROM providers WHERE updated_at >= ?)".to_owned(),
        "services.program_id IN (SELECT id FROM programs WHERE updated_at >= ?)".to_owned(),
        "services.id IN (SELECT link.service_id FROM service_venues link \
         JOIN venues changed ON changed.id = link.venue_id WHERE changed.updated_at >= ?)"
            .to_owned(),
        "services.id IN (SELECT owner.service_id FROM contacts owner \
         JOIN phones changed ON changed.contact_id = owner.id WHERE changed.updated_at >= ?)"
            .to_owned(),
    ];
    parts.extend(SERVICE_CHILDREN.iter().map(|table| {
        format!("services.id IN (SELECT service_id FROM {table} WHERE updated_at >= ?)")
    }));
    parts.extend(VENUE_CHILDREN.iter().map(|table| {
        format!(
            "services.id IN (SELECT link.service_id FROM service_venues link \
             JOIN {table} changed ON changed.venue_id = link.venue_id \
             WHERE changed.updated_at >= ?)"
        )
    }));
    parts.extend(PROVIDER_CHILDREN.iter().map(|(table, own)| {
        format!(
            "services.provider_id IN (SELECT provider_id FROM {table} \
             WHERE updated_at >= ? AND {own})"
        )
    }));
    let values = vec![Value::from(since); parts.len()];
    Frag::bind(format!("({})", parts.join(" OR ")), values)
}

/// A `modified_after` value: an RFC 3339 date-time, or a date-time without an
/// offset or a date, both taken as UTC.
pub fn parse_time(parameter: &'static str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at.and_utc());
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(ApiError::bad(
        parameter,
        format!("{text:?} is not a date-time (RFC 3339, e.g. 2026-01-31T09:00:00Z) or a date"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_in_the_forms_people_send() {
        let at = |text| {
            parse_time("modified_after", text)
                .ok()
                .map(|t| t.to_rfc3339())
        };
        assert_eq!(
            at("2026-01-31T09:00:00Z").as_deref(),
            Some("2026-01-31T09:00:00+00:00")
        );
        assert_eq!(
            at("2026-01-31T10:00:00+01:00").as_deref(),
            Some("2026-01-31T09:00:00+00:00")
        );
        assert_eq!(
            at("2026-01-31T09:00:00").as_deref(),
            Some("2026-01-31T09:00:00+00:00")
        );
        assert_eq!(
            at("2026-01-31").as_deref(),
            Some("2026-01-31T00:00:00+00:00")
        );
        let error = parse_time("modified_after", "yesterday")
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.starts_with("modified_after")));
    }

    #[test]
    fn every_part_binds_the_time() {
        let frag = modified_since(Utc::now());
        assert_eq!(frag.sql.matches('?').count(), frag.values.len());
    }
}
