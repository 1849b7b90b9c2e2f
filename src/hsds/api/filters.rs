//! The query parameters of `/services` and `/service_at_locations`, checked and
//! named, and the services they select. Each parameter is accepted under the
//! name the issue of Open Referral UK's first API used and under HSDS 3.0's
//! (`text` or `search`, `full_service` or `full`, `minimal_age` or
//! `minimum_age`, `maximal_age` or `maximum_age`). The SQL is the read side's
//! (`crate::read::filter`, `near`, `hsds_filters`, `search`), so the REST API and
//! GraphQL find the same services for the same words, terms and places.

use super::ApiError;
use super::modified::{modified_since, parse_time};
use super::read::{parse_flag, parse_id};
use crate::read::filter::{tagged_with_any, with_descendants};
use crate::read::hsds_filters::{services_among, services_covering};
use crate::read::near::{Point, postcode_point, services_within};
use crate::read::visibility::visible;
use crate::read::{Frag, Table, Viewer, search};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The widest `proximity`, in metres.
pub const MAX_PROXIMITY_METRES: u32 = 200_000;

/// Each filter parameter under its names, HSDS 3.0's last.
pub const SERVICE_PARAMETERS: &[&[&str]] = &[
    &["text", "search"],
    &["taxonomy_term_id"],
    &["taxonomy_id"],
    &["organization_id"],
    &["modified_after"],
    &["minimal_age", "minimum_age"],
    &["maximal_age", "maximum_age"],
    &["postcode"],
    &["proximity"],
    &["full_service", "full"],
];

/// Where the services must be.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// The postcode, and services whose service area covers it.
    Covering(String),
    /// Services at a venue within `metres` of the postcode's centre.
    Within(String, u32),
}

/// What a caller asked `/services` for.
#[derive(Clone, Debug, Default)]
pub struct ServiceFilter {
    pub text: Option<String>,
    pub taxonomy_term_id: Option<Uuid>,
    pub taxonomy_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub modified_after: Option<DateTime<Utc>>,
    pub minimum_age: Option<i32>,
    pub maximum_age: Option<i32>,
    pub place: Option<Place>,
    /// Whole services rather than `service_list` entries.
    pub full: bool,
}

/// The value of the parameter known by any of `names`, with the name used.
fn value<'a>(
    params: &'a HashMap<String, String>,
    names: &[&'static str],
) -> Option<(&'static str, &'a str)> {
    names
        .iter()
        .find_map(|name| params.get(*name).map(|text| (*name, text.as_str())))
}

fn age(name: &'static str, text: &str) -> Result<i32, ApiError> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|age| (0..=150).contains(age))
        .ok_or_else(|| ApiError::bad(name, format!("{text:?} is not an age from 0 to 150")))
}

impl ServiceFilter {
    /// From the query parameters (already checked to be known ones).
    pub fn parse(params: &HashMap<String, String>) -> Result<Self, ApiError> {
        let id = |names: &[&'static str]| {
            value(params, names)
                .map(|(name, text)| parse_id(name, text))
                .transpose()
        };
        let text = match value(params, &["text", "search"]) {
            Some((name, text)) => {
                // Refused here, with its name, rather than when searching.
                search::words(text).map_err(|error| ApiError::bad(name, error.to_string()))?;
                Some(text.to_owned())
            }
            None => None,
        };
        let postcode = value(params, &["postcode"]).map(|(_, text)| text.trim().to_owned());
        let proximity = value(params, &["proximity"])
            .map(|(name, text)| {
                text.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|metres| *metres > 0.0 && *metres <= f64::from(MAX_PROXIMITY_METRES))
                    .map(|metres| metres.ceil() as u32)
                    .ok_or_else(|| {
                        ApiError::bad(
                            name,
                            format!(
                                "{text:?} is not a distance in metres from 1 to {MAX_PROXIMITY_METRES}"
                            ),
                        )
                    })
            })
            .transpose()?;
        let place = match (postcode, proximity) {
            (None, Some(_)) => {
                return Err(ApiError::bad(
                    "proximity",
                    "needs a postcode to measure from",
                ));
            }
            (Some(postcode), _) if postcode.is_empty() => {
                return Err(ApiError::bad("postcode", "is empty"));
            }
            (Some(postcode), Some(metres)) => Some(Place::Within(postcode, metres)),
            (Some(postcode), None) => Some(Place::Covering(postcode)),
            (None, None) => None,
        };
        let full = match value(params, &["full_service", "full"]) {
            Some((name, text)) => parse_flag(name, Some(text))?,
            None => false,
        };
        Ok(Self {
            text,
            taxonomy_term_id: id(&["taxonomy_term_id"])?,
            taxonomy_id: id(&["taxonomy_id"])?,
            organization_id: id(&["organization_id"])?,
            modified_after: value(params, &["modified_after"])
                .map(|(name, text)| parse_time(name, text))
                .transpose()?,
            minimum_age: value(params, &["minimal_age", "minimum_age"])
                .map(|(name, text)| age(name, text))
                .transpose()?,
            maximum_age: value(params, &["maximal_age", "maximum_age"])
                .map(|(name, text)| age(name, text))
                .transpose()?,
            place,
            full,
        })
    }
}

