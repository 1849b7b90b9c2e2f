//! Service filters over the HSDS objects: open at a time (from schedules), a
//! language spoken, accessibility at a venue, a service area covering a place. The
//! first three are correlated `EXISTS` on the child table's parent index, so a page
//! checks only the rows it returns. Neither database here can test a point against
//! GeoJSON (the bundled SQLite has no spatial functions, and PostGIS is not
//! assumed), so service areas are tested in Rust beforehand
//! ([`services_covering`]) and the filter is the list of services found
//! ([`services_among`]), bound as one JSON parameter whatever its length.
//!
//! Opening hours are evaluated in SQL from the schedule's recurrence parts for the
//! local date and time of the directory (Europe/London): the weekday (`byday` of a
//! WEEKLY rule), the day of the month or the nth weekday (MONTHLY), the validity
//! dates and `until`, `interval` (every nth week or month, counted from `dtstart`,
//! else `valid_from`, in weeks starting on Monday), and `opensAt`..`closesAt` —
//! across midnight when it closes before it opens. Not applied: `count`,
//! `dtstart`'s weekday for a WEEKLY rule without `byday` (taken as every day), and a
//! schedule's own `timezone`. A service is open when one of its own schedules or of its services
//! at venues says so; a service with no schedule is never "open".

use super::near::Point;
use super::sql::Frag;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Value};
use uuid::Uuid;

/// The time zone opening hours are written in.
const DIRECTORY_TZ: chrono_tz::Tz = chrono_tz::Europe::London;

const WEEKDAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// Services open at `at`.
pub fn open_at(at: DateTime<Utc>, backend: DatabaseBackend) -> Frag {
    let local = at.with_timezone(&DIRECTORY_TZ).naive_local();
    let (date, time) = (local.date(), local.format("%H:%M:%S").to_string());
    let yesterday = date - Duration::days(1);
    let mut frag = Frag::raw(
        "EXISTS (SELECT 1 FROM schedules oh WHERE oh.deleted_at IS NULL \
         AND (oh.service_id = services.id OR oh.service_venue_id IN (SELECT oh_sv.id \
         FROM service_venues oh_sv WHERE oh_sv.service_id = services.id \
         AND oh_sv.deleted_at IS NULL)) \
         AND oh.opens_at IS NOT NULL AND oh.closes_at IS NOT NULL AND ((",
    );
    frag.append(runs_on(date, backend));
    frag.push(" AND oh.opens_at <= ").push_value(time.clone());
    frag.push(" AND (oh.closes_at > ").push_value(time.clone());
    frag.push(" OR oh.closes_at < oh.opens_at)) OR (");
    frag.append(runs_on(yesterday, backend));
    frag.push(" AND oh.closes_at < oh.opens_at AND oh.closes_at > ")
        .push_value(time);
    frag.push(")))");
    frag
}

/// The schedule `oh` has an opening starting on `date`.
fn runs_on(date: NaiveDate, backend: DatabaseBackend) -> Frag {
    let weekday = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    let day = date.day();
    let nth = (day - 1) / 7 + 1;
    let last_week = date
        .checked_add_signed(Duration::days(7))
        .is_none_or(|later| later.month() != date.month());
    let listed = |column: &str, pattern: String| {
        Frag::bind(
            format!("(',' || REPLACE(oh.{column}, ' ', '') || ',') LIKE ?"),
            [Value::from(pattern)],
        )
    };
    let mut monthly_days = vec![
        listed("byday", format!("%,{weekday},%")),
        listed("byday", format!("%,{nth}{weekday},%")),
        listed("byday", format!("%,+{nth}{weekday},%")),
    ];
    if last_week {
        monthly_days.push(listed("byday", format!("%,-1{weekday},%")));
    }
    let mut frag = Frag::bind(
        "(oh.valid_from IS NULL OR oh.valid_from <= ?) AND (oh.valid_to IS NULL OR oh.valid_to >= ?) \
         AND (oh.until IS NULL OR oh.until >= ?) AND (oh.freq IS NULL \
         OR (oh.freq = 'WEEKLY' AND (oh.byday IS NULL OR ",
        [Value::from(date), Value::from(date), Value::from(date)],
    );
    frag.append(listed("byday", format!("%,{weekday},%")));
    frag.push(")) OR (oh.freq = 'MONTHLY' AND ((oh.bymonthday IS NOT NULL AND ");
    frag.append(listed("bymonthday", format!("%,{day},%")));
    frag.push(") OR (oh.byday IS NOT NULL AND ");
    frag.append(Frag::any(monthly_days));
    frag.push(")))) AND ");
    frag.append(in_interval(date, backend));
    frag
}

