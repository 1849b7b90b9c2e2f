//! `ServiceFilter`: the filters front ends search services with.

use super::scalar::{DateFilter, IdFilter, IntFilter, StringFilter};
use super::{FilterExtras, record_filter, top_level_only};
use crate::error::{ApiResult, AppError};
use crate::graphql::enums::ServiceStatusFilter;
use crate::read::Frag;
use crate::read::filter::{self, FilterCx};
use crate::read::hsds_filters;
use crate::read::near::Point;
use async_graphql::InputObject;
use serde::Serialize;

/// A place and a distance: services with a venue within `radiusKm` of it.
#[derive(InputObject, Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct NearFilter {
    /// A UK postcode (any case and spacing), looked up in the postcode directory.
    pub postcode: Option<String>,
    /// Latitude in WGS84 degrees (with `longitude`, instead of a postcode).
    pub latitude: Option<f64>,
    /// Longitude in WGS84 degrees.
    pub longitude: Option<f64>,
    /// How far, in kilometres. Required; at most the server's cap (100 km by default).
    pub radius_km: f64,
}

/// Where to search from, once checked.
pub enum Origin {
    Postcode(String),
    Point(Point),
}

impl NearFilter {
    /// The origin and radius, or `BAD_USER_INPUT` naming the field at fault.
    pub fn checked(&self, path: &str, max_radius_km: f64) -> ApiResult<(Origin, f64)> {
        if !(self.radius_km > 0.0 && self.radius_km <= max_radius_km) {
            return Err(AppError::bad_input(
                &format!("{path}.radiusKm"),
                format!("must be above 0 and at most {max_radius_km}"),
            ));
        }
        let origin = origin(path, &self.postcode, self.latitude, self.longitude)?;
        Ok((origin, self.radius_km))
    }
}

/// A place: a postcode, or a latitude and longitude.
#[derive(InputObject, Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct PlaceFilter {
    /// A UK postcode (any case and spacing), looked up in the postcode directory.
    pub postcode: Option<String>,
    /// Latitude in WGS84 degrees (with `longitude`, instead of a postcode).
    pub latitude: Option<f64>,
    /// Longitude in WGS84 degrees.
    pub longitude: Option<f64>,
}

impl PlaceFilter {
    /// The place, or `BAD_USER_INPUT` naming the field at fault.
    pub fn checked(&self, path: &str) -> ApiResult<Origin> {
        origin(path, &self.postcode, self.latitude, self.longitude)
    }
}

/// A postcode, or a latitude and longitude within range; not both, not neither.
fn origin(
    path: &str,
    postcode: &Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> ApiResult<Origin> {
    match (postcode, latitude, longitude) {
        (Some(postcode), None, None) => Ok(Origin::Postcode(postcode.clone())),
        (None, Some(latitude), Some(longitude)) => {
            if !(-90.0..=90.0).contains(&latitude) {
                return Err(AppError::bad_input(
                    &format!("{path}.latitude"),
                    "must be between -90 and 90",
                ));
            }
            if !(-180.0..=180.0).contains(&longitude) {
                return Err(AppError::bad_input(
                    &format!("{path}.longitude"),
                    "must be between -180 and 180",
                ));
            }
            Ok(Origin::Point(Point {
                latitude,
                longitude,
            }))
        }
        _ => Err(AppError::bad_input(
            path,
            "give either a postcode or both latitude and longitude",
        )),
    }
}

record_filter! {
    /// Conditions on services. Every field given must hold.
    ServiceFilter for Services,
        search: "Keywords: every word must start a word of the name, alternate name or \
                 description. `orderBy: RELEVANCE` ranks the matches, best first.",
        tagged through "service_id"
    {
        /// By name.
        name: StringFilter = "name",
        /// Near a place: services with a venue within the radius, nearest first, each
        /// with its `distanceKm`. Top level only.
        near: NearFilter,
        /// For someone of this age: the service's own age range and every linked
        /// eligibility's range admit it (a missing bound admits all).
        age: i32,
        /// `true`: no cost option with an amount above zero. `false`: at least one.
        free: bool,
        /// Open at this time, by its schedules (or its schedules at venues), in the
        /// directory's local time (Europe/London); see docs/api.md for the rules.
        open_at: chrono::DateTime<chrono::Utc>,
        /// `true`: open now, by its schedules. `false`: not open now.
        open_now: bool,
        /// Works in this language: a language of the service or of one of its
        /// venues, by name or ISO 639 code, any case ("Polish", "pl").
        language: String,
        /// At a venue whose accessibility records mention this text, any case
        /// ("hearing loop", "step-free").
        accessibility: String,
        /// Offered in an area that covers this place: a GeoJSON service area
        /// containing the point or the postcode's point (its boundary included).
        /// Top level only.
        service_area: PlaceFilter,
        /// By status.
        status: ServiceStatusFilter = "status",
        /// Published or not (anonymous callers only ever see published services).
        published: bool = "published",
        /// Flagged for review or not.
        flagged: bool = "flagged",
        /// By provider.
        provider_id: IdFilter = "provider_id",
        /// By the youngest age served.
        minimum_age: IntFilter = "minimum_age",
        /// By the oldest age served.
        maximum_age: IntFilter = "maximum_age",
        /// By the date the record was last checked.
        assured_date: DateFilter = "assured_date",
    }
}

impl FilterExtras for ServiceFilter {
    fn extra(&self, cx: &FilterCx, path: &str, top: bool, out: &mut Vec<Frag>) -> ApiResult<()> {
        top_level_only(path, "near", self.near.is_some(), top)?;
        top_level_only(path, "serviceArea", self.service_area.is_some(), top)?;
        if self.service_area.is_some() {
            let covered = cx.services_in_area.as_deref().unwrap_or_default();
            out.push(hsds_filters::services_among(cx.backend, covered));
        }
        if let Some(age) = self.age {
            if age < 0 {
                return Err(AppError::bad_input(
                    &format!("{path}.age"),
                    "must not be negative",
                ));
            }
            out.push(filter::age(age));
        }
        out.extend(self.free.map(filter::free));
        out.extend(self.open_at.map(|at| hsds_filters::open_at(at, cx.backend)));
        if let Some(open) = self.open_now {
            crate::cache::reads::depends_on_clock();
            let now = hsds_filters::open_at(chrono::Utc::now(), cx.backend);
            out.push(if open { now } else { now.negate() });
        }
        for (field, text, condition) in [
            (
                "language",
                &self.language,
                hsds_filters::speaks as fn(&str) -> Frag,
            ),
            (
                "accessibility",
                &self.accessibility,
                hsds_filters::accessible,
            ),
        ] {
            if let Some(text) = text {
                if text.trim().is_empty() || text.len() > 200 {
                    return Err(AppError::bad_input(
                        &format!("{path}.{field}"),
                        "must be 1 to 200 characters",
                    ));
                }
                out.push(condition(text));
            }
        }
        Ok(())
    }

    fn service_area(&self) -> Option<&PlaceFilter> {
        self.service_area.as_ref()
    }
}
