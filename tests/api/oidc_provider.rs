//! A small, real OpenID Connect provider for tests: the authorization code flow with
//! PKCE (S256) for a public client, refresh tokens that rotate, RS256 tokens and a
//! JWKS, on 127.0.0.1 at a random port. A browser-based admin console can sign in
//! through it; Signpost verifies its access tokens through `jwt_jwks`.
//!
//! The sign-in page offers one button per [`TestUser`] (no passwords). Codes are
//! single use and expire after a minute; an `offline_access` scope earns a refresh
//! token, which is replaced by a new one at each use. The tests below drive the flow
//! over HTTP and send the tokens to a real Signpost server.

use crate::helpers::{TestApp, spawn_app_with};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

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
        let key = signing_key();
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
        let app = router(state.clone());
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

/// The provider's signing key and its public JWK.
struct SigningKey {
    encoding: EncodingKey,
    jwk: Value,
    kid: String,
}

/// One RSA key per test binary: making a 2048-bit key unoptimised takes seconds.
fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let kid = "test-idp-rs256".to_owned();
        let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("rsa key");
        let public = private.to_public_key();
        let jwk = json!({
            "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        });
        let der = private.to_pkcs1_der().expect("der");
        SigningKey {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk,
            kid,
        }
    })
}

/// A code given out at sign-in, waiting to be exchanged.
struct IssuedCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    username: String,
    scope: String,
    nonce: Option<String>,
    expires: Instant,
    used: bool,
}

/// What a refresh token stands for.
struct Grant {
    client_id: String,
    username: String,
    scope: String,
}

struct Provider {
    issuer: String,
    settings: ProviderSettings,
    users: Vec<TestUser>,
    key: &'static SigningKey,
    codes: Mutex<HashMap<String, IssuedCode>>,
    refresh_tokens: Mutex<HashMap<String, Grant>>,
    grants: Mutex<HashMap<String, usize>>,
}

const CODE_LIFETIME: Duration = Duration::from_secs(60);

fn router(state: Arc<Provider>) -> Router {
    // Called by the browser from another origin: open to every origin.
    let cross_origin = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery).options(preflight),
        )
        .route("/jwks", get(jwks).options(preflight))
        .route("/token", axum::routing::post(token).options(preflight))
        .layer(axum::middleware::map_response(allow_any_origin));
    Router::new()
        .route("/authorize", get(authorize_page).post(authorize))
        .route("/logout", get(logout))
        .merge(cross_origin)
        .with_state(state)
}

async fn allow_any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "content-type, authorization",
            ),
            (header::ACCESS_CONTROL_MAX_AGE, "600"),
        ],
    )
        .into_response()
}

async fn discovery(State(provider): State<Arc<Provider>>) -> Response {
    let issuer = &provider.issuer;
    axum::Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "offline_access"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "nonce", "preferred_username", "name", "roles"],
    }))
    .into_response()
}

async fn jwks(State(provider): State<Arc<Provider>>) -> Response {
    axum::Json(json!({ "keys": [provider.key.jwk] })).into_response()
}

/// The parameters of an authorization request (query or form), and the user
/// chosen on the sign-in page.
#[derive(Deserialize, Default, Debug)]
struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
    user: Option<String>,
}

