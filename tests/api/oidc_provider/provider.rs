//! The state shared by every endpoint of a running provider (its users, settings,
//! key, the codes and refresh tokens it gave out, and grant counts), and how it
//! issues tokens. The handlers in the sibling modules all work on a [`Provider`].

use super::keys::{SigningKey, random_token};
use super::{ProviderSettings, TestUser};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a code may wait to be exchanged.
pub(super) const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// A code given out at sign-in, waiting to be exchanged.
pub(super) struct IssuedCode {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) code_challenge: String,
    pub(super) username: String,
    pub(super) scope: String,
    pub(super) nonce: Option<String>,
    pub(super) expires: Instant,
    pub(super) used: bool,
}

/// What a refresh token stands for.
pub(super) struct Grant {
    pub(super) client_id: String,
    pub(super) username: String,
    pub(super) scope: String,
}

pub(super) struct Provider {
    pub(super) issuer: String,
    pub(super) settings: ProviderSettings,
    pub(super) users: Vec<TestUser>,
    pub(super) key: &'static SigningKey,
    pub(super) codes: Mutex<HashMap<String, IssuedCode>>,
    pub(super) refresh_tokens: Mutex<HashMap<String, Grant>>,
    pub(super) grants: Mutex<HashMap<String, usize>>,
}

impl Provider {
    pub(super) fn count_grant(&self, grant_type: &str) {
        *self
            .grants
            .lock()
            .expect("grants")
            .entry(grant_type.to_owned())
            .or_default() += 1;
    }

    pub(super) fn user(&self, username: &str) -> Option<&TestUser> {
        self.users.iter().find(|user| user.username == username)
    }

    /// A redirect to the client's (checked) `to` with `pairs`, then `state` when
    /// there is one, then `iss` added to its query.
    pub(super) fn back_to_client(
        &self,
        mut to: url::Url,
        pairs: &[(&str, &str)],
        state: Option<&str>,
    ) -> Response {
        {
            let mut query = to.query_pairs_mut();
            query.extend_pairs(pairs);
            if let Some(state) = state {
                query.append_pair("state", state);
            }
            query.append_pair("iss", &self.issuer);
        }
        Redirect::to(to.as_str()).into_response()
    }

    /// The token response for `user`: access and ID tokens, and a new refresh token
    /// when the scope asks for offline access.
    pub(super) fn tokens(
        &self,
        user: &TestUser,
        client_id: &str,
        scope: &str,
        nonce: Option<&str>,
    ) -> Response {
        let now = chrono::Utc::now().timestamp();
        let lifetime = i64::try_from(self.settings.access_token_secs).unwrap_or(i64::MAX / 2);
        let access_token = self.key.sign(&json!({
            "iss": self.issuer,
            "sub": user.username,
            "aud": self.settings.audience,
            "iat": now,
            "exp": now + lifetime,
            "roles": user.roles,
            "scope": scope,
            "preferred_username": user.username,
            "client_id": client_id,
            "jti": random_token(),
        }));
        let mut id_claims = json!({
            "iss": self.issuer,
            "sub": user.username,
            "aud": client_id,
            "iat": now,
            "exp": now + lifetime,
            "preferred_username": user.username,
            "name": user.username,
        });
        if let Some(nonce) = nonce {
            id_claims["nonce"] = json!(nonce);
        }
        let mut body = json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.settings.access_token_secs,
            "id_token": self.key.sign(&id_claims),
            "scope": scope,
        });
        if scope.split_whitespace().any(|s| s == "offline_access") {
            let refresh_token = random_token();
            self.refresh_tokens.lock().expect("refresh tokens").insert(
                refresh_token.clone(),
                Grant {
                    client_id: client_id.to_owned(),
                    username: user.username.clone(),
                    scope: scope.to_owned(),
                },
            );
            body["refresh_token"] = json!(refresh_token);
        }
        (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            axum::Json(body),
        )
            .into_response()
    }
}