/// The services a filter selects.
pub struct Matching {
    /// Conditions over `services`, visibility not among them.
    pub conditions: Vec<Frag>,
    /// With `proximity`: the visible services within it, nearest first.
    pub ranked: Option<Vec<Uuid>>,
}

/// The services `filter` selects for `viewer`. A postcode that is not known is
/// the caller's mistake, named.
pub async fn services_matching(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &ServiceFilter,
) -> Result<Matching, ApiError> {
    let backend = db.get_database_backend();
    let mut conditions = Vec::new();
    if let Some(text) = &filter.text {
        let words =
            search::words(text).map_err(|error| ApiError::bad("text", error.to_string()))?;
        conditions.push(search::plan(backend, Table::Services, &words).condition);
    }
    if let Some(term) = filter.taxonomy_term_id {
        // A service tagged with a narrower term is about the term too.
        let terms: HashSet<Uuid> = with_descendants(db, &[term])
            .await?
            .remove(&term)
            .unwrap_or_default();
        conditions.push(tagged_with_any("services", "service_id", &terms));
    }
    if let Some(taxonomy) = filter.taxonomy_id {
        conditions.push(Frag::bind(
            "EXISTS (SELECT 1 FROM taxonomy_refs tagged JOIN taxonomy_terms term \
             ON term.id = tagged.taxonomy_term_id WHERE tagged.service_id = services.id \
             AND tagged.deleted_at IS NULL AND term.deleted_at IS NULL AND term.taxonomy_id = ?)",
            [Value::from(taxonomy)],
        ));
    }
    if let Some(organization) = filter.organization_id {
        conditions.push(Frag::bind(
            "services.provider_id = ?",
            [Value::from(organization)],
        ));
    }
    if let Some(since) = filter.modified_after {
        conditions.push(modified_since(since));
    }
    if let Some(age) = filter.minimum_age {
        conditions.push(Frag::bind("services.minimum_age >= ?", [Value::from(age)]));
    }
    if let Some(age) = filter.maximum_age {
        conditions.push(Frag::bind("services.maximum_age <= ?", [Value::from(age)]));
    }
    let mut ranked = None;
    match &filter.place {
        None => {}
        Some(Place::Covering(postcode)) => {
            let point = located(db, postcode).await?;
            let covering = services_covering(db, point).await?;
            conditions.push(services_among(backend, &covering));
        }
        Some(Place::Within(postcode, metres)) => {
            let point = located(db, postcode).await?;
            let mut shown = conditions.clone();
            shown.push(visible(Table::Services, "services", viewer));
            let near = services_within(db, point, f64::from(*metres) / 1000.0, shown).await?;
            ranked = Some(near.into_iter().map(|(id, _)| id).collect());
        }
    }
    Ok(Matching { conditions, ranked })
}

async fn located(db: &impl ConnectionTrait, postcode: &str) -> Result<Point, ApiError> {
    postcode_point(db, postcode).await?.ok_or_else(|| {
        ApiError::bad(
            "postcode",
            format!("{postcode:?} is not a postcode this directory knows"),
        )
    })
}