/// Why an authorization request is refused: on a page when the client or the
/// redirect URI cannot be trusted, otherwise back at the (checked) redirect URI.
enum Refusal {
    Page(String),
    Redirect {
        to: Box<url::Url>,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

impl Provider {
    /// The checked redirect URI of a well-formed request.
    fn check(&self, params: &AuthorizeParams) -> Result<url::Url, Refusal> {
        match params.client_id.as_deref() {
            None | Some("") => return Err(Refusal::Page("client_id is missing.".into())),
            Some(id) if id != self.settings.client_id => {
                return Err(Refusal::Page(format!("The client {id:?} is not known.")));
            }
            Some(_) => {}
        }
        let redirect_uri = match params.redirect_uri.as_deref() {
            None | Some("") => return Err(Refusal::Page("redirect_uri is missing.".into())),
            Some(uri) => uri,
        };
        let prefix = &self.settings.redirect_uri_prefix;
        let to = match url::Url::parse(redirect_uri) {
            Ok(to) if redirect_uri.starts_with(prefix.as_str()) => to,
            _ => {
                return Err(Refusal::Page(format!(
                    "The redirect_uri {redirect_uri:?} is not registered for this client \
                     (it must start with {prefix:?})."
                )));
            }
        };
        let refuse = |error, description: &str| {
            Err(Refusal::Redirect {
                to: Box::new(to.clone()),
                error,
                description: description.to_owned(),
                state: params.state.clone(),
            })
        };
        if params.response_type.as_deref() != Some("code") {
            return refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            );
        }
        if params
            .code_challenge
            .as_deref()
            .unwrap_or_default()
            .is_empty()
        {
            return refuse("invalid_request", "code_challenge is required (PKCE)");
        }
        if params.code_challenge_method.as_deref() != Some("S256") {
            return refuse("invalid_request", "code_challenge_method must be S256");
        }
        Ok(to)
    }

    fn refused(&self, refusal: Refusal) -> Response {
        match refusal {
            Refusal::Page(reason) => (
                StatusCode::BAD_REQUEST,
                Html(page(
                    "Sign-in request refused",
                    &format!(
                        "<p role=\"alert\">This sign-in request cannot be used: {}</p>",
                        escape(&reason)
                    ),
                )),
            )
                .into_response(),
            Refusal::Redirect {
                mut to,
                error,
                description,
                state,
            } => {
                {
                    let mut query = to.query_pairs_mut();
                    query
                        .append_pair("error", error)
                        .append_pair("error_description", &description);
                    if let Some(state) = &state {
                        query.append_pair("state", state);
                    }
                    query.append_pair("iss", &self.issuer);
                }
                Redirect::to(to.as_str()).into_response()
            }
        }
    }

    fn count_grant(&self, grant_type: &str) {
        *self
            .grants
            .lock()
            .expect("grants")
            .entry(grant_type.to_owned())
            .or_default() += 1;
    }

    fn user(&self, username: &str) -> Option<&TestUser> {
        self.users.iter().find(|user| user.username == username)
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key.encoding).expect("sign a token")
    }

