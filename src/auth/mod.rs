//! Who is calling: credentials in, a [`Viewer`] out, decided here for every route.
//!
//! No `Authorization` header means anonymous. A header that does not verify is a
//! failure the caller sees only as `UNAUTHENTICATED` (401): the reason is logged at
//! `info`, never sent, so a probe learns nothing about keys or clocks. Roles are
//! then enforced by the read side's visibility ([`crate::read::visibility`]) and by
//! the schema, with the viewer as per-request data.

pub mod hawk;
pub mod jwt;

use crate::config::Config;
use crate::read::Viewer;
use crate::read::viewer::Role;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use jwt::{JwtSettings, JwtVerifier, KeySource};

/// Why credentials were refused; for the log only.
#[derive(Debug)]
pub struct AuthFailure {
    pub reason: String,
}

impl AuthFailure {
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

/// The verifiers the configuration enables.
pub struct Auth {
    jwt: Option<JwtVerifier>,
    /// HAWK clients, when any is configured (checked by [`crate::http::hawk`]).
    pub hawk: Option<hawk::HawkVerifier>,
    /// The least role that may use introspection (`__schema`, `__type`).
    pub introspection_role: Role,
}

impl Auth {
    /// Builds the verifiers; a JWKS file or URL is read now, so a bad one stops start-up.
    pub async fn from_config(config: &Config) -> anyhow::Result<Self> {
        let keys = match (&config.jwt_secret, &config.jwt_jwks) {
            (Some(secret), None) => Some(KeySource::Secret(secret.clone())),
            (None, Some(jwks)) if jwks.starts_with("https://") || jwks.starts_with("http://") => {
                Some(KeySource::JwksUrl(jwks.clone()))
            }
            (None, Some(jwks)) => Some(KeySource::JwksFile(jwks.into())),
            (None, None) => None,
            (Some(_), Some(_)) => anyhow::bail!(
                "SIGNPOST_JWT_SECRET and SIGNPOST_JWT_JWKS are both set: choose HS256 or a key set"
            ),
        };
        let jwt = match keys {
            Some(keys) => Some(
                JwtVerifier::new(JwtSettings {
                    keys,
                    issuer: config.jwt_issuer.clone(),
                    audience: config.jwt_audience.clone(),
                    leeway_secs: config.jwt_leeway_secs,
                    role_claim: config.jwt_role_claim.clone(),
                    refetch_interval: std::time::Duration::from_secs(config.jwt_jwks_refetch_secs),
                })
                .await?,
            ),
            None => None,
        };
        let hawk = if config.hawk_clients.is_empty() {
            None
        } else {
            let (host, port) = config.public_host_port()?;
            Some(hawk::HawkVerifier::new(
                &config.hawk_clients,
                host,
                port,
                std::time::Duration::from_secs(config.hawk_skew_secs),
            )?)
        };
        Ok(Self {
            jwt,
            hawk,
            introspection_role: config.introspection_role,
        })
    }

    /// The caller of a request with these headers.
    pub async fn viewer(&self, headers: &HeaderMap) -> Result<Viewer, AuthFailure> {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Ok(Viewer::anonymous());
        };
        let text = value
            .to_str()
            .map_err(|_| AuthFailure::new("Authorization is not text"))?;
        let (scheme, credentials) = text.split_once(' ').unwrap_or((text, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            let verifier = self
                .jwt
                .as_ref()
                .ok_or_else(|| AuthFailure::new("bearer token, but no JWT key is configured"))?;
            let claims = verifier.verify(credentials.trim()).await?;
            return Ok(Viewer {
                role: claims.role,
                subject: claims.subject,
            });
        }
        // A HAWK request that reaches here was not verified by the HAWK layer.
        Err(AuthFailure::new(format!(
            "unsupported or unverified Authorization scheme {scheme:?}"
        )))
    }
}
