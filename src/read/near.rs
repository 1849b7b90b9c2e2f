//! Services near a point: a service's distance is that of its nearest linked live
//! venue. Venues are prefiltered by a bounding box on the `(latitude, longitude)`
//! index; the exact great-circle distance is computed here, in Rust, because the
//! bundled SQLite has no trigonometry, and doing it in one place gives both
//! databases the same distances, order and cursors.

use super::order::{Cursor, KeyKind, KeyValue, Ordering, SortTerm};
use super::page::{Page, Window};
use super::sql::Frag;
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::cmp::Ordering as CmpOrdering;
use std::collections::HashMap;
use uuid::Uuid;

/// Mean Earth radius (IUGG), kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A WGS84 position in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

impl Point {
    /// Great-circle (haversine) distance in kilometres.
    pub fn distance_km(self, other: Point) -> f64 {
        let (lat1, lat2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.longitude - self.longitude).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }

    /// (min latitude, max latitude, min longitude, max longitude) enclosing every
    /// point within `radius_km`.
    fn bounding_box(self, radius_km: f64) -> (f64, f64, f64, f64) {
        let dlat = (radius_km / EARTH_RADIUS_KM).to_degrees();
        let min_lat = (self.latitude - dlat).max(-90.0);
        let max_lat = (self.latitude + dlat).min(90.0);
        let widest = min_lat.abs().max(max_lat.abs()).to_radians().cos();
        if widest < 1e-6 || max_lat >= 90.0 || min_lat <= -90.0 {
            return (min_lat, max_lat, -180.0, 180.0);
        }
        let dlon = (radius_km / (EARTH_RADIUS_KM * widest)).to_degrees();
        (
            min_lat,
            max_lat,
            self.longitude - dlon,
            self.longitude + dlon,
        )
    }
}

