//! One body read once and fed to two consumers (a write to two stores, a read that
//! also fills a cache), without holding more than a few chunks of it.

use super::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use std::io;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// Chunks that may wait for the slower consumer.
const BACKLOG: usize = 8;

/// Two bodies carrying `body`'s chunks. The slower consumer sets the pace; one that
/// stops reading does not stop the other. An error in `body` reaches both.
pub fn tee(mut body: Body) -> (Body, Body) {
    let (left_tx, left_rx) = mpsc::channel::<io::Result<Bytes>>(BACKLOG);
    let (right_tx, right_rx) = mpsc::channel::<io::Result<Bytes>>(BACKLOG);
    tokio::spawn(async move {
        let (mut left, mut right) = (Some(left_tx), Some(right_tx));
        while let Some(chunk) = body.next().await {
            let copy = match &chunk {
                Ok(bytes) => Ok(bytes.clone()),
                Err(error) => Err(io::Error::new(error.kind(), error.to_string())),
            };
            if let Some(tx) = &left
                && tx.send(chunk).await.is_err()
            {
                left = None;
            }
            if let Some(tx) = &right
                && tx.send(copy).await.is_err()
            {
                right = None;
            }
            if left.is_none() && right.is_none() {
                break;
            }
        }
    });
    (
        Box::pin(ReceiverStream::new(left_rx)),
        Box::pin(ReceiverStream::new(right_rx)),
    )
}

/// `body`, failing once more than `max` bytes have passed (so a cache refuses an
/// object too large for it without buffering all of it first).
pub fn at_most(body: Body, max: u64) -> Body {
    let mut seen = 0u64;
    Box::pin(body.map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len() as u64;
        if seen > max {
            return Err(io::Error::other(format!("larger than {max} bytes")));
        }
        Ok(chunk)
    }))
}