    /// The token response for `user`: access and ID tokens, and a new refresh token
    /// when the scope asks for offline access.
    fn tokens(
        &self,
        user: &TestUser,
        client_id: &str,
        scope: &str,
        nonce: Option<&str>,
    ) -> Response {
        let now = chrono::Utc::now().timestamp();
        let lifetime = i64::try_from(self.settings.access_token_secs).unwrap_or(i64::MAX / 2);
        let access_token = self.sign(&json!({
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
            "id_token": self.sign(&id_claims),
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

async fn authorize_page(
    State(provider): State<Arc<Provider>>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    if let Err(refusal) = provider.check(&params) {
        return provider.refused(refusal);
    }
    let hidden: String = [
        ("response_type", &params.response_type),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("scope", &params.scope),
        ("state", &params.state),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
        ("nonce", &params.nonce),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.as_ref().map(|value| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape(value)
            )
        })
    })
    .collect();
    let buttons: String = provider
        .users
        .iter()
        .map(|user| {
            let name = escape(&user.username);
            format!(
                "<li><button type=\"submit\" name=\"user\" value=\"{name}\">Sign in as {name}</button></li>\n"
            )
        })
        .collect();
    let body = format!(
        "<p>Signing in to <strong>{client}</strong>. Choose who you are; this test \
         provider asks for no password.</p>\n\
         <form method=\"post\" action=\"/authorize\">\n{hidden}\
         <ul class=\"users\" aria-label=\"Test users\">\n{buttons}</ul>\n</form>",
        client = escape(&provider.settings.client_id),
    );
    Html(page("Sign in", &body)).into_response()
}

async fn authorize(State(provider): State<Arc<Provider>>, body: Bytes) -> Response {
    let params: AuthorizeParams = match authorize_form(&body) {
        Some(params) => params,
        None => {
            return provider.refused(Refusal::Page("the form cannot be read.".into()));
        }
    };
    let mut to = match provider.check(&params) {
        Ok(to) => to,
        Err(refusal) => return provider.refused(refusal),
    };
    let username = params.user.clone().unwrap_or_default();
    if provider.user(&username).is_none() {
        return provider.refused(Refusal::Page(format!(
            "there is no user called {username:?}."
        )));
    }
    let code = random_token();
    provider.codes.lock().expect("codes").insert(
        code.clone(),
        IssuedCode {
            client_id: params.client_id.clone().unwrap_or_default(),
            redirect_uri: params.redirect_uri.clone().unwrap_or_default(),
            code_challenge: params.code_challenge.clone().unwrap_or_default(),
            username,
            scope: params.scope.clone().unwrap_or_else(|| "openid".into()),
            nonce: params.nonce.clone().filter(|n| !n.is_empty()),
            expires: Instant::now() + CODE_LIFETIME,
            used: false,
        },
    );
    {
        let mut query = to.query_pairs_mut();
        query.append_pair("code", &code);
        if let Some(state) = &params.state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", &provider.issuer);
    }
    Redirect::to(to.as_str()).into_response()
}

/// The fields of a form body, or `None` when it cannot be read.
fn authorize_form(body: &[u8]) -> Option<AuthorizeParams> {
    let fields = form_fields(body);
    let value = serde_json::to_value(fields).ok()?;
    serde_json::from_value(value).ok()
}

/// The fields of an `application/x-www-form-urlencoded` body (the last of a repeated name).
fn form_fields(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

async fn token(State(provider): State<Arc<Provider>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return oauth_error(
            "invalid_request",
            "send the request as application/x-www-form-urlencoded",
        );
    }
    let fields = form_fields(&body);
    let field = |name: &str| {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    match field("client_id") {
        None => return oauth_error("invalid_request", "client_id is required"),
        Some(id) if id != provider.settings.client_id => {
            return oauth_error("invalid_client", "unknown client_id");
        }
        Some(_) => {}
    }
    let client_id = provider.settings.client_id.clone();
    match field("grant_type") {
        None => oauth_error("invalid_request", "grant_type is required"),
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri), Some(verifier)) =
                (field("code"), field("redirect_uri"), field("code_verifier"))
            else {
                return oauth_error(
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                );
            };
            if !(43..=128).contains(&verifier.len())
                || !verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            {
                return oauth_error(
                    "invalid_request",
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                );
            }
            let (username, scope, nonce) = {
                let mut codes = provider.codes.lock().expect("codes");
                let Some(issued) = codes.get_mut(code) else {
                    return oauth_error("invalid_grant", "unknown authorization code");
                };
                if issued.used {
                    return oauth_error("invalid_grant", "the authorization code was used already");
                }
                if issued.expires < Instant::now() {
                    return oauth_error("invalid_grant", "the authorization code has expired");
                }
                if issued.client_id != client_id {
                    return oauth_error("invalid_grant", "the code was issued to another client");
                }
                if issued.redirect_uri != redirect_uri {
                    return oauth_error(
                        "invalid_grant",
                        "redirect_uri differs from the authorization request's",
                    );
                }
                let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                if challenge != issued.code_challenge {
                    return oauth_error(
                        "invalid_grant",
                        "code_verifier does not match the code_challenge",
                    );
                }
                issued.used = true;
                (
                    issued.username.clone(),
                    issued.scope.clone(),
                    issued.nonce.clone(),
                )
            };
            let Some(user) = provider.user(&username) else {
                return oauth_error("invalid_grant", "the user is gone");
            };
            provider.count_grant("authorization_code");
            provider.tokens(user, &client_id, &scope, nonce.as_deref())
        }
        Some("refresh_token") => {
            let Some(refresh_token) = field("refresh_token") else {
                return oauth_error("invalid_request", "refresh_token is required");
            };
            let grant = {
                let mut tokens = provider.refresh_tokens.lock().expect("refresh tokens");
                match tokens.get(refresh_token) {
                    None => {
                        return oauth_error(
                            "invalid_grant",
                            "unknown, revoked or already used refresh token",
                        );
                    }
                    Some(grant) if grant.client_id != client_id => {
                        return oauth_error(
                            "invalid_grant",
                            "the refresh token was issued to another client",
                        );
                    }
                    // Rotation: a refresh token works once.
                    Some(_) => tokens.remove(refresh_token).expect("present"),
                }
            };
            let Some(user) = provider.user(&grant.username) else {
                return oauth_error("invalid_grant", "the user is gone");
            };
            provider.count_grant("refresh_token");
            provider.tokens(user, &client_id, &grant.scope, None)
        }
        Some(other) => oauth_error(
            "unsupported_grant_type",
            &format!("grant_type {other:?} is not supported"),
        ),
    }
}

