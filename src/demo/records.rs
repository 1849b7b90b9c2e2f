//! Builders of single demo records: contacts, cost options, events, taxonomy
//! terms and references.

use super::catalogue::{FIRST_NAMES, SURNAMES};
use super::generate::Generator;
use chrono::{DateTime, Duration, TimeZone, Utc};
use entities::enums::AttendingType;
use entities::{contacts, cost_options, events, phones, schedules, taxonomy_refs, taxonomy_terms};
use rand::Rng;
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

impl Generator {
    /// A phone line of a service or a venue (01632 960xxx: Ofcom's drama range).
    pub(super) fn phone(
        &mut self,
        service_id: Option<Uuid>,
        venue_id: Option<Uuid>,
    ) -> phones::ActiveModel {
        phones::ActiveModel {
            id: Set(self.id()),
            service_id: Set(service_id),
            venue_id: Set(venue_id),
            number: Set(format!("01632 960{:03}", self.rng.random_range(0..1000))),
            r#type: Set(Some(
                if venue_id.is_some() { "voice" } else { "text" }.into(),
            )),
            description: Set(None),
            ..Default::default()
        }
    }

    /// Weekday opening hours of a service, most 9 to 5, some mornings only.
    pub(super) fn schedule(&mut self, service_id: Uuid) -> schedules::ActiveModel {
        let (days, closes) = if self.chance(70) {
            ("MO,TU,WE,TH,FR", "17:00")
        } else {
            ("TU,TH", "12:30")
        };
        schedules::ActiveModel {
            id: Set(self.id()),
            service_id: Set(Some(service_id)),
            freq: Set(Some("WEEKLY".into())),
            byday: Set(Some(days.into())),
            opens_at: Set(Some("09:00".into())),
            closes_at: Set(Some(closes.into())),
            description: Set(Some(format!("{days}: 09:00 to {closes}"))),
            ..Default::default()
        }
    }

    pub(super) fn contact(
        &mut self,
        provider_id: Option<Uuid>,
        service_id: Option<Uuid>,
        slug: &str,
    ) -> contacts::ActiveModel {
        let first = *self.pick(FIRST_NAMES);
        let last = *self.pick(SURNAMES);
        contacts::ActiveModel {
            id: Set(self.id()),
            provider_id: Set(provider_id),
            service_id: Set(service_id),
            venue_id: Set(None),
            name: Set(format!("{first} {last}")),
            title: Set(Some(
                if service_id.is_some() {
                    "Service coordinator"
                } else {
                    "Manager"
                }
                .into(),
            )),
            department: Set(None),
            email: Set(Some(format!(
                "{}.{}@{slug}.example.org",
                first.to_lowercase(),
                last.to_lowercase()
            ))),
            // 01632 960xxx is reserved by Ofcom for drama: never a real number.
            phone: Set(Some(format!(
                "01632 960{:03}",
                self.rng.random_range(0..1000)
            ))),
            url: Set(None),
            social_facebook: Set(None),
            social_twitter: Set(None),
            flagged: Set(false),
            ..Default::default()
        }
    }

    pub(super) fn cost_option(
        &mut self,
        service_id: Uuid,
        paid_percent: u32,
    ) -> cost_options::ActiveModel {
        let (option, amount) = if self.chance(paid_percent) {
            let pence = self.rng.random_range(2..40) * 50;
            let amount = Decimal::new(pence, 2);
            (format!("£{amount} per session"), amount)
        } else {
            ("Free".to_owned(), Decimal::ZERO)
        };
        cost_options::ActiveModel {
            id: Set(self.id()),
            service_id: Set(service_id),
            option: Set(option),
            amount: Set(Some(amount)),
            currency: Set("GBP".into()),
            amount_description: Set(None),
            valid_from: Set(None),
            valid_to: Set(None),
            ..Default::default()
        }
    }

    pub(super) fn event(
        &mut self,
        service_id: Uuid,
        venue_id: Uuid,
        kind: &str,
    ) -> events::ActiveModel {
        const DAYS: [&str; 5] = ["MO", "TU", "WE", "TH", "FR"];
        let day = self.rng.random_range(0..DAYS.len());
        let start =
            monday() + Duration::days(day as i64) + Duration::hours(self.rng.random_range(9..18));
        events::ActiveModel {
            id: Set(self.id()),
            service_id: Set(Some(service_id)),
            venue_id: Set(Some(venue_id)),
            provider_id: Set(None),
            title: Set(format!("Weekly {kind} session")),
            description: Set(None),
            starts_at: Set(Some(start)),
            ends_at: Set(Some(start + Duration::hours(2))),
            time_description: Set(Some("Every week during term time".into())),
            rrule: Set(Some(format!("FREQ=WEEKLY;BYDAY={}", DAYS[day]))),
            attending_type: Set(Some(if self.chance(85) {
                AttendingType::InPerson
            } else {
                AttendingType::Hybrid
            })),
            booking_url: Set(None),
            flagged: Set(false),
            ..Default::default()
        }
    }
}

pub(super) fn term(
    id: Uuid,
    taxonomy_id: Uuid,
    parent_id: Option<Uuid>,
    code: String,
    name: &str,
) -> taxonomy_terms::ActiveModel {
    taxonomy_terms::ActiveModel {
        id: Set(id),
        taxonomy_id: Set(taxonomy_id),
        parent_id: Set(parent_id),
        code: Set(Some(code)),
        name: Set(name.into()),
        description: Set(None),
        term_uri: Set(None),
        ..Default::default()
    }
}

pub(super) fn tag(id: Uuid, term_id: Uuid, service_id: Uuid) -> taxonomy_refs::ActiveModel {
    taxonomy_refs::ActiveModel {
        id: Set(id),
        taxonomy_term_id: Set(term_id),
        service_id: Set(Some(service_id)),
        provider_id: Set(None),
        venue_id: Set(None),
        event_id: Set(None),
        value: Set(None),
        label: Set(None),
        ..Default::default()
    }
}

/// Monday 2026-01-05, 00:00 UTC: the week demo events start in.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .unwrap_or_default()
}
