//! GraphQL errors with the stable `extensions.code` of api.md.
//!
//! Internal failures are logged here, inside the request's span (so with its request
//! id), and reach the caller only as `INTERNAL` without details.

use crate::error::ErrorCode;
use crate::read::order::CursorError;
use async_graphql::{Error, ErrorExtensions};
use std::fmt::Display;

/// An error the caller caused and can fix.
pub fn user_error(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, extensions| extensions.set("code", code.as_str()))
}

/// `BAD_USER_INPUT` naming the argument or filter field at fault.
pub fn bad_input(field: &str, message: impl Display) -> Error {
    user_error(ErrorCode::BadUserInput, format!("{field}: {message}"))
}

/// A failure that is ours: logged with its details, returned without them.
pub fn internal(error: impl Display) -> Error {
    tracing::error!(error = %error, "internal error while resolving a GraphQL field");
    user_error(ErrorCode::Internal, "internal error")
}

/// Any database error. No connection to be had is `DATABASE_UNAVAILABLE` (the
/// HTTP layer answers 503). PostgreSQL cancelling a statement for its
/// `statement_timeout` (SQLSTATE 57014) is the caller's query being too heavy.
pub fn db(error: sea_orm::DbErr) -> Error {
    if crate::db::is_unavailable(&error) {
        tracing::warn!(%error, "database unavailable");
        return user_error(
            ErrorCode::DatabaseUnavailable,
            "the database is not available right now; try again shortly",
        );
    }
    if error.to_string().contains("statement timeout") {
        return user_error(
            ErrorCode::LimitExceeded,
            "a database statement ran longer than the limit (dbStatementTimeoutMs)",
        )
        .extend_with(|_, extensions| extensions.set("limit", "dbStatementTimeoutMs"));
    }
    internal(error)
}

pub fn cursor(argument: &str, error: CursorError) -> Error {
    bad_input(argument, error)
}
