//! The provider's RS256 signing key (one per test binary) with its public JWK, and
//! the random and hashed values of the flow: opaque tokens and PKCE S256 challenges.
//! Kept apart so the endpoints and the tests share one way of making each.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The provider's signing key and its public JWK.
pub(super) struct SigningKey {
    encoding: EncodingKey,
    pub(super) jwk: Value,
    kid: String,
}

impl SigningKey {
    /// `claims` as an RS256 JWT whose header names this key.
    pub(super) fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("sign a token")
    }
}

/// One RSA key per test binary: making a 2048-bit key unoptimised takes seconds.
pub(super) fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let kid = "test-idp-rs256".to_owned();
        let (encoding, jwk, _) = crate::auth_jwt::rs256_key(&kid);
        SigningKey { encoding, jwk, kid }
    })
}

/// 256 random bits, base64url.
pub(super) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The PKCE S256 `code_challenge` of `verifier`: base64url(SHA-256(verifier)).
pub(super) fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}
