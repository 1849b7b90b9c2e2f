//! The directory as an HSDS 3.0 REST API (the Open Referral UK profile): each record
//! as the JSON object HSDS defines ([`object`]), lists as HSDS `Page`s ([`page`]),
//! and the routes' reads ([`read`] for what they share, [`taxonomy`],
//! [`organization`]). Nothing here knows HTTP; `src/http/hsds.rs`
//! maps requests onto these functions and their errors onto status codes.

pub mod filters;
pub mod modified;
pub mod object;
pub mod openapi;
pub mod organization;
pub mod page;
pub mod read;
pub mod service;
pub mod service_at_location;
pub mod taxonomy;
pub mod tree;

use serde_json::{Value, json};

/// The HSDS version served.
pub const VERSION: &str = "3.0";

/// The profile the API declares: Open Referral UK, the HSDS 3.0 profile UK
/// councils publish with.
pub const PROFILE: &str = "https://github.com/openreferral/uk-profile";

/// Why a request cannot be answered; each names what was wrong.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter that is not valid, with the parameter's name.
    #[error("{parameter}: {message}")]
    BadParameter { parameter: String, message: String },
    /// No record of that kind with that id (or none the caller may see).
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl ApiError {
    pub fn bad(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadParameter {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

/// The body of `GET /`: the version, the profile and where the OpenAPI document is.
pub fn about(openapi_url: &str) -> Value {
    json!({ "version": VERSION, "profile": PROFILE, "openapi_url": openapi_url })
}
