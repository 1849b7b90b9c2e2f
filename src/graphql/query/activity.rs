//! `activity`: imports and ingest runs per UTC day, every day of the window
//! present, for an admin console's chart (admins).

use crate::error::{ApiResult, AppError};
use crate::graphql::context::ReadContext;
use crate::read::Role;
use crate::read::activity::{self, DayActivity, MAX_DAYS};
use async_graphql::{Context, Object, SimpleObject};

/// What imports and ingest runs did on one UTC day.
#[derive(SimpleObject, Clone, Debug)]
pub struct ActivityDay {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Imports created that day that are now `COMPLETED`.
    pub imports_completed: i64,
    /// Imports created that day that are now `FAILED`.
    pub imports_failed: i64,
    /// Rows inserted, updated and deleted by that day's completed imports (dry
    /// runs, which change nothing, not counted).
    pub rows_imported: i64,
    /// Ingest runs started that day that ran to their end (`COMPLETED` or
    /// `COMPLETED_WITH_FAILURES`).
    pub ingest_runs_completed: i64,
    /// Ingest runs started that day that are now `FAILED`.
    pub ingest_runs_failed: i64,
    /// Files loaded by the runs started that day.
    pub files_loaded: i64,
}

impl From<DayActivity> for ActivityDay {
    fn from(day: DayActivity) -> Self {
        Self {
            day: day.day.format("%Y-%m-%d").to_string(),
            imports_completed: day.imports_completed,
            imports_failed: day.imports_failed,
            rows_imported: day.rows_imported,
            ingest_runs_completed: day.ingest_runs_completed,
            ingest_runs_failed: day.ingest_runs_failed,
            files_loaded: day.files_loaded,
        }
    }
}

/// Days shown when the caller does not say.
const DEFAULT_DAYS: i32 = 30;

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// One entry per UTC day for the last `days` days including today, oldest
    /// first, days without activity included with zeros (admins only).
    async fn activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(DEFAULT_DAYS)",
            desc = "How many days, 1 to 366 (default 30)."
        )]
        days: Option<i32>,
    ) -> ApiResult<Vec<ActivityDay>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see activity")?;
        let days = days.unwrap_or(DEFAULT_DAYS);
        let days = u32::try_from(days)
            .ok()
            .filter(|days| (1..=MAX_DAYS).contains(days))
            .ok_or_else(|| {
                AppError::bad_input("days", format!("must be 1 to {MAX_DAYS}, not {days}"))
            })?;
        crate::cache::reads::depends_on_clock();
        let today = chrono::Utc::now().date_naive();
        let days = activity::by_day(&read.db, today, days).await?;
        Ok(days.into_iter().map(ActivityDay::from).collect())
    }
}
