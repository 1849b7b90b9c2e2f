//! Filters of the record types other than services.

use super::scalar::{AmountFilter, DateFilter, DateTimeFilter, IdFilter, IntFilter, StringFilter};
use super::service::flag;
use super::{FilterCx, TaxonomyTermsFilter, combine, common, search_condition, top_level_only};
use crate::graphql::enums::{AttendingTypeFilter, LocationTypeFilter};
use crate::graphql::error::bad_input;
use crate::read::events::TimeWindow;
use crate::read::{Frag, Table};
use async_graphql::{InputObject, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Collects `term_roots` through `and`/`or`/`not` for filters with `taxonomyTerms`.
macro_rules! term_roots {
    ($type:ty) => {
        impl $type {
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
        }
    };
}

fn text(
    parts: &mut Vec<Frag>,
    path: &str,
    name: &str,
    column: &str,
    filter: &Option<StringFilter>,
) -> Result<()> {
    if let Some(filter) = filter {
        parts.push(filter.condition(&format!("{path}.{name}"), column)?);
    }
    Ok(())
}

fn id(
    parts: &mut Vec<Frag>,
    path: &str,
    name: &str,
    column: &str,
    filter: &Option<IdFilter>,
) -> Result<()> {
    if let Some(filter) = filter {
        parts.push(filter.condition(&format!("{path}.{name}"), column)?);
    }
    Ok(())
}

/// Conditions on providers. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ProviderFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By name.
    pub name: Option<StringFilter>,
    /// Keywords: every word must start a word of the name, alternate name or description.
    pub search: Option<String>,
    /// Published or not.
    pub published: Option<bool>,
    /// Flagged for review or not.
    pub flagged: Option<bool>,
    /// By the organisation it belongs to.
    pub parent_provider_id: Option<IdFilter>,
    /// Tagged with taxonomy terms.
    pub taxonomy_terms: Option<TaxonomyTermsFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<ProviderFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<ProviderFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<ProviderFilter>>,
}
term_roots!(ProviderFilter);

impl ProviderFilter {
    pub fn condition(&self, cx: &FilterCx, path: &str, top: bool) -> Result<Frag> {
        let table = Table::Providers;
        let mut own = common(
            table,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(&mut own, path, "name", "providers.name", &self.name)?;
        if let (Some(text), false) = (&self.search, top) {
            own.push(search_condition(
                cx,
                &format!("{path}.search"),
                table,
                text,
            )?);
        }
        own.extend(flag("providers.published", self.published));
        own.extend(flag("providers.flagged", self.flagged));
        id(
            &mut own,
            path,
            "parentProviderId",
            "providers.parent_provider_id",
            &self.parent_provider_id,
        )?;
        if let Some(terms) = &self.taxonomy_terms {
            own.push(terms.condition(
                cx,
                &format!("{path}.taxonomyTerms"),
                table,
                "provider_id",
            )?);
        }
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(cx, path, false)
        })
    }
}

/// Conditions on venues. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct VenueFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By name.
    pub name: Option<StringFilter>,
    /// Keywords: every word must start a word of the name, city or postcode.
    pub search: Option<String>,
    /// By the organisation it belongs to.
    pub provider_id: Option<IdFilter>,
    /// By location type.
    pub location_type: Option<LocationTypeFilter>,
    /// By town or city.
    pub city: Option<StringFilter>,
    /// By postcode (as stored).
    pub postal_code: Option<StringFilter>,
    /// By country code.
    pub country: Option<StringFilter>,
    /// Flagged for review or not.
    pub flagged: Option<bool>,
    /// Tagged with taxonomy terms.
    pub taxonomy_terms: Option<TaxonomyTermsFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<VenueFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<VenueFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<VenueFilter>>,
}
term_roots!(VenueFilter);

impl VenueFilter {
    pub fn condition(&self, cx: &FilterCx, path: &str, top: bool) -> Result<Frag> {
        let table = Table::Venues;
        let mut own = common(
            table,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(&mut own, path, "name", "venues.name", &self.name)?;
        if let (Some(text), false) = (&self.search, top) {
            own.push(search_condition(
                cx,
                &format!("{path}.search"),
                table,
                text,
            )?);
        }
        id(
            &mut own,
            path,
            "providerId",
            "venues.provider_id",
            &self.provider_id,
        )?;
        if let Some(filter) = &self.location_type {
            own.push(filter.condition("venues.location_type"));
        }
        text(&mut own, path, "city", "venues.city", &self.city)?;
        text(
            &mut own,
            path,
            "postalCode",
            "venues.postal_code",
            &self.postal_code,
        )?;
        text(&mut own, path, "country", "venues.country", &self.country)?;
        own.extend(flag("venues.flagged", self.flagged));
        if let Some(terms) = &self.taxonomy_terms {
            own.push(terms.condition(cx, &format!("{path}.taxonomyTerms"), table, "venue_id")?);
        }
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(cx, path, false)
        })
    }
}

