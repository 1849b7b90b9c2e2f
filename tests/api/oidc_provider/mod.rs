//! A small, real OpenID Connect provider for tests: the authorization code flow with
//! PKCE (S256) for a public client, refresh tokens that rotate, RS256 tokens and a
//! JWKS, on 127.0.0.1 at a random port. A browser-based admin console can sign in
//! through it; Signpost verifies its access tokens through `jwt_jwks`.
//!
//! The sign-in page offers one button per [`TestUser`] (no passwords). Codes are
//! single use and expire after a minute; an `offline_access` scope earns a refresh
//! token, which is replaced by a new one at each use. The tests ([`tests`]) drive the
//! flow over HTTP and send the tokens to a real Signpost server.
//!
//! This file holds the public API; the rest is split by concern:
//! [`provider`] (shared state and token issuing), [`keys`] (the signing key and
//! random values), [`endpoints`] (routes, discovery, JWKS, logout, HTML),
//! [`authorize`] (the sign-in page and codes) and [`token`] (the token endpoint).

mod authorize;
mod endpoints;
mod keys;
mod provider;
mod tests;
mod token;

use provider::Provider;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Someone who can sign in: the `sub` and `preferred_username` of their tokens, and
/// the `roles` claim of their access tokens.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub username: String,
    pub roles: Vec<String>,
}

impl TestUser {
    pub fn new(username: &str, roles: &[&str]) -> TestUser {
        TestUser {
            username: username.to_owned(),
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        }
    }
}

/// The one client the provider knows and what its tokens say.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    /// The public client (no secret) allowed to ask for codes and tokens.
    pub client_id: String,
    /// The `aud` of access tokens (what Signpost has as `jwt_audience`).
    pub audience: String,
    /// How long an access token (and an ID token) is valid.
    pub access_token_secs: u64,
    /// Every `redirect_uri` (and `post_logout_redirect_uri`) must start with this.
    pub redirect_uri_prefix: String,
}

impl Default for ProviderSettings {
    fn default() -> Self {
        ProviderSettings {
            client_id: "signpost-admin".into(),
            audience: "signpost".into(),
            access_token_secs: 300,
            redirect_uri_prefix: "http://127.0.0.1:".into(),
        }
    }
}

/// A running provider; its server stops when this is dropped.
pub struct OidcProvider {
    /// `http://127.0.0.1:PORT`, the `iss` of every token.
    pub issuer: String,
    state: Arc<Provider>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl OidcProvider {
    /// Starts a provider for `users` on a random port of 127.0.0.1.
    pub async fn start(users: Vec<TestUser>, settings: ProviderSettings) -> OidcProvider {
        let key = keys::signing_key();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the identity provider");
        let issuer = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Provider {
            issuer: issuer.clone(),
            settings,
            users,
            key,
            codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
            grants: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = endpoints::router(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        OidcProvider {
            issuer,
            state,
            stop: Some(stop),
        }
    }

    /// Where the public keys are (for Signpost's `jwt_jwks`).
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.issuer)
    }

    /// How many token requests of `grant_type` (`authorization_code`,
    /// `refresh_token`) succeeded.
    pub fn grants(&self, grant_type: &str) -> usize {
        self.state
            .grants
            .lock()
            .expect("grants")
            .get(grant_type)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