#[derive(Deserialize)]
struct LogoutParams {
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

async fn logout(
    State(provider): State<Arc<Provider>>,
    Query(params): Query<LogoutParams>,
) -> Response {
    let prefix = provider.settings.redirect_uri_prefix.as_str();
    if let Some(uri) = params
        .post_logout_redirect_uri
        .as_deref()
        .filter(|uri| uri.starts_with(prefix))
        && let Ok(mut to) = url::Url::parse(uri)
    {
        if let Some(state) = &params.state {
            to.query_pairs_mut().append_pair("state", state);
        }
        return Redirect::to(to.as_str()).into_response();
    }
    Html(page(
        "Signed out",
        "<p>You have signed out of the test identity provider.</p>",
    ))
    .into_response()
}

/// A complete page titled "Test identity provider" with `heading` and `body`.
fn page(heading: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Test identity provider</title>\n</head>\n<body>\n<main>\n\
         <h1>{}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        escape(heading)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// 256 random bits, base64url.
fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

// ---------------------------------------------------------------------------------
// Tests of the provider, and of Signpost accepting its tokens.

const REDIRECT_URI: &str = "http://127.0.0.1:5173/admin/callback";

fn browser() -> reqwest::Client {
    signpost::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

fn users() -> Vec<TestUser> {
    vec![
        TestUser::new("ada", &["admin"]),
        TestUser::new("rita", &["reader"]),
    ]
}

/// A PKCE verifier and its S256 challenge.
fn pkce() -> (String, String) {
    let verifier = random_token();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn url_with(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(base).expect("url");
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The authorization request parameters of the admin console.
fn request_params<'a>(challenge: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "signpost-admin"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", scope),
        ("state", "st-123"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("nonce", "n-456"),
    ]
}

/// Signs `username` in as the sign-in page's form does; the code from the redirect.
async fn sign_in(
    client: &reqwest::Client,
    provider: &OidcProvider,
    username: &str,
    challenge: &str,
    scope: &str,
) -> String {
    let mut params = request_params(challenge, scope);
    params.push(("user", username));
    let response = client
        .post(format!("{}/authorize", provider.issuer))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&params))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 303, "sign-in answers with a redirect");
    let location = response.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    let back = url::Url::parse(&location).expect("location is a URL");
    let query: HashMap<String, String> = back.query_pairs().into_owned().collect();
    assert_eq!(query.get("state").map(String::as_str), Some("st-123"));
    assert_eq!(query.get("iss"), Some(&provider.issuer));
    assert!(
        location.contains(&format!(
            "iss={}",
            form(&[("x", &provider.issuer)]).trim_start_matches("x=")
        )),
        "iss is URL-encoded: {location}"
    );
    query.get("code").cloned().expect("a code")
}

/// POSTs `pairs` to the token endpoint: status, headers, JSON body.
async fn token_request(
    client: &reqwest::Client,
    provider: &OidcProvider,
    pairs: &[(&str, &str)],
) -> (u16, HeaderMap, Value) {
    let response = client
        .post(format!("{}/token", provider.issuer))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://127.0.0.1:5173")
        .body(form(pairs))
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.expect("JSON"))
}

