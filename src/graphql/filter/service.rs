//! `ServiceFilter`: the filters front ends search services with.

use super::scalar::{DateFilter, DateTimeFilter, IdFilter, IntFilter, StringFilter};
use super::{FilterCx, TaxonomyTermsFilter, combine, common, search_condition, top_level_only};
use crate::graphql::enums::ServiceStatusFilter;
use crate::graphql::error::bad_input;
use crate::read::near::Point;
use crate::read::{Frag, Table, service_filter};
use async_graphql::{InputObject, Result};
use chrono::{DateTime, Utc};
use sea_orm::Value;
use serde::Serialize;
use uuid::Uuid;

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
    pub fn checked(&self, path: &str, max_radius_km: f64) -> Result<(Origin, f64)> {
        if !(self.radius_km > 0.0 && self.radius_km <= max_radius_km) {
            return Err(bad_input(
                &format!("{path}.radiusKm"),
                format!("must be above 0 and at most {max_radius_km}"),
            ));
        }
        let origin = match (&self.postcode, self.latitude, self.longitude) {
            (Some(postcode), None, None) => Origin::Postcode(postcode.clone()),
            (None, Some(latitude), Some(longitude)) => {
                if !(-90.0..=90.0).contains(&latitude) {
                    return Err(bad_input(
                        &format!("{path}.latitude"),
                        "must be between -90 and 90",
                    ));
                }
                if !(-180.0..=180.0).contains(&longitude) {
                    return Err(bad_input(
                        &format!("{path}.longitude"),
                        "must be between -180 and 180",
                    ));
                }
                Origin::Point(Point {
                    latitude,
                    longitude,
                })
            }
            _ => {
                return Err(bad_input(
                    path,
                    "give either a postcode or both latitude and longitude",
                ));
            }
        };
        Ok((origin, self.radius_km))
    }
}

/// Conditions on services. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ServiceFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By name.
    pub name: Option<StringFilter>,
    /// Keywords: every word must start a word of the name, alternate name or
    /// description. `orderBy: RELEVANCE` ranks the matches, best first.
    pub search: Option<String>,
    /// Near a place: services with a venue within the radius, nearest first, each
    /// with its `distanceKm`. Top level only.
    pub near: Option<NearFilter>,
    /// Tagged with taxonomy terms.
    pub taxonomy_terms: Option<TaxonomyTermsFilter>,
    /// For someone of this age: the service's own age range and every linked
    /// eligibility's range admit it (a missing bound admits all).
    pub age: Option<i32>,
    /// `true`: no cost option with an amount above zero. `false`: at least one.
    pub free: Option<bool>,
    /// By status.
    pub status: Option<ServiceStatusFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// Published or not (anonymous callers only ever see published services).
    pub published: Option<bool>,
    /// Flagged for review or not.
    pub flagged: Option<bool>,
    /// By provider.
    pub provider_id: Option<IdFilter>,
    /// By the youngest age served.
    pub minimum_age: Option<IntFilter>,
    /// By the oldest age served.
    pub maximum_age: Option<IntFilter>,
    /// By the date the record was last checked.
    pub assured_date: Option<DateFilter>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<ServiceFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<ServiceFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<ServiceFilter>>,
}

pub fn flag(column: &str, value: Option<bool>) -> Option<Frag> {
    value.map(|wanted| Frag::bind(format!("{column} = ?"), [Value::from(wanted)]))
}

impl ServiceFilter {
    /// Taxonomy terms to expand with their descendants, anywhere in the filter.
    pub fn term_roots(&self, path: &str, out: &mut Vec<Uuid>) -> Result<()> {
        if let Some(terms) = &self.taxonomy_terms {
            terms.roots(&format!("{path}.taxonomyTerms"), out)?;
        }
        for (name, list) in [("and", &self.and), ("or", &self.or)] {
            for (index, filter) in list.iter().flatten().enumerate() {
                filter.term_roots(&format!("{path}.{name}[{index}]"), out)?;
            }
        }
        if let Some(filter) = &self.not {
            filter.term_roots(&format!("{path}.not"), out)?;
        }
        Ok(())
    }

    /// The condition, without `search` and `near` when `top` (the root resolver
    /// plans those).
    pub fn condition(&self, cx: &FilterCx, path: &str, top: bool) -> Result<Frag> {
        top_level_only(path, "near", self.near.is_some(), top)?;
        let table = Table::Services;
        let mut own = common(
            table,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        if let Some(filter) = &self.name {
            own.push(filter.condition(&format!("{path}.name"), "services.name")?);
        }
        if let (Some(text), false) = (&self.search, top) {
            own.push(search_condition(
                cx,
                &format!("{path}.search"),
                table,
                text,
            )?);
        }
        if let Some(terms) = &self.taxonomy_terms {
            own.push(terms.condition(cx, &format!("{path}.taxonomyTerms"), table, "service_id")?);
        }
        if let Some(age) = self.age {
            if age < 0 {
                return Err(bad_input(&format!("{path}.age"), "must not be negative"));
            }
            own.push(service_filter::age(age));
        }
        own.extend(self.free.map(service_filter::free));
        if let Some(filter) = &self.status {
            own.push(filter.condition("services.status"));
        }
        own.extend(flag("services.published", self.published));
        own.extend(flag("services.flagged", self.flagged));
        if let Some(filter) = &self.provider_id {
            own.push(filter.condition(&format!("{path}.providerId"), "services.provider_id")?);
        }
        if let Some(filter) = &self.minimum_age {
            own.push(filter.condition(&format!("{path}.minimumAge"), "services.minimum_age")?);
        }
        if let Some(filter) = &self.maximum_age {
            own.push(filter.condition(&format!("{path}.maximumAge"), "services.maximum_age")?);
        }
        if let Some(filter) = &self.assured_date {
            own.push(filter.condition("services.assured_date"));
        }
        combine(path, own, &self.and, &self.or, &self.not, |filter, path| {
            filter.condition(cx, path, false)
        })
    }
}