/// `date` falls in a week (WEEKLY) or month (MONTHLY) the schedule `oh` recurs in:
/// every one without an `interval` above 1, else every nth counted from its
/// anchor (`dtstart`, else `valid_from`; none: every one). The counts are integer
/// arithmetic on dates, written for each database.
fn in_interval(date: NaiveDate, backend: DatabaseBackend) -> Frag {
    let anchor = "COALESCE(oh.dtstart, oh.valid_from)";
    let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let months = i64::from(date.year()) * 12 + i64::from(date.month0());
    // Days from the Monday of the anchor's week to `monday`, and months from the
    // anchor's month to `date`'s.
    let (weeks, anchor_months) = match backend {
        DatabaseBackend::Postgres => (
            format!(
                "((CAST(? AS date) - {anchor} + (EXTRACT(ISODOW FROM {anchor})::int - 1)) / 7)"
            ),
            format!(
                "(EXTRACT(YEAR FROM {anchor})::int * 12 + EXTRACT(MONTH FROM {anchor})::int - 1)"
            ),
        ),
        _ => (
            format!(
                "(CAST(julianday(?) - julianday({anchor}) \
                 + ((CAST(strftime('%w', {anchor}) AS INTEGER) + 6) % 7) AS INTEGER) / 7)"
            ),
            format!(
                "(CAST(strftime('%Y', {anchor}) AS INTEGER) * 12 \
                 + CAST(strftime('%m', {anchor}) AS INTEGER) - 1)"
            ),
        ),
    };
    Frag::bind(
        format!(
            "(oh.interval IS NULL OR oh.interval <= 1 OR {anchor} IS NULL \
             OR (oh.freq = 'WEEKLY' AND {weeks} % oh.interval = 0) \
             OR (oh.freq = 'MONTHLY' AND (? - {anchor_months}) % oh.interval = 0))"
        ),
        [Value::from(monday), Value::from(months)],
    )
}

/// Services that work in `language` (its name or ISO 639 code, any case): a
/// language of the service or of one of its venues.
pub fn speaks(language: &str) -> Frag {
    let wanted = Value::from(language.trim().to_lowercase());
    Frag::bind(
        "EXISTS (SELECT 1 FROM languages lg WHERE lg.deleted_at IS NULL \
         AND (lg.service_id = services.id OR lg.venue_id IN (SELECT lg_sv.venue_id \
         FROM service_venues lg_sv WHERE lg_sv.service_id = services.id \
         AND lg_sv.deleted_at IS NULL)) AND (LOWER(lg.code) = ? OR LOWER(lg.name) = ?))",
        [wanted.clone(), wanted],
    )
}

/// Services at a venue whose accessibility records mention `text` (any case).
pub fn accessible(text: &str) -> Frag {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = Value::from(format!("%{escaped}%"));
    Frag::bind(
        "EXISTS (SELECT 1 FROM service_venues ac_sv JOIN accessibility ac \
         ON ac.venue_id = ac_sv.venue_id WHERE ac_sv.service_id = services.id \
         AND ac_sv.deleted_at IS NULL AND ac.deleted_at IS NULL \
         AND (LOWER(COALESCE(ac.description, '')) LIKE ? ESCAPE '\\' \
         OR LOWER(COALESCE(ac.details, '')) LIKE ? ESCAPE '\\'))",
        [pattern.clone(), pattern],
    )
}

/// The services with a live GeoJSON service area that covers `point` (its
/// boundary included). Extents that do not parse as GeoJSON cover nothing (the
/// import and the mutations refuse them; older rows may hold anything).
pub async fn services_covering(
    db: &impl ConnectionTrait,
    point: Point,
) -> Result<Vec<Uuid>, DbErr> {
    let sql = Frag::raw(
        "SELECT service_id, extent FROM service_areas WHERE deleted_at IS NULL \
         AND LOWER(extent_type) = 'geojson' AND extent IS NOT NULL",
    );
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    let mut services = Vec::new();
    for row in rows {
        let extent: String = row.try_get("", "extent")?;
        if crate::hsds::extent::covers(&extent, point.longitude, point.latitude) {
            services.push(row.try_get::<Uuid>("", "service_id")?);
        }
    }
    services.sort_unstable();
    services.dedup();
    Ok(services)
}

/// Services among `ids`: one JSON array parameter (any length), unpacked by the
/// database.
pub fn services_among(backend: DatabaseBackend, ids: &[Uuid]) -> Frag {
    if ids.is_empty() {
        return Frag::raw("1 = 0");
    }
    let json = serde_json::Value::from(ids.iter().map(Uuid::to_string).collect::<Vec<_>>());
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "services.id IN (SELECT CAST(value AS uuid) FROM json_array_elements_text(CAST(? AS json)))"
        }
        // SQLite keeps UUIDs as their 16 bytes.
        _ => "services.id IN (SELECT unhex(REPLACE(value, '-', '')) FROM json_each(?))",
    };
    Frag::bind(sql, [Value::from(json.to_string())])
}
