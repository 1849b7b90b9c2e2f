//! Bearer tokens from the organisation's OAuth2/OIDC single sign-on.
//!
//! HS256 with a shared secret, or RS256/ES256 with public keys from a JWKS (a file,
//! or a URL fetched at start and again when a token names an unknown `kid`, at most
//! once a minute, so a rotated key is picked up without a restart and a flood of
//! made-up `kid`s cannot make us hammer the identity provider). Each key accepts
//! only its own algorithm: `alg: none` never verifies, and an HS256 token "signed"
//! with an RSA public key meets an RSA key that refuses HS256.

use super::AuthFailure;
use crate::read::viewer::Role;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// Where the verification keys come from.
#[derive(Clone, Debug)]
pub enum KeySource {
    Secret(SecretString),
    JwksFile(std::path::PathBuf),
    JwksUrl(String),
}

/// The JWT settings (see `Config`).
#[derive(Clone, Debug)]
pub struct JwtSettings {
    pub keys: KeySource,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub leeway_secs: u64,
    /// The claim naming the roles: an array of names or a space-separated string.
    pub role_claim: String,
    /// The least time between two JWKS fetches for an unknown `kid`.
    pub refetch_interval: Duration,
}

struct Jwks {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
    fetched: Instant,
}

/// Verifies bearer tokens.
pub struct JwtVerifier {
    settings: JwtSettings,
    jwks: RwLock<Jwks>,
    http: reqwest::Client,
}

/// What a verified token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub subject: Option<String>,
    pub role: Role,
}

impl JwtVerifier {
    /// A verifier; a JWKS source is read now, so a bad file or URL fails at start.
    pub async fn new(settings: JwtSettings) -> anyhow::Result<Self> {
        crate::install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let verifier = Self {
            settings,
            jwks: RwLock::new(Jwks {
                keys: HashMap::new(),
                fetched: Instant::now(),
            }),
            http,
        };
        if !matches!(verifier.settings.keys, KeySource::Secret(_)) {
            let keys = verifier.load_jwks().await?;
            *verifier.jwks.write().await = Jwks {
                keys,
                fetched: Instant::now(),
            };
        }
        Ok(verifier)
    }

    /// The claims of a valid token; why it is not valid otherwise (for the log only).
    pub async fn verify(&self, token: &str) -> Result<Claims, AuthFailure> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| AuthFailure::new(format!("malformed token: {e}")))?;
        let (key, algorithm) = match &self.settings.keys {
            KeySource::Secret(secret) => (
                DecodingKey::from_secret(secret.expose_secret().as_bytes()),
                Algorithm::HS256,
            ),
            _ => {
                let kid = header
                    .kid
                    .clone()
                    .ok_or_else(|| AuthFailure::new("token has no kid"))?;
                self.key(&kid).await?
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp"]);
        if let Some(issuer) = &self.settings.issuer {
            validation.set_issuer(&[issuer]);
        }
        match &self.settings.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let data = jsonwebtoken::decode::<HashMap<String, Value>>(token, &key, &validation)
            .map_err(|e| AuthFailure::new(format!("token refused: {e}")))?;
        let claims = data.claims;
        Ok(Claims {
            subject: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
            role: role_of(claims.get(&self.settings.role_claim)),
        })
    }

    /// The key for `kid`, fetching the JWKS again (at most once a minute) when unknown.
    async fn key(&self, kid: &str) -> Result<(DecodingKey, Algorithm), AuthFailure> {
        {
            let jwks = self.jwks.read().await;
            if let Some(found) = jwks.keys.get(kid) {
                return Ok(found.clone());
            }
            if jwks.fetched.elapsed() < self.settings.refetch_interval {
                return Err(AuthFailure::new(format!("unknown kid {kid:?}")));
            }
        }
        let mut jwks = self.jwks.write().await;
        // Another request may have refreshed while this one waited.
        if jwks.fetched.elapsed() >= self.settings.refetch_interval {
            jwks.fetched = Instant::now();
            match self.load_jwks().await {
                Ok(keys) => jwks.keys = keys,
                Err(error) => tracing::warn!(error = %error, "cannot refresh the JWKS"),
            }
        }
        jwks.keys
            .get(kid)
            .cloned()
            .ok_or_else(|| AuthFailure::new(format!("unknown kid {kid:?}")))
    }

    async fn load_jwks(&self) -> anyhow::Result<HashMap<String, (DecodingKey, Algorithm)>> {
        let text = match &self.settings.keys {
            KeySource::JwksFile(path) => std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("SIGNPOST_JWT_JWKS: cannot read {}: {e}", path.display())
            })?,
            KeySource::JwksUrl(url) => {
                self.http
                    .get(url)
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| anyhow::anyhow!("SIGNPOST_JWT_JWKS: cannot fetch {url}: {e}"))?
                    .text()
                    .await?
            }
            KeySource::Secret(_) => return Ok(HashMap::new()),
        };
        let set: JwkSet = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("SIGNPOST_JWT_JWKS: not a JWK set: {e}"))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(params)
                    if params.curve == EllipticCurve::P256 =>
                {
                    Algorithm::ES256
                }
                // Shared secrets do not belong in a published key set; other curves
                // and key types are not offered.
                _ => continue,
            };
            keys.insert(kid, (DecodingKey::from_jwk(jwk)?, algorithm));
        }
        anyhow::ensure!(
            !keys.is_empty(),
            "SIGNPOST_JWT_JWKS: no RS256 or ES256 key with a kid"
        );
        Ok(keys)
    }
}

/// The highest role named by the claim (`reader`, `exporter`, `admin`), as an array
/// of names or a space-separated string; none named means anonymous.
pub fn role_of(claim: Option<&Value>) -> Role {
    let names: Vec<&str> = match claim {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(text)) => text.split_whitespace().collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .filter_map(|name| match name {
            "reader" => Some(Role::Reader),
            "exporter" => Some(Role::Exporter),
            "admin" => Some(Role::Admin),
            _ => None,
        })
        .max()
        .unwrap_or(Role::Anonymous)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_highest_named_role_wins() {
        assert_eq!(role_of(Some(&json!(["reader", "admin"]))), Role::Admin);
        assert_eq!(role_of(Some(&json!("openid exporter"))), Role::Exporter);
        assert_eq!(role_of(Some(&json!(["editor"]))), Role::Anonymous);
        assert_eq!(role_of(None), Role::Anonymous);
    }
}