/// Conditions on contacts. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContactFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By name.
    pub name: Option<StringFilter>,
    /// By email address.
    pub email: Option<StringFilter>,
    /// By the provider it is for.
    pub provider_id: Option<IdFilter>,
    /// By the service it is for.
    pub service_id: Option<IdFilter>,
    /// By the venue it is for.
    pub venue_id: Option<IdFilter>,
    /// Flagged for review or not.
    pub flagged: Option<bool>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<ContactFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<ContactFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<ContactFilter>>,
}

impl ContactFilter {
    pub fn condition(&self, path: &str) -> Result<Frag> {
        let mut own = common(
            Table::Contacts,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(&mut own, path, "name", "contacts.name", &self.name)?;
        text(&mut own, path, "email", "contacts.email", &self.email)?;
        id(
            &mut own,
            path,
            "providerId",
            "contacts.provider_id",
            &self.provider_id,
        )?;
        id(
            &mut own,
            path,
            "serviceId",
            "contacts.service_id",
            &self.service_id,
        )?;
        id(
            &mut own,
            path,
            "venueId",
            "contacts.venue_id",
            &self.venue_id,
        )?;
        own.extend(flag("contacts.flagged", self.flagged));
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(path)
        })
    }
}

/// Conditions on eligibilities. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct EligibilityFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By description.
    pub description: Option<StringFilter>,
    /// By the youngest age eligible.
    pub minimum_age: Option<IntFilter>,
    /// By the oldest age eligible.
    pub maximum_age: Option<IntFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<EligibilityFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<EligibilityFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<EligibilityFilter>>,
}

impl EligibilityFilter {
    pub fn condition(&self, path: &str) -> Result<Frag> {
        let mut own = common(
            Table::Eligibilities,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(
            &mut own,
            path,
            "description",
            "eligibilities.description",
            &self.description,
        )?;
        if let Some(filter) = &self.minimum_age {
            own.push(filter.condition(&format!("{path}.minimumAge"), "eligibilities.minimum_age")?);
        }
        if let Some(filter) = &self.maximum_age {
            own.push(filter.condition(&format!("{path}.maximumAge"), "eligibilities.maximum_age")?);
        }
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(path)
        })
    }
}

/// Conditions on cost options. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct CostOptionFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By service.
    pub service_id: Option<IdFilter>,
    /// By the cost in words.
    pub option: Option<StringFilter>,
    /// By amount.
    pub amount: Option<AmountFilter>,
    /// By currency code.
    pub currency: Option<StringFilter>,
    /// By first day of validity.
    pub valid_from: Option<DateFilter>,
    /// By last day of validity.
    pub valid_to: Option<DateFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<CostOptionFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<CostOptionFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<CostOptionFilter>>,
}

impl CostOptionFilter {
    pub fn condition(&self, path: &str) -> Result<Frag> {
        let mut own = common(
            Table::CostOptions,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        id(
            &mut own,
            path,
            "serviceId",
            "cost_options.service_id",
            &self.service_id,
        )?;
        text(
            &mut own,
            path,
            "option",
            "cost_options.option",
            &self.option,
        )?;
        own.extend(
            self.amount
                .as_ref()
                .map(|f| f.condition("cost_options.amount")),
        );
        text(
            &mut own,
            path,
            "currency",
            "cost_options.currency",
            &self.currency,
        )?;
        own.extend(
            self.valid_from
                .as_ref()
                .map(|f| f.condition("cost_options.valid_from")),
        );
        own.extend(
            self.valid_to
                .as_ref()
                .map(|f| f.condition("cost_options.valid_to")),
        );
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(path)
        })
    }
}

/// A time window.
#[derive(InputObject, Serialize, Clone, Copy, Debug)]
pub struct BetweenFilter {
    /// Start of the window.
    pub from: DateTime<Utc>,
    /// End of the window.
    pub to: DateTime<Utc>,
}

impl BetweenFilter {
    pub fn checked(&self, path: &str) -> Result<TimeWindow> {
        if self.from > self.to {
            return Err(bad_input(&format!("{path}.to"), "must not be before from"));
        }
        Ok(TimeWindow {
            from: self.from,
            to: self.to,
        })
    }
}

