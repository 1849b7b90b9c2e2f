//! Webhook deliveries: the change as JSON, `POST`ed with
//! `X-Signpost-Event`, `X-Signpost-Delivery` (the notification's id, the same on
//! every retry, for receivers to drop repeats) and `X-Signpost-Signature:
//! sha256=<hex HMAC-SHA256 of the body with the hook's secret>`.

use super::config::WebhookConfig;
use super::dataflow::CallError;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use std::time::Duration;

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends one delivery.
pub async fn deliver(
    hook: &WebhookConfig,
    delivery: uuid::Uuid,
    event: &str,
    payload: &serde_json::Value,
) -> Result<(), CallError> {
    let body =
        serde_json::to_vec(payload).map_err(|error| CallError::Refused(error.to_string()))?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(hook.timeout_secs))
        .build()
        .unwrap_or_default();
    let response = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-signpost-event", event)
        .header("x-signpost-delivery", delivery.to_string())
        .header(
            "x-signpost-signature",
            signature(hook.secret.expose_secret(), &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|error| CallError::Retry(format!("{} cannot be reached: {error}", hook.name)))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        // A receiver that is down or refuses now may take it later: retried.
        Err(CallError::Retry(format!("{} answered {status}", hook.name)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
