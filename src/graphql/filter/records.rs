//! Filters of the record types other than services.

use super::scalar::{AmountFilter, DateFilter, DateTimeFilter, IntFilter, StringFilter};
use super::{FilterExtras, record_filter, top_level_only};
use crate::error::{ApiResult, AppError};
use crate::graphql::enums::{AttendingTypeFilter, LocationTypeFilter};
use crate::read::Frag;
use crate::read::events::TimeWindow;
use crate::read::filter::FilterCx;
use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::scalar::IdFilter;

record_filter! {
    /// Conditions on providers. Every field given must hold.
    ProviderFilter for Providers,
        search: "Keywords: every word must start a word of the name, alternate name or description.",
        tagged through "provider_id"
    {
        /// By name.
        name: StringFilter = "name",
        /// Published or not.
        published: bool = "published",
        /// Flagged for review or not.
        flagged: bool = "flagged",
        /// By the organisation it belongs to.
        parent_provider_id: IdFilter = "parent_provider_id",
    }
}

impl FilterExtras for ProviderFilter {}

record_filter! {
    /// Conditions on venues. Every field given must hold.
    VenueFilter for Venues,
        search: "Keywords: every word must start a word of the name, city or postcode.",
        tagged through "venue_id"
    {
        /// By name.
        name: StringFilter = "name",
        /// By the organisation it belongs to.
        provider_id: IdFilter = "provider_id",
        /// By location type.
        location_type: LocationTypeFilter = "location_type",
        /// By town or city.
        city: StringFilter = "city",
        /// By postcode (as stored).
        postal_code: StringFilter = "postal_code",
        /// By country code.
        country: StringFilter = "country",
        /// Flagged for review or not.
        flagged: bool = "flagged",
    }
}

impl FilterExtras for VenueFilter {}

record_filter! {
    /// Conditions on contacts. Every field given must hold.
    ContactFilter for Contacts {
        /// By name.
        name: StringFilter = "name",
        /// By email address.
        email: StringFilter = "email",
        /// By the provider it is for.
        provider_id: IdFilter = "provider_id",
        /// By the service it is for.
        service_id: IdFilter = "service_id",
        /// By the venue it is for.
        venue_id: IdFilter = "venue_id",
        /// Flagged for review or not.
        flagged: bool = "flagged",
    }
}
impl FilterExtras for ContactFilter {}

record_filter! {
    /// Conditions on eligibilities. Every field given must hold.
    EligibilityFilter for Eligibilities {
        /// By description.
        description: StringFilter = "description",
        /// By the youngest age eligible.
        minimum_age: IntFilter = "minimum_age",
        /// By the oldest age eligible.
        maximum_age: IntFilter = "maximum_age",
    }
}
impl FilterExtras for EligibilityFilter {}

record_filter! {
    /// Conditions on cost options. Every field given must hold.
    CostOptionFilter for CostOptions {
        /// By service.
        service_id: IdFilter = "service_id",
        /// By the cost in words.
        option: StringFilter = "option",
        /// By amount.
        amount: AmountFilter = "amount",
        /// By currency code.
        currency: StringFilter = "currency",
        /// By first day of validity.
        valid_from: DateFilter = "valid_from",
        /// By last day of validity.
        valid_to: DateFilter = "valid_to",
    }
}
impl FilterExtras for CostOptionFilter {}

/// A time window.
#[derive(InputObject, Serialize, Clone, Copy, Debug)]
pub struct BetweenFilter {
    /// Start of the window.
    pub from: DateTime<Utc>,
    /// End of the window.
    pub to: DateTime<Utc>,
}

impl BetweenFilter {
    pub fn checked(&self, path: &str) -> ApiResult<TimeWindow> {
        if self.from > self.to {
            return Err(AppError::bad_input(
                &format!("{path}.to"),
                "must not be before from",
            ));
        }
        Ok(TimeWindow {
            from: self.from,
            to: self.to,
        })
    }
}

record_filter! {
    /// Conditions on events. Every field given must hold.
    EventFilter for Events, tagged through "event_id" {
        /// By title.
        title: StringFilter = "title",
        /// Events whose time span, or one occurrence of their recurrence rule, overlaps
        /// this window. Top level only.
        between: BetweenFilter,
        /// By start (of the first occurrence).
        starts_at: DateTimeFilter = "starts_at",
        /// By end (of the first occurrence).
        ends_at: DateTimeFilter = "ends_at",
        /// By how people attend.
        attending_type: AttendingTypeFilter = "attending_type",
        /// By service.
        service_id: IdFilter = "service_id",
        /// By venue.
        venue_id: IdFilter = "venue_id",
        /// By provider.
        provider_id: IdFilter = "provider_id",
        /// Flagged for review or not.
        flagged: bool = "flagged",
    }
}

impl FilterExtras for EventFilter {
    fn extra(&self, _: &FilterCx, path: &str, top: bool, _: &mut Vec<Frag>) -> ApiResult<()> {
        top_level_only(path, "between", self.between.is_some(), top)
    }
}

record_filter! {
    /// Conditions on taxonomies. Every field given must hold.
    TaxonomyFilter for Taxonomies {
        /// By name.
        name: StringFilter = "name",
    }
}
impl FilterExtras for TaxonomyFilter {}

record_filter! {
    /// Conditions on taxonomy terms. Every field given must hold.
    TaxonomyTermFilter for TaxonomyTerms {
        /// By name.
        name: StringFilter = "name",
        /// By code.
        code: StringFilter = "code",
        /// By taxonomy.
        taxonomy_id: IdFilter = "taxonomy_id",
        /// By broader term (`{isNull: true}` for top-level terms).
        parent_id: IdFilter = "parent_id",
    }
}
impl FilterExtras for TaxonomyTermFilter {}