/// Conditions on events. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct EventFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By title.
    pub title: Option<StringFilter>,
    /// Events whose time span, or one occurrence of their recurrence rule, overlaps
    /// this window. Top level only.
    pub between: Option<BetweenFilter>,
    /// By start (of the first occurrence).
    pub starts_at: Option<DateTimeFilter>,
    /// By end (of the first occurrence).
    pub ends_at: Option<DateTimeFilter>,
    /// By how people attend.
    pub attending_type: Option<AttendingTypeFilter>,
    /// By service.
    pub service_id: Option<IdFilter>,
    /// By venue.
    pub venue_id: Option<IdFilter>,
    /// By provider.
    pub provider_id: Option<IdFilter>,
    /// Flagged for review or not.
    pub flagged: Option<bool>,
    /// Tagged with taxonomy terms.
    pub taxonomy_terms: Option<TaxonomyTermsFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<EventFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<EventFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<EventFilter>>,
}
term_roots!(EventFilter);

impl EventFilter {
    pub fn condition(&self, cx: &FilterCx, path: &str, top: bool) -> Result<Frag> {
        top_level_only(path, "between", self.between.is_some(), top)?;
        let table = Table::Events;
        let mut own = common(
            table,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(&mut own, path, "title", "events.title", &self.title)?;
        own.extend(
            self.starts_at
                .as_ref()
                .map(|f| f.condition("events.starts_at")),
        );
        own.extend(self.ends_at.as_ref().map(|f| f.condition("events.ends_at")));
        own.extend(
            self.attending_type
                .as_ref()
                .map(|f| f.condition("events.attending_type")),
        );
        id(
            &mut own,
            path,
            "serviceId",
            "events.service_id",
            &self.service_id,
        )?;
        id(&mut own, path, "venueId", "events.venue_id", &self.venue_id)?;
        id(
            &mut own,
            path,
            "providerId",
            "events.provider_id",
            &self.provider_id,
        )?;
        own.extend(flag("events.flagged", self.flagged));
        if let Some(terms) = &self.taxonomy_terms {
            own.push(terms.condition(cx, &format!("{path}.taxonomyTerms"), table, "event_id")?);
        }
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(cx, path, false)
        })
    }
}

/// Conditions on taxonomies. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct TaxonomyFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By name.
    pub name: Option<StringFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<TaxonomyFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<TaxonomyFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<TaxonomyFilter>>,
}

impl TaxonomyFilter {
    pub fn condition(&self, path: &str) -> Result<Frag> {
        let mut own = common(
            Table::Taxonomies,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(&mut own, path, "name", "taxonomies.name", &self.name)?;
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(path)
        })
    }
}

/// Conditions on taxonomy terms. Every field given must hold.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct TaxonomyTermFilter {
    /// By id.
    pub id: Option<IdFilter>,
    /// By name.
    pub name: Option<StringFilter>,
    /// By code.
    pub code: Option<StringFilter>,
    /// By taxonomy.
    pub taxonomy_id: Option<IdFilter>,
    /// By broader term (`{isNull: true}` for top-level terms).
    pub parent_id: Option<IdFilter>,
    /// Changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// By creation time.
    pub created_at: Option<DateTimeFilter>,
    /// By last change.
    pub updated_at: Option<DateTimeFilter>,
    /// Every one of these filters holds.
    pub and: Option<Vec<TaxonomyTermFilter>>,
    /// At least one of these filters holds.
    pub or: Option<Vec<TaxonomyTermFilter>>,
    /// This filter does not hold.
    pub not: Option<Box<TaxonomyTermFilter>>,
}

impl TaxonomyTermFilter {
    pub fn condition(&self, path: &str) -> Result<Frag> {
        let mut own = common(
            Table::TaxonomyTerms,
            path,
            &self.id,
            &self.updated_since,
            &self.created_at,
            &self.updated_at,
        )?;
        text(&mut own, path, "name", "taxonomy_terms.name", &self.name)?;
        text(&mut own, path, "code", "taxonomy_terms.code", &self.code)?;
        id(
            &mut own,
            path,
            "taxonomyId",
            "taxonomy_terms.taxonomy_id",
            &self.taxonomy_id,
        )?;
        id(
            &mut own,
            path,
            "parentId",
            "taxonomy_terms.parent_id",
            &self.parent_id,
        )?;
        combine(path, own, &self.and, &self.or, &self.not, |f, path| {
            f.condition(path)
        })
    }
}