async fn exchange(
    client: &reqwest::Client,
    provider: &OidcProvider,
    code: &str,
    verifier: &str,
) -> (u16, HeaderMap, Value) {
    token_request(
        client,
        provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", "signpost-admin"),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Verifies `token` against the provider's published JWKS.
async fn verified(
    client: &reqwest::Client,
    provider: &OidcProvider,
    token: &str,
    audience: &str,
) -> Value {
    let set: jsonwebtoken::jwk::JwkSet = client
        .get(provider.jwks_url())
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("a JWK set");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = set
        .find(header.kid.as_deref().expect("kid"))
        .expect("the kid is published");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&provider.issuer]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("a valid token")
    .claims
}

/// A Signpost server that trusts the provider's tokens.
async fn signpost_trusting(provider: &OidcProvider) -> TestApp {
    spawn_app_with(|config| {
        config.jwt_jwks = Some(provider.jwks_url());
        config.jwt_issuer = Some(provider.issuer.clone());
        config.jwt_audience = Some("signpost".into());
        config.jwt_secret = None;
    })
    .await
}

const ADMIN_QUERY: &str = "{ imports(first: 1) { nodes { id } } }";

/// POSTs [`ADMIN_QUERY`] with `access_token`; (status, body).
async fn imports_as(app: &TestApp, access_token: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {access_token}"))
        .json(&json!({ "query": ADMIN_QUERY }))
        .send()
        .await
        .expect("graphql");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let issuer = provider.issuer.clone();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let response = client
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .header("origin", "http://127.0.0.1:5173")
        .send()
        .await
        .expect("discovery");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let doc: Value = response.json().await.expect("JSON");
    assert_eq!(doc["issuer"], json!(issuer));
    assert_eq!(
        doc["authorization_endpoint"],
        json!(format!("{issuer}/authorize"))
    );
    assert_eq!(doc["token_endpoint"], json!(format!("{issuer}/token")));
    assert_eq!(doc["jwks_uri"], json!(provider.jwks_url()));
    assert_eq!(
        doc["end_session_endpoint"],
        json!(format!("{issuer}/logout"))
    );
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["scopes_supported"],
        json!(["openid", "profile", "offline_access"])
    );
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["none"])
    );

    let response = client.get(provider.jwks_url()).send().await.expect("jwks");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let set: Value = response.json().await.expect("JSON");
    let keys = set["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1, "{set}");
    for field in ["kty", "n", "e", "kid", "alg", "use"] {
        assert!(keys[0][field].is_string(), "{field} in {set}");
    }
    assert_eq!(
        (&keys[0]["kty"], &keys[0]["alg"], &keys[0]["use"]),
        (&json!("RSA"), &json!("RS256"), &json!("sig"))
    );
}

