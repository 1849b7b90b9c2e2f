//! The authorization endpoint: checking a request (client, redirect URI, PKCE),
//! refusing it on a page or back at the client, the sign-in page with a button per
//! user, and the code given out when one is chosen.

use super::endpoints::{escape, form_fields, page};
use super::keys::random_token;
use super::provider::{CODE_LIFETIME, IssuedCode, Provider};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Instant;

/// The parameters of an authorization request (query or form), and the user
/// chosen on the sign-in page.
#[derive(Deserialize, Default, Debug)]
pub(super) struct AuthorizeParams {
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
                to,
                error,
                description,
                state,
            } => self.back_to_client(
                *to,
                &[("error", error), ("error_description", &description)],
                state.as_deref(),
            ),
        }
    }
}

pub(super) async fn authorize_page(
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

pub(super) async fn authorize(State(provider): State<Arc<Provider>>, body: Bytes) -> Response {
    let params: AuthorizeParams = match authorize_form(&body) {
        Some(params) => params,
        None => {
            return provider.refused(Refusal::Page("the form cannot be read.".into()));
        }
    };
    let to = match provider.check(&params) {
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
    provider.back_to_client(to, &[("code", &code)], params.state.as_deref())
}

/// The fields of a form body, or `None` when it cannot be read.
fn authorize_form(body: &[u8]) -> Option<AuthorizeParams> {
    let fields = form_fields(body);
    let value = serde_json::to_value(fields).ok()?;
    serde_json::from_value(value).ok()
}
