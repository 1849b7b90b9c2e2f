//! `services.visible` and `venues.visible` written set-wise by an import on
//! PostgreSQL.
//!
//! A row trigger keeps the flag right on every write (docs/data-model.md), looking up
//! and locking each row's provider: for a bulk apply that is one lookup per row, the
//! largest single cost of writing 100,000 services. An import knows its rows at once,
//! so it does the same work in two statements: it locks the providers of the slice
//! (`FOR SHARE`, for the trigger's reason: a provider published or withdrawn at the
//! same moment either waits for the import or is read as committed), then computes
//! the flag by a join inside the `INSERT … SELECT` while the transaction-local
//! `signpost.visible_set` tells the trigger to stand aside (migration
//! `m20261206_000013_bulk_visibility`, `m20261206_000014_set_wise_venues`). The setting is switched off again right
//! after, so the import's other writes (REPLACE's tombstones) go through the trigger.
//!
//! The rules are the triggers': a service is published, live — every row an apply
//! writes is live — and its provider published and live; a venue is live and its
//! provider shown or a live link ties it to a visible service (the migration's
//! `signpost_venue_shown`). A column the file lacks keeps the stored value on
//! update and the column default on insert, as the apply does.

use super::stage::Stage;
use crate::repo::RecordType;

/// What the apply's statement adds to write `visible` itself.
pub struct SetWise {
    /// Joins after `FROM <stage> st`.
    pub joins: String,
    /// The flag of the row as written.
    pub flag: String,
    /// The statement that locks the providers of the rows `within` selects.
    pub lock: String,
}

/// Switches the trigger off (`true`) or back on for the rest of the transaction.
pub fn switch(on: bool) -> String {
    format!(
        "SELECT set_config('signpost.visible_set', '{}', true)",
        if on { "on" } else { "off" }
    )
}

/// The set-wise flag for a stage of services or venues on PostgreSQL; `None` for
/// any other stage, whose writes keep the triggers.
pub fn set_wise(stage: &Stage, within: &str) -> Option<SetWise> {
    let kind = stage.header.kind;
    if !stage.postgres || !matches!(kind, RecordType::Services | RecordType::Venues) {
        return None;
    }
    let names = stage.column_names();
    let has = |column: &str| names.contains(&column);
    let services = kind == RecordType::Services;
    // The stored row, for the columns the file does not write.
    let current = if has("provider_id") && (has("published") || !services) {
        String::new()
    } else {
        format!(" LEFT JOIN {} cur ON cur.id = st.id", kind.name())
    };
    let provider = if has("provider_id") {
        "st.provider_id"
    } else {
        "cur.provider_id"
    };
    let (joins, flag) = if services {
        let published = if has("published") {
            "st.published"
        } else {
            "COALESCE(cur.published, FALSE)"
        };
        (
            format!("{current} LEFT JOIN providers vp ON vp.id = {provider}"),
            format!("COALESCE({published} AND vp.published AND vp.deleted_at IS NULL, FALSE)"),
        )
    } else {
        // The venue rule is the migration's function (provider shown, or linked to
        // a visible service), inlined by the planner into the statement.
        (
            current.clone(),
            format!("signpost_venue_shown(st.id, {provider}, NULL)"),
        )
    };
    Some(SetWise {
        joins,
        flag,
        lock: format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM providers p WHERE p.id IN \
             (SELECT {provider} FROM {stage} st{current} WHERE {within}) FOR SHARE) locked",
            stage = stage.name(),
        ),
    })
}