#[tokio::test]
async fn the_sign_in_page_lists_users_and_refuses_bad_requests() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let (_, challenge) = pkce();
    let authorize = format!("{}/authorize", provider.issuer);

    let response = client
        .get(url_with(&authorize, &request_params(&challenge, "openid")))
        .send()
        .await
        .expect("sign-in page");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("<title>Test identity provider</title>"),
        "{html}"
    );
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    assert!(
        html.contains(r#"<form method="post" action="/authorize">"#),
        "{html}"
    );
    for user in ["ada", "rita"] {
        assert!(
            html.contains(&format!(
                r#"<button type="submit" name="user" value="{user}">Sign in as {user}</button>"#
            )),
            "{user}: {html}"
        );
    }
    for (name, value) in request_params(&challenge, "openid") {
        assert!(
            html.contains(&format!(
                r#"<input type="hidden" name="{name}" value="{value}">"#
            )),
            "hidden {name}: {html}"
        );
    }

    // Never a redirect to an unchecked URI, nor for an unknown client.
    let bad = |name: &'static str, value: &'static str| {
        let mut params = request_params(&challenge, "openid");
        params.retain(|(n, _)| *n != name);
        params.push((name, value));
        url_with(&authorize, &params)
    };
    for (name, value, says) in [
        (
            "redirect_uri",
            "https://evil.example.org/cb",
            "redirect_uri",
        ),
        ("redirect_uri", "", "redirect_uri"),
        ("client_id", "someone-else", "client"),
    ] {
        let response = client.get(bad(name, value)).send().await.expect("refusal");
        assert_eq!(response.status(), 400, "{name}={value}");
        assert!(response.headers().get(header::LOCATION).is_none());
        let html = response.text().await.expect("html");
        assert!(html.contains(says), "{name}={value}: {html}");
        assert!(!html.contains("<form"), "{html}");
        // Posting the same is refused the same way, and issues no code.
        let mut params = request_params(&challenge, "openid");
        params.retain(|(n, _)| *n != name);
        params.extend([(name, value), ("user", "ada")]);
        let response = client
            .post(&authorize)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&params))
            .send()
            .await
            .expect("refusal");
        assert_eq!(response.status(), 400, "POST {name}={value}");
        assert!(response.headers().get(header::LOCATION).is_none());
    }
    // With a trusted redirect URI, other mistakes go back to the client as OAuth errors.
    for (name, value, error) in [
        ("code_challenge_method", "plain", "invalid_request"),
        ("code_challenge", "", "invalid_request"),
        ("response_type", "token", "unsupported_response_type"),
    ] {
        let response = client.get(bad(name, value)).send().await.expect("refusal");
        assert_eq!(response.status(), 303, "{name}={value}");
        let location = response.headers()[header::LOCATION]
            .to_str()
            .expect("location");
        let back = url::Url::parse(location).expect("url");
        let query: HashMap<String, String> = back.query_pairs().into_owned().collect();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        assert_eq!(
            query.get("error").map(String::as_str),
            Some(error),
            "{location}"
        );
        assert_eq!(query.get("state").map(String::as_str), Some("st-123"));
        assert!(!query.contains_key("code"), "{location}");
    }
    // An unknown user cannot sign in.
    let mut params = request_params(&challenge, "openid");
    params.push(("user", "mallory"));
    let response = client
        .post(&authorize)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&params))
        .send()
        .await
        .expect("refusal");
    assert_eq!(response.status(), 400);

    // Logout goes back only to a trusted URI.
    let logout = format!("{}/logout", provider.issuer);
    let response = client
        .get(url_with(
            &logout,
            &[("post_logout_redirect_uri", "http://127.0.0.1:5173/admin/")],
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()[header::LOCATION],
        "http://127.0.0.1:5173/admin/"
    );
    let response = client
        .get(url_with(
            &logout,
            &[("post_logout_redirect_uri", "https://evil.example.org/")],
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("html").contains("Signed out"));
}

#[tokio::test]
async fn the_code_flow_signs_in_to_signpost_with_the_users_roles() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let app = signpost_trusting(&provider).await;

    let (verifier, challenge) = pkce();
    let code = sign_in(&client, &provider, "ada", &challenge, "openid profile").await;

    let (wrong, _) = pkce();
    let (status, _, body) = exchange(&client, &provider, &code, &wrong).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    assert!(body["error_description"].is_string(), "{body}");
    // A different redirect URI or client is refused too, and does not use the code up.
    let (status, _, body) = token_request(
        &client,
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5173/elsewhere"),
            ("client_id", "signpost-admin"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    let (status, _, body) = token_request(
        &client,
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", "someone-else"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_client")),
        "{body}"
    );
    assert_eq!(provider.grants("authorization_code"), 0);

    let (status, headers, tokens) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(tokens["token_type"], json!("Bearer"));
    assert_eq!(tokens["expires_in"], json!(300));
    assert_eq!(tokens["scope"], json!("openid profile"));
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access: {tokens}"
    );
    assert_eq!(provider.grants("authorization_code"), 1);

    let (status, _, body) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "reuse: {body}"
    );
    assert_eq!(provider.grants("authorization_code"), 1);

    let access_token = tokens["access_token"].as_str().expect("access token");
    let claims = verified(&client, &provider, access_token, "signpost").await;
    assert_eq!(claims["iss"], json!(provider.issuer));
    assert_eq!(claims["sub"], json!("ada"));
    assert_eq!(claims["preferred_username"], json!("ada"));
    assert_eq!(claims["roles"], json!(["admin"]));
    assert_eq!(claims["scope"], json!("openid profile"));
    let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
    assert_eq!(lifetime, 300);
    let id_token = tokens["id_token"].as_str().expect("id token");
    let id = verified(&client, &provider, id_token, "signpost-admin").await;
    assert_eq!(
        (
            &id["sub"],
            &id["nonce"],
            &id["preferred_username"],
            &id["name"]
        ),
        (&json!("ada"), &json!("n-456"), &json!("ada"), &json!("ada"))
    );

    let (status, body) = imports_as(&app, access_token).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("errors").is_none(),
        "an admin sees imports: {body}"
    );
    assert!(body["data"]["imports"]["nodes"].is_array(), "{body}");

    // A reader signs in the same way and is refused what only an admin may see.
    let (verifier, challenge) = pkce();
    let code = sign_in(&client, &provider, "rita", &challenge, "openid").await;
    let (status, _, tokens) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let reader_token = tokens["access_token"].as_str().expect("access token");
    let (_, body) = imports_as(&app, reader_token).await;
    assert_eq!(crate::helpers::code(&body), "FORBIDDEN", "{body}");
    assert_eq!(provider.grants("authorization_code"), 2);

    // Other malformed token requests.
    for (pairs, error) in [
        (
            vec![("grant_type", "password"), ("client_id", "signpost-admin")],
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", "signpost-admin"),
                ("code", "x"),
            ],
            "invalid_request",
        ),
        (
            vec![("grant_type", "authorization_code")],
            "invalid_request",
        ),
    ] {
        let (status, _, body) = token_request(&client, &provider, &pairs).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!(error)),
            "{pairs:?}: {body}"
        );
    }
}

