//! Rows into PostgreSQL through `COPY … FROM STDIN` in text format, the fastest
//! way in: the import's stages and the postcode loader's both go through
//! [`CopyIn`], which sends the rows a megabyte at a time, so memory stays bounded
//! however many rows pass.

use sea_orm::DatabaseConnection;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::postgres::{PgCopyIn, PgPoolCopyExt, Postgres};

/// Bytes of `COPY` data sent at a time.
const COPY_BUFFER: usize = 1024 * 1024;

/// A `COPY … FROM STDIN` in progress on a session's connection.
pub struct CopyIn {
    copy: PgCopyIn<PoolConnection<Postgres>>,
    buffer: Vec<u8>,
}

impl CopyIn {
    /// Starts `statement` (a `COPY … FROM STDIN`) on the session's connection.
    pub async fn start(
        session: &DatabaseConnection,
        statement: &str,
    ) -> Result<Self, sea_orm::sqlx::Error> {
        let copy = session
            .get_postgres_connection_pool()
            .copy_in_raw(statement)
            .await?;
        Ok(Self {
            copy,
            buffer: Vec::with_capacity(COPY_BUFFER + 4096),
        })
    }

    /// Where the next rows are written, in `COPY`'s text format; call
    /// [`Self::sent_when_full`] after each batch.
    pub fn rows(&mut self) -> &mut Vec<u8> {
        &mut self.buffer
    }

    /// Sends what has been written once it reaches a megabyte.
    pub async fn sent_when_full(&mut self) -> Result<(), sea_orm::sqlx::Error> {
        if self.buffer.len() >= COPY_BUFFER {
            self.copy.send(std::mem::take(&mut self.buffer)).await?;
            self.buffer.reserve(COPY_BUFFER + 4096);
        }
        Ok(())
    }

    /// Sends the rest and ends the copy.
    pub async fn finish(mut self) -> Result<(), sea_orm::sqlx::Error> {
        if !self.buffer.is_empty() {
            self.copy.send(std::mem::take(&mut self.buffer)).await?;
        }
        self.copy.finish().await?;
        Ok(())
    }

    /// Ends the copy as failed, with `why` for the server's log.
    pub async fn abort(self, why: String) {
        let _ = self.copy.abort(why).await;
    }
}

/// Appends one field in `COPY`'s text format: `\N` for NULL; backslash, tab,
/// newline and carriage return escaped.
pub fn push_field(out: &mut Vec<u8>, text: Option<&str>) {
    let Some(text) = text else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for byte in text.bytes() {
        match byte {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            other => out.push(other),
        }
    }
}
