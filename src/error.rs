//! One error type at the boundary, with a stable code per kind of failure.
//!
//! Codes are the `extensions.code` values of api.md. Internal failures are logged
//! once, where they are turned into a response, and leave only "internal error" for
//! the caller: driver messages can carry table layouts or data.

use crate::repo::RepoError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The stable error codes of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadUserInput,
    ValidationFailed,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
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

    pub fn status(self) -> StatusCode {
        match self {
            Self::BadUserInput
            | Self::ValidationFailed
            | Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::LimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            Self::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error on its way to a caller.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    User { code: ErrorCode, message: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::User { code, .. } => *code,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a caller may see.
    pub fn public_message(&self) -> String {
        match self {
            Self::User { message, .. } => message.clone(),
            Self::Internal(_) => "internal error".into(),
        }
    }
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        let code = match &error {
            RepoError::NotFound { .. } => ErrorCode::NotFound,
            RepoError::Conflict { .. } | RepoError::Duplicate(_) => ErrorCode::Conflict,
            RepoError::HasLiveChildren { .. } => ErrorCode::Conflict,
            RepoError::InvalidReference(_) | RepoError::Invalid(_) => ErrorCode::ValidationFailed,
            RepoError::Db(db) => return Self::Internal(anyhow::anyhow!("database error: {db}")),
        };
        Self::User {
            code,
            message: error.to_string(),
        }
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
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        let code = self.code();
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.public_message(),
            },
        };
        (code.status(), Json(body)).into_response()
    }
}