#[tokio::test]
async fn refresh_tokens_work_once_and_are_rotated() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let app = signpost_trusting(&provider).await;
    let (verifier, challenge) = pkce();
    let scope = "openid profile offline_access";
    let code = sign_in(&client, &provider, "ada", &challenge, scope).await;
    let (status, _, tokens) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let first = tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();

    let refresh = |token: String| {
        let client = client.clone();
        let provider = &provider;
        async move {
            token_request(
                &client,
                provider,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", "signpost-admin"),
                ],
            )
            .await
        }
    };
    let (status, headers, renewed) = refresh(first.clone()).await;
    assert_eq!(status, 200, "{renewed}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(provider.grants("refresh_token"), 1);
    let second = renewed["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(first, second);
    let access_token = renewed["access_token"].as_str().expect("access token");
    assert_ne!(Some(access_token), tokens["access_token"].as_str());
    let (status, body) = imports_as(&app, access_token).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("errors").is_none(),
        "the renewed token works: {body}"
    );

    let (status, _, body) = refresh(first).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "rotated out: {body}"
    );
    let (status, _, body) = refresh("made-up".into()).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    assert_eq!(provider.grants("refresh_token"), 1);
    let (status, _, body) = refresh(second).await;
    assert_eq!(status, 200, "the newest refresh token still works: {body}");
    assert_eq!(provider.grants("refresh_token"), 2);
}

#[tokio::test]
async fn the_token_endpoint_answers_cross_origin_requests() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let response = client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/token", provider.issuer),
        )
        .header("origin", "http://127.0.0.1:5173")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    let methods = headers["access-control-allow-methods"]
        .to_str()
        .expect("methods");
    assert!(methods.contains("POST"), "{methods}");
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .expect("headers")
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type") && allowed.contains("authorization"),
        "{allowed}"
    );
    // Errors carry the header too, so the browser can read them.
    let (status, headers, body) = token_request(
        &client,
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "signpost-admin"),
        ],
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_request")));
    assert_eq!(headers["access-control-allow-origin"], "*");
    // The server stops with the provider.
    let token_url = format!("{}/token", provider.issuer);
    drop(provider);
    let mut stopped = false;
    for _ in 0..50 {
        let fresh = browser();
        if fresh.get(&token_url).send().await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stopped, "the provider stops when dropped");
}
