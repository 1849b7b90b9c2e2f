//! HSDS schedules: RFC 5545 recurrence parts held in columns (`freq`, `byday`, …)
//! and opening times (`opens_at`, `closes_at`). The parts are checked by assembling
//! them into one RRULE and parsing it with the `rrule` crate, the same parser the
//! events feed uses, so what is stored is a rule a calendar client accepts.

use chrono::{NaiveDate, NaiveTime};

/// The recurrence columns of one schedule, as text.
#[derive(Clone, Debug, Default)]
pub struct Recurrence<'a> {
    pub freq: Option<&'a str>,
    pub interval: Option<i32>,
    pub count: Option<i32>,
    pub until: Option<NaiveDate>,
    pub wkst: Option<&'a str>,
    pub byday: Option<&'a str>,
    pub byweekno: Option<&'a str>,
    pub bymonthday: Option<&'a str>,
    pub byyearday: Option<&'a str>,
    /// Where the rule starts: `dtstart`, else `valid_from`.
    pub start: Option<NaiveDate>,
}

impl Recurrence<'_> {
    /// The RRULE the parts spell (`FREQ=WEEKLY;BYDAY=MO,TU`), or `None` without `freq`.
    pub fn rrule(&self) -> Option<String> {
        let freq = self.freq?.trim().to_ascii_uppercase();
        let mut parts = vec![format!("FREQ={freq}")];
        let mut push = |name: &str, value: Option<String>| {
            if let Some(value) = value.filter(|value| !value.trim().is_empty()) {
                parts.push(format!("{name}={}", value.trim().replace(' ', "")));
            }
        };
        push("INTERVAL", self.interval.map(|n| n.to_string()));
        push("COUNT", self.count.map(|n| n.to_string()));
        push(
            "UNTIL",
            self.until
                .map(|date| format!("{}T235959Z", date.format("%Y%m%d"))),
        );
        push("WKST", self.wkst.map(str::to_ascii_uppercase));
        push("BYDAY", self.byday.map(str::to_ascii_uppercase));
        push("BYWEEKNO", self.byweekno.map(str::to_owned));
        push("BYMONTHDAY", self.bymonthday.map(str::to_owned));
        push("BYYEARDAY", self.byyearday.map(str::to_owned));
        Some(parts.join(";"))
    }

    /// Why the parts are not one valid recurrence, naming the column to blame.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let Some(rule) = self.rrule() else {
            let stray = [
                ("byday", self.byday),
                ("byweekno", self.byweekno),
                ("bymonthday", self.bymonthday),
                ("byyearday", self.byyearday),
            ]
            .into_iter()
            .find(|(_, value)| value.is_some_and(|v| !v.trim().is_empty()));
            return match stray {
                Some((column, _)) => Err((column, "needs freq (WEEKLY or MONTHLY)".into())),
                None => Ok(()),
            };
        };
        let start = self
            .start
            .unwrap_or(NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default())
            .and_time(NaiveTime::MIN)
            .and_utc();
        crate::read::events::recurrence(&rule, start)
            .map(|_| ())
            .map_err(|reason| {
                (
                    blame(&rule, &reason),
                    format!("{rule:?} is not an RRULE: {reason}"),
                )
            })
    }
}

/// The column an `rrule` parse error is most likely about.
fn blame(rule: &str, reason: &str) -> &'static str {
    let reason = reason.to_ascii_uppercase();
    for (part, column) in [
        ("BYDAY", "byday"),
        ("BYWEEKNO", "byweekno"),
        ("BYMONTHDAY", "bymonthday"),
        ("BYYEARDAY", "byyearday"),
        ("INTERVAL", "interval"),
        ("UNTIL", "until"),
        ("COUNT", "count"),
        ("WKST", "wkst"),
    ] {
        if reason.contains(part) && rule.contains(part) {
            return column;
        }
    }
    "byday"
}

/// A time of day as HSDS writes it: `HH:MM` or `HH:MM:SS` (a trailing `Z` or
/// offset is accepted and ignored: the schedule's `timezone` says where).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    let local = text
        .find(['Z', 'z', '+'])
        .or_else(|| {
            text.get(5..)
                .and_then(|rest| rest.find('-').map(|at| at + 5))
        })
        .map_or(text, |at| &text[..at]);
    NaiveTime::parse_from_str(local, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(local, "%H:%M"))
        .ok()
}

/// Whether `opens_at`..`closes_at` is an opening: closing first is an overnight
/// opening (closes the next day), which only a recurring schedule can state.
pub fn check_hours(opens: NaiveTime, closes: NaiveTime, recurring: bool) -> Result<(), String> {
    if closes == opens {
        return Err("is the same time as opens_at".into());
    }
    if closes < opens && !recurring {
        return Err(format!(
            "{closes} is before opens_at ({opens}); an overnight opening needs a recurrence (freq)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_make_one_rule_or_name_the_bad_part() {
        let weekly = Recurrence {
            freq: Some("weekly"),
            byday: Some("MO, TU,WE"),
            ..Default::default()
        };
        assert_eq!(
            weekly.rrule().as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO,TU,WE")
        );
        assert!(weekly.check().is_ok());
        let bad = Recurrence {
            freq: Some("WEEKLY"),
            byday: Some("MONDAY"),
            ..Default::default()
        };
        assert_eq!(bad.check().map_err(|(column, _)| column), Err("byday"));
        let stray = Recurrence {
            byday: Some("MO"),
            ..Default::default()
        };
        assert_eq!(stray.check().map_err(|(column, _)| column), Err("byday"));
    }

    #[test]
    fn the_official_example_schedule() {
        let official = Recurrence {
            freq: Some("WEEKLY"),
            interval: Some(1),
            count: Some(3),
            until: chrono::NaiveDate::from_ymd_opt(2005, 1, 1),
            wkst: Some("TU"),
            byday: Some("TH,FR"),
            byweekno: Some("41,42"),
            bymonthday: Some("2,3,4"),
            byyearday: Some("2,3,4"),
            start: chrono::NaiveDate::from_ymd_opt(2005, 1, 1),
        };
        // RFC 5545 allows BYMONTHDAY, BYYEARDAY and BYWEEKNO with neither WEEKLY
        // nor COUNT with UNTIL: the example's rule is not one a calendar accepts.
        assert_eq!(
            official.check().map_err(|(column, _)| column),
            Err("bymonthday")
        );
        let repaired = Recurrence {
            count: None,
            byweekno: None,
            bymonthday: None,
            byyearday: None,
            ..official
        };
        assert!(repaired.check().is_ok(), "{:?}", repaired.check());
    }

    #[test]
    fn times_and_overnight_openings() {
        let nine = parse_time("09:00").unwrap_or_default();
        let five = parse_time("17:00:00").unwrap_or_default();
        assert_eq!(parse_time("09:00Z"), Some(nine));
        assert_eq!(parse_time("09:00:00+01:00"), Some(nine));
        assert_eq!(parse_time("9am"), None);
        assert!(check_hours(nine, five, false).is_ok());
        assert!(check_hours(five, nine, false).is_err());
        assert!(check_hours(five, nine, true).is_ok());
        assert!(check_hours(nine, nine, true).is_err());
    }
}
