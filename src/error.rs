//! One error type for everything a caller can be told, with one stable code per
//! situation, and one place each that turns it into an HTTP or a GraphQL answer.
//!
//! Every layer keeps its own error enum (repo, write, import, ingest, store, export)
//! because each knows things the others do not; `From` conversions here decide,
//! once, what each of them means to a caller. So a stale version is `CONFLICT`
//! whether a mutation or an import meets it, and a database that cannot be reached
//! is `DATABASE_UNAVAILABLE` wherever it happens. Resolvers and handlers return
//! [`ApiResult`] and use `?`.
//!
//! [`AppError`] deliberately does not implement `Display`: async-graphql turns any
//! `Display` error into a GraphQL error carrying its raw message and no code, and
//! that blanket conversion would win silently. Without `Display` the only way into a
//! GraphQL error is [`From<AppError>`] below, which sets `extensions.code` and logs
//! internal failures once (inside the request's span, so with its request id),
//! answering them as `INTERNAL` without details: driver messages can carry table
//! layouts or data.

use crate::repo::RepoError;
use crate::write::{FieldProblem, WriteError};
use async_graphql::ErrorExtensions;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::DbErr;
use serde::Serialize;
use std::fmt::Display;
use std::sync::Arc;

/// What resolvers, handlers and the plain functions behind them return.
pub type ApiResult<T> = Result<T, AppError>;

/// The stable error codes of the API (`extensions.code`), documented in `docs/api.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// An argument or field the caller can fix; the message names it.
    BadUserInput,
    /// An input with field problems, all listed in `extensions.errors`.
    ValidationFailed,
    NotFound,
    /// The request conflicts with the record as it is now: a stale `version`, a
    /// duplicate, a delete while live records still hang off it, a busy source.
    Conflict,
    Unauthenticated,
    Forbidden,
    /// A configured limit; `extensions.limit` names the setting.
    LimitExceeded,
    /// The document is not GraphQL.
    GraphqlParseFailed,
    /// The document does not fit the schema.
    GraphqlValidationFailed,
    /// No database connection could be had in time (the database is down or
    /// overloaded): try again later.
    DatabaseUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::ValidationFailed => "VALIDATION_FAILED",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::DatabaseUnavailable => "DATABASE_UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }

    /// The HTTP status of a request refused with this code as a whole.
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadUserInput
            | Self::ValidationFailed
            | Self::LimitExceeded
            | Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error on its way to a caller. Cheap to clone (async-graphql needs that).
#[derive(Clone, Debug)]
pub enum AppError {
    /// The caller can act on it: a code and a message naming what to fix.
    User { code: ErrorCode, message: String },
    /// A configured limit refused the request; `limit` is the setting's name as the
    /// README spells it (`maxPageSize`).
    Limit {
        limit: &'static str,
        message: String,
    },
    /// An input with problems in named fields, every one listed.
    Invalid(Vec<FieldProblem>),
    /// Ours: logged with its details where it is answered, answered without them.
    Internal(Arc<anyhow::Error>),
}

/// SQLSTATE of a statement PostgreSQL cancelled for its `statement_timeout`.
const STATEMENT_TIMEOUT: &str = "57014";

impl AppError {
    pub fn user(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::User {
            code,
            message: message.into(),
        }
    }