/// Postcodes are stored upper-case without spaces; people type them any way.
pub fn normalise_postcode(postcode: &str) -> String {
    postcode
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The point of a live (not terminated) postcode, if it is known and located.
pub async fn postcode_point(
    db: &impl ConnectionTrait,
    postcode: &str,
) -> Result<Option<Point>, DbErr> {
    let sql = Frag::bind(
        "SELECT latitude, longitude FROM postcodes WHERE postcode = ? \
         AND terminated = FALSE AND latitude IS NOT NULL",
        [Value::from(normalise_postcode(postcode))],
    );
    let row = db
        .query_one_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    Ok(match row {
        Some(row) => Some(Point {
            latitude: row.try_get("", "latitude")?,
            longitude: row.try_get("", "longitude")?,
        }),
        None => None,
    })
}

/// The DISTANCE ordering: nearest first, then id.
pub fn distance_ordering() -> Ordering {
    Ordering {
        name: "DISTANCE".into(),
        terms: vec![SortTerm {
            expr: String::new(),
            descending: false,
            kind: KeyKind::Float,
        }],
        id_expr: "services.id".into(),
        id_descending: false,
    }
}

/// Every service matching `service_conditions` (over alias `services`) with a
/// linked venue within `radius_km` of `center`, nearest first, with its distance.
pub async fn services_within(
    db: &impl ConnectionTrait,
    center: Point,
    radius_km: f64,
    service_conditions: Vec<Frag>,
) -> Result<Vec<(Uuid, f64)>, DbErr> {
    let (min_lat, max_lat, min_lon, max_lon) = center.bounding_box(radius_km);
    let mut sql = Frag::raw(
        "SELECT link.service_id AS service_id, venues.latitude AS latitude, \
         venues.longitude AS longitude FROM service_venues link \
         JOIN venues ON venues.id = link.venue_id \
         JOIN services ON services.id = link.service_id WHERE ",
    );
    let mut conditions = vec![
        Frag::raw("link.deleted_at IS NULL AND venues.deleted_at IS NULL"),
        Frag::bind(
            "venues.latitude BETWEEN ? AND ? AND venues.longitude BETWEEN ? AND ?",
            [min_lat, max_lat, min_lon, max_lon].map(Value::from),
        ),
    ];
    conditions.extend(service_conditions);
    sql.append(Frag::all(conditions));
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    let mut nearest: HashMap<Uuid, f64> = HashMap::new();
    for row in &rows {
        let venue = Point {
            latitude: row.try_get("", "latitude")?,
            longitude: row.try_get("", "longitude")?,
        };
        let distance = center.distance_km(venue);
        if distance > radius_km {
            continue;
        }
        let service: Uuid = row.try_get("", "service_id")?;
        nearest
            .entry(service)
            .and_modify(|best| *best = best.min(distance))
            .or_insert(distance);
    }
    let mut ranked: Vec<(Uuid, f64)> = nearest.into_iter().collect();
    ranked.sort_by(compare);
    Ok(ranked)
}

fn compare(a: &(Uuid, f64), b: &(Uuid, f64)) -> CmpOrdering {
    a.1.total_cmp(&b.1).then(a.0.cmp(&b.0))
}

fn position(cursor: &Cursor) -> (Uuid, f64) {
    let distance = match cursor.keys.first() {
        Some(KeyValue::Float(distance)) => *distance,
        _ => f64::NAN,
    };
    (cursor.id, distance)
}

/// The window's page of an already ranked list, with cursors.
pub fn page_of(ranked: &[(Uuid, f64)], window: &Window) -> Page<(Uuid, f64, Cursor)> {
    let inside = ranked.iter().filter(|entry| {
        let after = window
            .after
            .as_ref()
            .is_none_or(|cursor| compare(entry, &position(cursor)) == CmpOrdering::Greater);
        let before = window
            .before
            .as_ref()
            .is_none_or(|cursor| compare(entry, &position(cursor)) == CmpOrdering::Less);
        after && before
    });
    let (limit, reversed) = window.limit();
    let picked: Vec<&(Uuid, f64)> = if reversed {
        let all: Vec<_> = inside.collect();
        all.into_iter().rev().take(limit as usize).collect()
    } else {
        inside.take(limit as usize).collect()
    };
    let rows = picked
        .into_iter()
        .map(|(id, distance)| {
            let cursor = Cursor {
                keys: vec![KeyValue::Float(*distance)],
                id: *id,
            };
            (*id, *distance, cursor)
        })
        .collect();
    window.finish(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_pairs() {
        let london = Point {
            latitude: 51.5074,
            longitude: -0.1278,
        };
        let paris = Point {
            latitude: 48.8566,
            longitude: 2.3522,
        };
        let km = london.distance_km(paris);
        assert!((km - 343.5).abs() < 1.0, "{km}");
        assert_eq!(london.distance_km(london), 0.0);
    }

    #[test]
    fn the_box_holds_the_circle() {
        let center = Point {
            latitude: 54.0,
            longitude: -2.0,
        };
        let (min_lat, max_lat, min_lon, max_lon) = center.bounding_box(10.0);
        for bearing in 0..360 {
            let b = f64::from(bearing).to_radians();
            let d = 10.0 / EARTH_RADIUS_KM;
            let lat1 = center.latitude.to_radians();
            let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
            let lon2 = center.longitude.to_radians()
                + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
            let (lat2, lon2) = (lat2.to_degrees(), lon2.to_degrees());
            assert!(lat2 >= min_lat - 1e-9 && lat2 <= max_lat + 1e-9);
            assert!(lon2 >= min_lon - 1e-9 && lon2 <= max_lon + 1e-9);
        }
    }

    #[test]
    fn postcodes_normalise() {
        assert_eq!(normalise_postcode(" sw1a 1aa "), "SW1A1AA");
    }

    #[test]
    fn pages_walk_both_ways() {
        let ranked: Vec<(Uuid, f64)> = (0..5).map(|i| (Uuid::from_u128(i), i as f64)).collect();
        let first = page_of(&ranked, &Window::first(2));
        assert_eq!(
            first.rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            [0.0, 1.0]
        );
        assert!(first.has_next);
        let last = page_of(
            &ranked,
            &Window {
                after: None,
                before: Some(first.rows[0].2.clone()),
                take: super::super::page::Take::Last(2),
            },
        );
        assert!(last.rows.is_empty());
    }
}
