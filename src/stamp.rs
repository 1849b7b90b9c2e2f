//! What every new row is stamped with: a time-ordered id and the server's time.
//!
//! Below every other module (the repositories, the object store, jobs) so that none
//! of them has to reach into another's module for a clock.

/// Server timestamps: UTC truncated to microseconds, the precision PostgreSQL keeps,
/// so a value reads back equal on both backends.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

/// A new time-ordered record id (UUID v7): ids sort by creation, so "newest first"
/// is an index walk on the primary key.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
