//! `Import`: one CSV import, its state, counts, errors, preview and progress.

use crate::graphql::enums::RecordType;
use async_graphql::{Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::imports::Model;

/// Where an import stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::ImportState")]
pub enum ImportState {
    /// The file is stored; checking has not begun.
    Uploaded,
    /// Every row is being checked.
    Validating,
    /// Checked without errors (a dry run ends here).
    Validated,
    /// Being written, in one transaction.
    Applying,
    /// Written.
    Completed,
    /// Refused (see `errors`) or interrupted; nothing was changed.
    Failed,
}

/// How an import treats records already there.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::ImportMode")]
pub enum ImportMode {
    /// Insert new ids, update existing ones.
    Upsert,
    /// Upsert, and delete the type's records the file does not name.
    Replace,
}

/// One problem found in a file: where, and what.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportProblem {
    /// The file inside a zip, when there is one.
    pub file: Option<String>,
    /// The line the row starts on (the header is line 1).
    pub row: Option<i64>,
    pub column: Option<String>,
    pub message: String,
}

fn problems(json: Option<&serde_json::Value>) -> Vec<ImportProblem> {
    json.and_then(serde_json::Value::as_array)
        .map(|list| {
            list.iter()
                .map(|item| ImportProblem {
                    file: item["file"].as_str().map(str::to_owned),
                    row: item["row"].as_i64(),
                    column: item["column"].as_str().map(str::to_owned),
                    message: item["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One CSV import (admins only).
pub struct Import(pub Model);

#[Object]
impl Import {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn record_type(&self) -> Option<RecordType> {
        self.0
            .record_type
            .as_deref()
            .and_then(crate::repo::RecordType::from_table)
            .map(Into::into)
    }

    async fn mode(&self) -> ImportMode {
        self.0.mode.into()
    }

    async fn state(&self) -> ImportState {
        self.0.state.into()
    }

    async fn dry_run(&self) -> bool {
        self.0.dry_run
    }

    async fn force(&self) -> bool {
        self.0.force
    }

    async fn strict(&self) -> bool {
        self.0.strict
    }

    async fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// Hex SHA-256 of the file.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }

    /// Rows in the file (known once checking has read it all).
    async fn rows_total(&self) -> i64 {
        self.0.rows_total
    }

    /// Rows of the current pass done (checking, then applying).
    async fn rows_done(&self) -> i64 {
        crate::import::progress::rows_done(self.0.id).map_or(self.0.rows_done, |done| done as i64)
    }

    async fn rows_inserted(&self) -> i64 {
        self.0.rows_inserted
    }

    async fn rows_updated(&self) -> i64 {
        self.0.rows_updated
    }

    async fn rows_deleted(&self) -> i64 {
        self.0.rows_deleted
    }

    async fn rows_rejected(&self) -> i64 {
        self.0.rows_rejected
    }

    /// Every error found (up to the configured cap), naming row and column.
    async fn errors(&self) -> Vec<ImportProblem> {
        problems(self.0.errors.as_ref())
    }

    /// Columns ignored, encodings guessed, files skipped.
    async fn warnings(&self) -> Vec<ImportProblem> {
        problems(self.0.warnings.as_ref())
    }

    /// Per file: rows, inserts, updates, unchanged, deletes and the first rows
    /// read (what a dry run would do).
    async fn preview(&self) -> Option<Json<&serde_json::Value>> {
        self.0.preview.as_ref().map(Json)
    }

    /// Who submitted it.
    async fn submitted_by(&self) -> Option<&str> {
        self.0.submitted_by.as_deref()
    }

    /// The import whose file this one re-applied (`restoreImport`).
    async fn restored_from(&self) -> Option<ID> {
        self.0.restored_from.map(|id| ID(id.to_string()))
    }

    /// The dry run this import applied (`confirmImport`).
    async fn confirms(&self) -> Option<ID> {
        self.0.confirms.map(|id| ID(id.to_string()))
    }

    /// The import that applied this dry run (`confirmImport`), if it has been
    /// confirmed.
    async fn confirmed_by(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::error::ApiResult<Option<ID>> {
        if !self.0.dry_run {
            return Ok(None);
        }
        let read = ctx.data::<crate::graphql::context::ReadContext>()?;
        let made = crate::import::confirm::confirmation(&read.db, self.0.id).await?;
        Ok(made.map(|import| ID(import.id.to_string())))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Data-flow's run for the records this import changed, when one is configured.
    async fn dataflow(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::error::ApiResult<Option<super::dataset::Dataflow>> {
        super::dataset::dataflow(ctx, self.0.id).await
    }
}
