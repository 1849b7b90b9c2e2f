//! HAWK for machine clients (data pipelines), interoperable with Python `mohawk`.
//!
//! The MAC covers the method, the raw path and query as received, and the host and
//! port of `SIGNPOST_PUBLIC_URL` — what clients put in their URL, which behind a
//! proxy is not our bind address. The payload hash is required and checked against
//! the body received (content type normalised as mohawk does: before `;`, trimmed,
//! lower-case), timestamps may be off by the configured skew, and a nonce seen
//! before is refused through the `hawk_nonces` table, so a replay is refused by
//! every replica. Responses are signed (`Server-Authorization`) over the exact
//! bytes sent.

use super::AuthFailure;
use crate::read::Viewer;
use crate::read::viewer::Role;
use ::hawk::{DigestAlgorithm, Header, Key, PayloadHasher, RequestBuilder};
use entities::hawk_nonces;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// One machine client, as configured.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HawkClientSetting {
    pub key: SecretString,
    /// `read`, `export`, `admin`, `*`, or a compatibility route's name.
    #[serde(default)]
    pub scopes: Vec<String>,
}

struct Client {
    key: Key,
    scopes: Vec<String>,
}

/// A verified HAWK request: who, and what the response signature needs.
pub struct Verified {
    pub viewer: Viewer,
    /// The client's scopes, for routes that accept their own (the compatibility
    /// routes' `table-data`, `table-structure`).
    pub scopes: Vec<String>,
    pub client_id: String,
    pub header: Header,
}

/// The configured clients and where they sign for.
pub struct HawkVerifier {
    clients: HashMap<String, Client>,
    host: String,
    port: u16,
    skew: Duration,
    checks: AtomicU64,
}

/// Purge expired nonces on every this many verifications (per process).
const PURGE_EVERY: u64 = 128;

impl HawkVerifier {
    pub fn new(
        clients: &HashMap<String, HawkClientSetting>,
        host: String,
        port: u16,
        skew: Duration,
    ) -> anyhow::Result<Self> {
        let mut built = HashMap::new();
        for (id, setting) in clients {
            let key = Key::new(
                setting.key.expose_secret().as_bytes(),
                DigestAlgorithm::Sha256,
            )
            .map_err(|e| anyhow::anyhow!("SIGNPOST_HAWK_CLIENTS: key of {id:?}: {e}"))?;
            built.insert(
                id.clone(),
                Client {
                    key,
                    scopes: setting.scopes.clone(),
                },
            );
        }
        Ok(Self {
            clients: built,
            host,
            port,
            skew,
            checks: AtomicU64::new(0),
        })
    }

    /// Checks a request signed with `authorization` (without the `Hawk ` prefix).
    pub async fn verify(
        &self,
        db: &DatabaseConnection,
        authorization: &str,
        method: &str,
        path_and_query: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Verified, AuthFailure> {
        let header = Header::from_str(authorization)
            .map_err(|e| AuthFailure::new(format!("malformed HAWK header: {e}")))?;
        let id = header
            .id
            .clone()
            .ok_or_else(|| AuthFailure::new("HAWK header without id"))?;
        let client = self
            .clients
            .get(&id)
            .ok_or_else(|| AuthFailure::new(format!("unknown HAWK client {id:?}")))?;
        if header.hash.is_none() {
            return Err(AuthFailure::new("HAWK header without a payload hash"));
        }
        let hash = payload_hash(content_type, body)?;
        let request = RequestBuilder::new(method, &self.host, self.port, path_and_query)
            .hash(&hash[..])
            .request();
        if !request.validate_header(&header, &client.key, self.skew) {
            return Err(AuthFailure::new(format!(
                "HAWK signature of {id:?} does not verify (MAC, payload hash, host or timestamp)"
            )));
        }
        self.remember_nonce(db, &id, &header).await?;
        Ok(Verified {
            viewer: Viewer {
                role: role_of(&client.scopes),
                subject: Some(format!("hawk:{id}")),
            },
            scopes: client.scopes.clone(),
            client_id: id,
            header,
        })
    }

    /// The `Server-Authorization` value for a response to a verified request.
    pub fn sign_response(
        &self,
        verified: &Verified,
        method: &str,
        path_and_query: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<String, AuthFailure> {
        let client = self
            .clients
            .get(&verified.client_id)
            .ok_or_else(|| AuthFailure::new("HAWK client vanished"))?;
        let hash = payload_hash(content_type, body)?;
        let request = RequestBuilder::new(method, &self.host, self.port, path_and_query).request();
        let header = request
            .make_response_builder(&verified.header)
            .hash(&hash[..])
            .response()
            .make_header(&client.key)
            .map_err(|e| AuthFailure::new(format!("cannot sign the response: {e}")))?;
        Ok(format!("Hawk {header}"))
    }

    /// Refuses a nonce this client used before (within the skew window); the primary
    /// key on (client, nonce) makes the check hold across replicas.
    async fn remember_nonce(
        &self,
        db: &DatabaseConnection,
        id: &str,
        header: &Header,
    ) -> Result<(), AuthFailure> {
        let nonce = header.nonce.clone().unwrap_or_default();
        let ts: chrono::DateTime<chrono::Utc> = header.ts.unwrap_or_else(SystemTime::now).into();
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PURGE_EVERY)
        {
            // Off the request's path: the purge is housekeeping, not a check.
            let horizon = chrono::Utc::now() - self.skew * 2;
            let db = db.clone();
            tokio::spawn(async move {
                if let Err(error) = hawk_nonces::Entity::delete_many()
                    .filter(hawk_nonces::Column::Ts.lt(horizon))
                    .exec(&db)
                    .await
                {
                    tracing::warn!(error = %error, "cannot purge old HAWK nonces");
                }
            });
        }
        let row = hawk_nonces::ActiveModel {
            client_id: Set(id.to_owned()),
            nonce: Set(nonce),
            ts: Set(ts),
        };
        match hawk_nonces::Entity::insert(row)
            .exec_without_returning(db)
            .await
        {
            Ok(_) => Ok(()),
            Err(error) if error.sql_err().is_some() => {
                Err(AuthFailure::new(format!("HAWK nonce of {id:?} replayed")))
            }
            Err(error) => Err(AuthFailure::new(format!(
                "cannot record a HAWK nonce: {error}"
            ))),
        }
    }
}

/// The payload hash of `body` as mohawk computes it (content type before `;`,
/// trimmed, lower-case).
pub fn payload_hash(content_type: Option<&str>, body: &[u8]) -> Result<Vec<u8>, AuthFailure> {
    let normalised = content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    PayloadHasher::hash(normalised.as_bytes(), DigestAlgorithm::Sha256, body)
        .map_err(|e| AuthFailure::new(format!("cannot hash the payload: {e}")))
}

/// The role a client's scopes give: `admin` or `*` > `export` > `read`; the
/// compatibility routes' own scopes give no GraphQL role.
pub fn role_of(scopes: &[String]) -> Role {
    scopes
        .iter()
        .filter_map(|scope| match scope.as_str() {
            "read" => Some(Role::Reader),
            "export" => Some(Role::Exporter),
            "admin" | "*" => Some(Role::Admin),
            _ => None,
        })
        .max()
        .unwrap_or(Role::Anonymous)
}