    /// `BAD_USER_INPUT` naming the argument or field at fault (`filter.near.radiusKm`).
    pub fn bad_input(field: &str, message: impl Display) -> Self {
        Self::user(ErrorCode::BadUserInput, format!("{field}: {message}"))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::user(ErrorCode::NotFound, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::user(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::user(ErrorCode::Conflict, message)
    }

    pub fn limit(limit: &'static str, message: impl Into<String>) -> Self {
        Self::Limit {
            limit,
            message: message.into(),
        }
    }

    /// `VALIDATION_FAILED` for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(error.into()))
    }

    /// An internal failure described in words.
    pub fn internal_msg(message: impl Display) -> Self {
        Self::internal(anyhow::anyhow!("{message}"))
    }

    pub fn unavailable() -> Self {
        Self::user(
            ErrorCode::DatabaseUnavailable,
            "the database is not available right now; try again shortly",
        )
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::User { code, .. } => *code,
            Self::Limit { .. } => ErrorCode::LimitExceeded,
            Self::Invalid(_) => ErrorCode::ValidationFailed,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a caller may see.
    pub fn public_message(&self) -> String {
        match self {
            Self::User { message, .. } | Self::Limit { message, .. } => message.clone(),
            Self::Invalid(problems) => {
                let summary = problems
                    .iter()
                    .map(|problem| format!("{}: {}", problem.field, problem.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                format!("the input is not valid: {summary}")
            }
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// Logs an internal failure with its details (once, where it is answered).
    fn log(&self) {
        match self {
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error")
            }
            Self::User {
                code: ErrorCode::DatabaseUnavailable,
                ..
            } => tracing::warn!("database unavailable"),
            _ => {}
        }
    }

    /// As a GraphQL error of the whole request (no field, no position).
    pub fn into_server_error(self) -> async_graphql::ServerError {
        async_graphql::Error::from(self).into_server_error(async_graphql::Pos::default())
    }

    /// The limit this error names, if it is one.
    pub fn limit_name(&self) -> Option<&'static str> {
        match self {
            Self::Limit { limit, .. } => Some(limit),
            _ => None,
        }
    }
}

/// A database error as a caller should hear it. Constraint violations were
/// classified by [`RepoError`]; what is left is availability, the statement
/// timeout (by SQLSTATE, not message text) or ours.
fn from_db(error: DbErr) -> AppError {
    if crate::db::is_unavailable(&error) {
        return AppError::unavailable();
    }
    if crate::db::sqlstate(&error).as_deref() == Some(STATEMENT_TIMEOUT) {
        return AppError::limit(
            "dbStatementTimeoutMs",
            "a database statement ran longer than the limit (dbStatementTimeoutMs)",
        );
    }
    AppError::internal(anyhow::anyhow!("database error: {error}"))
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        RepoError::from(error).into()
    }
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        let message = error.to_string();
        match error {
            RepoError::NotFound { .. } => Self::not_found(message),
            RepoError::Conflict { .. }
            | RepoError::Duplicate(_)
            | RepoError::HasLiveChildren { .. } => Self::conflict(message),
            RepoError::InvalidReference(_) | RepoError::Invalid(_) => {
                Self::invalid("input", message)
            }
            RepoError::Db(error) => from_db(error),
        }
    }
}

impl From<WriteError> for AppError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Invalid(problems) => Self::Invalid(problems),
            WriteError::Repo(error) => error.into(),
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(anyhow::anyhow!("object store: {error}"))
    }
}

impl From<crate::import::run::ImportError> for AppError {
    fn from(error: crate::import::run::ImportError) -> Self {
        use crate::import::run::ImportError;
        match error {
            ImportError::Usage(message) => Self::user(ErrorCode::BadUserInput, message),
            ImportError::Store(error) => error.into(),
            ImportError::Db(error) => error.into(),
            ImportError::Internal(message) => Self::internal_msg(message),
        }
    }
}

impl From<crate::ingest::IngestError> for AppError {
    fn from(error: crate::ingest::IngestError) -> Self {
        use crate::ingest::IngestError;
        match error {
            IngestError::Db(error) => error.into(),
            IngestError::Store(error) => error.into(),
            other => Self::internal_msg(other),
        }
    }
}

/// async-graphql's own errors reaching a resolver (`ctx.data` finding nothing) are
/// wiring mistakes of ours.
impl From<async_graphql::Error> for AppError {
    fn from(error: async_graphql::Error) -> Self {
        Self::internal_msg(error.message)
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        error.log();
        let code = error.code();
        let limit = error.limit_name();
        let problems = match &error {
            AppError::Invalid(problems) => Some(problems.clone()),
            _ => None,
        };
        async_graphql::Error::new(error.public_message()).extend_with(|_, extensions| {
            extensions.set("code", code.as_str());
            if let Some(limit) = limit {
                extensions.set("limit", limit);
            }
            if let Some(problems) = problems {
                let list = problems
                    .iter()
                    .map(|problem| {
                        let mut entry = async_graphql::indexmap::IndexMap::new();
                        entry.insert(
                            async_graphql::Name::new("field"),
                            async_graphql::Value::from(problem.field.clone()),
                        );
                        entry.insert(
                            async_graphql::Name::new("message"),
                            async_graphql::Value::from(problem.message.clone()),
                        );
                        async_graphql::Value::Object(entry)
                    })
                    .collect();
                extensions.set("errors", async_graphql::Value::List(list));
            }
        })
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: ErrorCode,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldProblem>,
}

/// Plain HTTP routes answer `{"error": {"code", "message"}}` with the code's status.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let code = self.code();
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.public_message(),
                limit: self.limit_name(),
                errors: match self {
                    Self::Invalid(problems) => problems,
                    _ => Vec::new(),
                },
            },
        };
        (code.status(), Json(body)).into_response()
    }
}
