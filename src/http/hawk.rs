//! HAWK on the way in and out: a request whose `Authorization` starts with `Hawk `
//! is verified over its exact body before any handler runs (the handler then finds
//! the caller as a [`Viewer`] extension), and the response to it is signed with
//! `Server-Authorization` over the exact bytes sent (nothing compresses after this).
//!
//! Three variants: GraphQL's (refusals as a GraphQL error body), the
//! compatibility routes' (refusals with an empty body, as the earlier service
//! answered), and the streaming downloads' (verified but not signed: a stream
//! cannot be hashed before its headers go out).

use crate::auth::hawk::Verified;
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const SERVER_AUTHORIZATION: HeaderName = HeaderName::from_static("server-authorization");

/// The verified caller's scopes, as a request extension.
#[derive(Clone, Debug)]
pub struct HawkScopes(pub Vec<String>);

/// How a route answers credentials it refuses.
#[derive(Clone, Copy)]
enum Refusal {
    GraphQl,
    EmptyBody,
}

/// For `/graphql` and the rest: verify, sign, refuse with a GraphQL error.
pub async fn verify_and_sign(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    hawk(state, request, next, Refusal::GraphQl, true).await
}

/// For the compatibility routes: verify, sign, refuse with an empty body.
pub async fn verify_and_sign_bare(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    hawk(state, request, next, Refusal::EmptyBody, true).await
}

/// For streaming downloads: verify, do not sign, refuse with an empty body.
pub async fn verify_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    hawk(state, request, next, Refusal::EmptyBody, false).await
}

async fn hawk(
    state: AppState,
    request: Request,
    next: Next,
    refusal: Refusal,
    sign: bool,
) -> Response {
    let refused = |reason: &str| match refusal {
        Refusal::GraphQl => refused(reason),
        Refusal::EmptyBody => {
            tracing::info!(reason = %reason, "HAWK credentials refused");
            (
                StatusCode::UNAUTHORIZED,
                [(WWW_AUTHENTICATE, HeaderValue::from_static("Hawk"))],
            )
                .into_response()
        }
    };
    let Some(authorization) = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Hawk "))
        .map(str::to_owned)
    else {
        return next.run(request).await;
    };
    let Some(verifier) = state.auth.hawk.as_ref() else {
        return refused("HAWK request, but no HAWK client is configured");
    };
    let (mut parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let method = parts.method.as_str().to_owned();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |path| path.as_str())
        .to_owned();
    let content_type = text_header(&parts.headers, CONTENT_TYPE);
    let verified: Verified = match verifier
        .verify(
            &state.db,
            &authorization,
            &method,
            &path,
            content_type.as_deref(),
            &body,
        )
        .await
    {
        Ok(verified) => verified,
        Err(failure) => return refused(&failure.reason),
    };
    parts.extensions.insert(verified.viewer.clone());
    parts.extensions.insert(HawkScopes(verified.scopes.clone()));
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !sign {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let content_type = text_header(&parts.headers, CONTENT_TYPE);
    match verifier
        .sign_response(&verified, &method, &path, content_type.as_deref(), &body)
        .map(|value| HeaderValue::from_str(&value))
    {
        Ok(Ok(value)) => {
            parts.headers.insert(SERVER_AUTHORIZATION, value);
        }
        Ok(Err(error)) => tracing::error!(error = %error, "cannot sign a HAWK response"),
        Err(failure) => tracing::error!(reason = %failure.reason, "cannot sign a HAWK response"),
    }
    Response::from_parts(parts, Body::from(body))
}

fn text_header(headers: &axum::http::HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// 401 `UNAUTHENTICATED`, the reason only in the log.
fn refused(reason: &str) -> Response {
    tracing::info!(reason = %reason, "HAWK credentials refused");
    let mut response = super::graphql::refuse(
        StatusCode::UNAUTHORIZED,
        super::graphql::negotiate::ResponseType::Json,
        AppError::user(
            ErrorCode::Unauthenticated,
            "the credentials sent are not valid",
        ),
    );
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Hawk"));
    response
}
