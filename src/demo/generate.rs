//! Deterministic generation of demo records (ChaCha8 from a seed: the same seed
//! gives the same ids and values on every platform). The builders of single
//! records are in `records.rs`.

use super::catalogue::{ELIGIBILITIES, ORGANISATION_FORMS, SERVICE_KINDS, TAXONOMY};
use super::places::{QUARTERS, STREETS, TOWNS, Town, VENUE_KINDS};
use super::records::{tag, term};
use chrono::Duration;
use entities::enums::{LocationType, ServiceStatus};
use entities::{
    addresses, contacts, cost_options, eligibilities, events, phones, postcodes, providers,
    schedules, service_eligibilities, service_venues, services, taxonomies, taxonomy_refs,
    taxonomy_terms, venues,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::ActiveValue::Set;
use std::collections::HashSet;
use uuid::Uuid;

/// Records shared by every service: the taxonomy and the eligibility rules.
pub struct Shared {
    pub taxonomies: Vec<taxonomies::ActiveModel>,
    pub top_terms: Vec<taxonomy_terms::ActiveModel>,
    pub child_terms: Vec<taxonomy_terms::ActiveModel>,
    pub eligibilities: Vec<eligibilities::ActiveModel>,
}

/// A batch of services with everything that hangs off them.
#[derive(Default)]
pub struct Batch {
    pub providers: Vec<providers::ActiveModel>,
    pub services: Vec<services::ActiveModel>,
    pub venues: Vec<venues::ActiveModel>,
    pub service_venues: Vec<service_venues::ActiveModel>,
    pub contacts: Vec<contacts::ActiveModel>,
    pub cost_options: Vec<cost_options::ActiveModel>,
    pub service_eligibilities: Vec<service_eligibilities::ActiveModel>,
    pub events: Vec<events::ActiveModel>,
    pub taxonomy_refs: Vec<taxonomy_refs::ActiveModel>,
    pub addresses: Vec<addresses::ActiveModel>,
    pub phones: Vec<phones::ActiveModel>,
    pub schedules: Vec<schedules::ActiveModel>,
    pub postcodes: Vec<postcodes::ActiveModel>,
}

pub struct Generator {
    pub(super) rng: ChaCha8Rng,
    /// Milliseconds of the next UUID v7: a fixed start, so ids repeat for a seed.
    clock_ms: u64,
    towns_by_weight: Vec<usize>,
    /// Child term ids per top-level term, in catalogue order.
    terms: Vec<Vec<Uuid>>,
    pub(super) eligibility_ids: Vec<Uuid>,
    postcodes_seen: HashSet<String>,
}

/// 2026-01-01T00:00:00Z.
const EPOCH_MS: u64 = 1_767_225_600_000;

impl Generator {
    pub fn new(seed: u64) -> Self {
        let towns_by_weight = TOWNS
            .iter()
            .enumerate()
            .flat_map(|(index, town)| std::iter::repeat_n(index, town.weight as usize))
            .collect();
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            clock_ms: EPOCH_MS,
            towns_by_weight,
            terms: Vec::new(),
            eligibility_ids: Vec::new(),
            postcodes_seen: HashSet::new(),
        }
    }

    pub(super) fn id(&mut self) -> Uuid {
        self.clock_ms += 1;
        let random: [u8; 10] = self.rng.random();
        uuid::Builder::from_unix_timestamp_millis(self.clock_ms, &random).into_uuid()
    }

    pub(super) fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // Every list picked from is a non-empty constant.
        &items[self.rng.random_range(0..items.len())]
    }

    pub fn shared(&mut self) -> Shared {
        let taxonomy_id = self.id();
        let taxonomies = vec![taxonomies::ActiveModel {
            id: Set(taxonomy_id),
            name: Set("Category".into()),
            description: Set(Some("What a service helps with.".into())),
            uri: Set(Some("https://example.org/taxonomies/category".into())),
            version_label: Set(Some("1.0".into())),
            ..Default::default()
        }];
        let mut top_terms = Vec::new();
        let mut child_terms = Vec::new();
        for (top_index, (top_name, children)) in TAXONOMY.iter().enumerate() {
            let top_id = self.id();
            top_terms.push(term(
                top_id,
                taxonomy_id,
                None,
                format!("{}", top_index + 1),
                top_name,
            ));
            let mut ids = Vec::new();
            for (child_index, child_name) in children.iter().enumerate() {
                let child_id = self.id();
                let code = format!("{}.{}", top_index + 1, child_index + 1);
                child_terms.push(term(child_id, taxonomy_id, Some(top_id), code, child_name));
                ids.push(child_id);
            }
            self.terms.push(ids);
        }
        let eligibilities = ELIGIBILITIES
            .iter()
            .map(|(description, minimum_age, maximum_age)| {
                let id = self.id();
                self.eligibility_ids.push(id);
                eligibilities::ActiveModel {
                    id: Set(id),
                    description: Set((*description).into()),
                    minimum_age: Set(*minimum_age),
                    maximum_age: Set(*maximum_age),
                    ..Default::default()
                }
            })
            .collect();
        Shared {
            taxonomies,
            top_terms,
            child_terms,
            eligibilities,
        }
    }

    /// `services` services, grouped under new providers of one to nine services each.
    pub fn batch(&mut self, services: usize) -> Batch {
        let mut batch = Batch::default();
        let mut made = 0;
        while made < services {
            let count = self.rng.random_range(1..=9).min(services - made);
            self.provider(&mut batch, count);
            made += count;
        }
        batch
    }

    fn provider(&mut self, batch: &mut Batch, services: usize) {
        let town_index = self.towns_by_weight[self.rng.random_range(0..self.towns_by_weight.len())];
        let town = &TOWNS[town_index];
        let provider_id = self.id();
        let quarter = *self.pick(QUARTERS);
        let form = *self.pick(ORGANISATION_FORMS);
        let name = format!("{} {quarter} {form}", town.name);
        let slug = slug(&name);
        let parent = if self.chance(5) {
            batch.providers.first().and_then(|p| match &p.id {
                Set(id) => Some(*id),
                _ => None,
            })
        } else {
            None
        };
        batch.providers.push(providers::ActiveModel {
            id: Set(provider_id),
            name: Set(name.clone()),
            alternate_name: Set(None),
            description: Set(Some(format!(
                "{name} is a local charity working across {} and the wider {} area.",
                town.name, town.region
            ))),
            email: Set(Some(format!("hello@{slug}.example.org"))),
            website: Set(Some(format!("https://{slug}.example.org"))),
            logo: Set(None),
            parent_provider_id: Set(parent),
            published: Set(self.chance(95)),
            flagged: Set(self.chance(3)),
            ..Default::default()
        });
        batch
            .contacts
            .push(self.contact(Some(provider_id), None, &slug));
        let venue_count = if services > 4 { 2 } else { 1 };
        let venue_ids: Vec<Uuid> = (0..venue_count)
            .map(|_| self.venue(batch, provider_id, town))
            .collect();
        for _ in 0..services {
            self.service(batch, provider_id, &name, town, &venue_ids);
        }
    }

    fn venue(&mut self, batch: &mut Batch, provider_id: Uuid, town: &Town) -> Uuid {
        let id = self.id();
        let (latitude, longitude) = self.near(town);
        let postcode = self.postcode(town);
        let compact = postcode.replace(' ', "");
        if self.postcodes_seen.insert(compact.clone()) {
            batch.postcodes.push(postcodes::ActiveModel {
                postcode: Set(compact),
                latitude: Set(Some(latitude)),
                longitude: Set(Some(longitude)),
                terminated: Set(false),
                source_file: Set(Some("demo-data".into())),
                updated_at: Set(crate::stamp::now()),
            });
        }
        let kind = *self.pick(VENUE_KINDS);
        let quarter = *self.pick(QUARTERS);
        let street = format!("{} {}", self.rng.random_range(1..200), self.pick(STREETS));
        // The venue's main address (its own id), which feeds the venue's columns.
        batch.addresses.push(addresses::ActiveModel {
            id: Set(id),
            venue_id: Set(id),
            attention: Set(None),
            address_1: Set(Some(street.clone())),
            address_2: Set(None),
            city: Set(Some(town.name.into())),
            region: Set(Some(town.region.into())),
            state_province: Set(None),
            postal_code: Set(Some(postcode.clone())),
            country: Set("GB".into()),
            address_type: Set("physical".into()),
            ..Default::default()
        });
        batch.phones.push(self.phone(None, Some(id)));
        batch.venues.push(venues::ActiveModel {
            id: Set(id),
            provider_id: Set(Some(provider_id)),
            name: Set(format!("{quarter} {kind}")),
            description: Set(None),
            location_type: Set(LocationType::Physical),
            address_1: Set(Some(street)),
            address_2: Set(None),
            city: Set(Some(town.name.into())),
            region: Set(Some(town.region.into())),
            state_province: Set(None),
            postal_code: Set(Some(postcode)),
            country: Set("GB".into()),
            latitude: Set(Some(latitude)),
            longitude: Set(Some(longitude)),
            transportation: Set(Some("Bus stop outside; limited parking.".into())),
            accessibility: Set(Some(if self.chance(80) {
                "Step-free access and an accessible toilet.".into()
            } else {
                "Stairs to the first floor; no lift.".into()
            })),
            url: Set(None),
            flagged: Set(self.chance(2)),
            ..Default::default()
        });
        id
    }

    fn service(
        &mut self,
        batch: &mut Batch,
        provider_id: Uuid,
        provider_name: &str,
        town: &Town,
        venue_ids: &[Uuid],
    ) {
        let id = self.id();
        let kind_index = self.rng.random_range(0..SERVICE_KINDS.len());
        let kind = &SERVICE_KINDS[kind_index];
        let quarter = *self.pick(QUARTERS);
        let name = format!("{} {quarter} {}", town.name, kind.name);
        let status = match self.rng.random_range(0..100) {
            0..92 => ServiceStatus::Active,
            92..96 => ServiceStatus::TemporarilyClosed,
            96..98 => ServiceStatus::Inactive,
            _ => ServiceStatus::Defunct,
        };
        batch.services.push(services::ActiveModel {
            id: Set(id),
            provider_id: Set(provider_id),
            name: Set(name.clone()),
            alternate_name: Set(None),
            description: Set(Some(format!(
                "{} Run by {provider_name}.",
                kind.description
            ))),
            url: Set(Some(format!(
                "https://{}.example.org/services/{}",
                slug(provider_name),
                slug(kind.name)
            ))),
            email: Set(None),
            status: Set(status),
            fees_description: Set(None),
            application_process: Set(Some(if self.chance(50) {
                "Just turn up.".into()
            } else {
                "Phone or email to book a place.".into()
            })),
            wait_time: Set(None),
            minimum_age: Set(kind.ages.0),
            maximum_age: Set(kind.ages.1),
            assured_date: Set(Some(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
                    + Duration::days(self.rng.random_range(0..300)),
            )),
            published: Set(self.chance(90)),
            flagged: Set(self.chance(4)),
            ..Default::default()
        });
        let links = if venue_ids.len() > 1 && self.chance(30) {
            2
        } else {
            1
        };
        for venue_id in venue_ids.iter().take(links) {
            batch.service_venues.push(service_venues::ActiveModel {
                id: Set(self.id()),
                service_id: Set(id),
                venue_id: Set(*venue_id),
                description: Set(None),
                ..Default::default()
            });
        }
        batch
            .contacts
            .push(self.contact(None, Some(id), &slug(&name)));
        batch.phones.push(self.phone(Some(id), None));
        batch.schedules.push(self.schedule(id));
        batch
            .cost_options
            .push(self.cost_option(id, kind.paid_percent));
        if let Some(rule) = kind.eligibility {
            let eligibility_id = self.eligibility_ids[rule];
            batch
                .service_eligibilities
                .push(service_eligibilities::ActiveModel {
                    id: Set(self.id()),
                    service_id: Set(id),
                    eligibility_id: Set(eligibility_id),
                    ..Default::default()
                });
        }
        let (top, child) = kind.term;
        let term_id = self.terms[top][child];
        batch.taxonomy_refs.push(tag(self.id(), term_id, id));
        if self.chance(25) {
            let other_top = self.rng.random_range(0..self.terms.len());
            let candidates = &self.terms[other_top];
            let other = candidates[self.rng.random_range(0..candidates.len())];
            if other != term_id {
                batch.taxonomy_refs.push(tag(self.id(), other, id));
            }
        }
        if self.chance(25) {
            let event = self.event(id, venue_ids[0], kind.name);
            batch.events.push(event);
        }
    }

    /// A point within about 8 km of the town centre, denser near the middle.
    fn near(&mut self, town: &Town) -> (f64, f64) {
        let spread =
            |rng: &mut ChaCha8Rng| (rng.random::<f64>() + rng.random::<f64>() - 1.0) * 0.07;
        let latitude = town.latitude + spread(&mut self.rng);
        let longitude = town.longitude + spread(&mut self.rng) / town.latitude.to_radians().cos();
        (round6(latitude), round6(longitude))
    }

    /// A plausible (synthetic) postcode in the town's area, e.g. "LS12 4AB".
    fn postcode(&mut self, town: &Town) -> String {
        const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
        let district = self.rng.random_range(1..=20);
        let sector = self.rng.random_range(0..=9);
        let first = UNIT_LETTERS[self.rng.random_range(0..UNIT_LETTERS.len())] as char;
        let second = UNIT_LETTERS[self.rng.random_range(0..UNIT_LETTERS.len())] as char;
        format!("{}{district} {sector}{first}{second}", town.postcode_area)
    }
}

fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

pub(super) fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}
