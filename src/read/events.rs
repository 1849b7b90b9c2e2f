//! `between` for events: an event matches when its time span, or the span of one
//! occurrence of its RFC 5545 `rrule` (DTSTART = `starts_at`, each occurrence as
//! long as `ends_at - starts_at`), overlaps the window.
//!
//! SQL narrows the rows (a one-off event is decided there; a recurring one must
//! start before the window ends); occurrences are expanded here with the `rrule`
//! crate, and pages are refilled from the keyset until full, so page sizes and
//! cursors stay exact.

use super::page::{ListSpec, Page, Positioned, Take, Window, fetch_page};
use super::sql::Frag;
use crate::repo::events::{Entity, Model};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};

/// The time window of a `between` filter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Rows to scan per refill, as a multiple of the page size.
const SCAN_FACTOR: u64 = 4;

/// The SQL part: exact for one-off events, a superset for recurring ones.
pub fn prefilter(window: TimeWindow) -> Frag {
    Frag::bind(
        "events.starts_at IS NOT NULL AND events.starts_at <= ? \
         AND (events.rrule IS NOT NULL OR COALESCE(events.ends_at, events.starts_at) >= ?)",
        [Value::from(window.to), Value::from(window.from)],
    )
}

/// Whether `event`, which passed [`prefilter`], overlaps `window`.
pub fn overlaps(event: &Model, window: TimeWindow) -> bool {
    let (Some(rule), Some(start)) = (event.rrule.as_deref(), event.starts_at) else {
        return true;
    };
    let duration = event
        .ends_at
        .map(|end| end - start)
        .unwrap_or_default()
        .max(chrono::TimeDelta::zero());
    let Ok(set) = recurrence(rule, start) else {
        // An unreadable rule: the event is taken as its first occurrence alone.
        return start + duration >= window.from;
    };
    let tz = rrule::Tz::UTC;
    !set.after((window.from - duration).with_timezone(&tz))
        .before(window.to.with_timezone(&tz))
        .all(1)
        .dates
        .is_empty()
}

/// The occurrences of `rule` (an RFC 5545 RRULE, with or without its `RRULE:`
/// prefix) from `start`, or why the rule cannot be read.
pub fn recurrence(rule: &str, start: DateTime<Utc>) -> Result<rrule::RRuleSet, String> {
    let rule = rule.trim();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
    if rule.is_empty() || rule.contains(['\n', '\r']) {
        return Err("is not one RRULE line".into());
    }
    let text = format!("DTSTART:{}\nRRULE:{rule}", start.format("%Y%m%dT%H%M%SZ"));
    text.parse::<rrule::RRuleSet>()
        .map_err(|error| error.to_string())
}

/// A page of events in `spec` (which includes [`prefilter`]) that overlap `window`.
pub async fn fetch_page_between(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    page_window: &Window,
    time: TimeWindow,
) -> Result<Page<Positioned<Model>>, DbErr> {
    // The overlap test reads the event's times and rule, whatever was selected.
    let spec = &ListSpec {
        columns: super::Columns::ALL,
        ..spec.clone()
    };
    let (wanted, reversed) = page_window.limit();
    let batch = (wanted * SCAN_FACTOR).max(50);
    let mut scan = Window {
        take: if reversed {
            Take::Last(batch)
        } else {
            Take::First(batch)
        },
        ..page_window.clone()
    };
    let mut kept: Vec<Positioned<Model>> = Vec::new();
    loop {
        let page = fetch_page::<Entity>(db, spec, &scan).await?;
        let exhausted = if reversed {
            !page.has_previous
        } else {
            !page.has_next
        };
        let edge = if reversed {
            page.rows.first()
        } else {
            page.rows.last()
        };
        let next_cursor = edge.map(|row| row.cursor.clone());
        let mut rows = page.rows;
        if reversed {
            rows.reverse();
        }
        kept.extend(rows.into_iter().filter(|row| overlaps(&row.model, time)));
        if kept.len() as u64 >= wanted || exhausted {
            break;
        }
        match next_cursor {
            Some(cursor) if reversed => scan.before = Some(cursor),
            Some(cursor) => scan.after = Some(cursor),
            None => break,
        }
    }
    kept.truncate(wanted as usize);
    // `finish` expects the scan order of a `Last` page (furthest first).
    Ok(page_window.finish(kept))
}

/// How many events in `spec` overlap `window`.
pub async fn count_between(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    time: TimeWindow,
) -> Result<i64, DbErr> {
    let mut one_off = spec.clone();
    one_off.conditions.push(Frag::raw("events.rrule IS NULL"));
    let mut total = super::page::count::<Entity>(db, &one_off).await?;
    let mut sql = Frag::raw(format!(
        "SELECT {} FROM events WHERE ",
        super::select_columns::<Entity>("events")
    ));
    let conditions = spec
        .conditions
        .iter()
        .cloned()
        .chain([Frag::raw("events.rrule IS NOT NULL")]);
    sql.append(Frag::all(conditions));
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    for row in &rows {
        if overlaps(&Model::from_query_result(row, "")?, time) {
            total += 1;
        }
    }
    Ok(total)
}
