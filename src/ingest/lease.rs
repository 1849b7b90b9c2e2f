//! Leases: one holder at a time for a named piece of work across replicas, as a
//! row in `locks` with an expiry the holder keeps pushing forward.
//!
//! Plain rows rather than PostgreSQL advisory locks: a session lock belongs to a
//! pooled connection the pool may hand to anyone, and dies silently with it; a
//! row works the same on SQLite, shows who holds it, and expires on its own when
//! the holder stops heartbeating, so another replica can take over.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use std::time::Duration;

/// A held lease.
#[derive(Clone, Debug)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    ttl: Duration,
}

fn at(time: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(time))
}

fn sql(db: &impl ConnectionTrait, text: &str, values: Vec<Value>) -> Statement {
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    // Written with `?`; numbered for PostgreSQL.
    let mut out = String::with_capacity(text.len() + 8);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' && postgres {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    Statement::from_sql_and_values(db.get_database_backend(), out, values)
}

impl Lease {
    /// Takes the lease `name` for `holder` if nobody holds it or its holder's
    /// lease has expired; `None` when another holder has it.
    pub async fn acquire(
        db: &impl ConnectionTrait,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Self>, DbErr> {
        let now = crate::stamp::now();
        let expires = now + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::seconds(60));
        let taken = db
            .execute_raw(sql(
                db,
                "INSERT INTO locks (name, holder, acquired_at, heartbeat_at, expires_at) \
                 VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
                 acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, \
                 expires_at = excluded.expires_at \
                 WHERE locks.expires_at < ?",
                vec![
                    name.into(),
                    holder.into(),
                    at(now),
                    at(now),
                    at(expires),
                    at(now),
                ],
            ))
            .await?
            .rows_affected();
        Ok((taken == 1).then(|| Self {
            name: name.to_owned(),
            holder: holder.to_owned(),
            ttl,
        }))
    }

    /// Pushes the expiry forward; false when the lease was lost (it expired and
    /// another holder took it).
    pub async fn heartbeat(&self, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        let now = crate::stamp::now();
        let expires = now + TimeDelta::from_std(self.ttl).unwrap_or(TimeDelta::seconds(60));
        let kept = db
            .execute_raw(sql(
                db,
                "UPDATE locks SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND holder = ?",
                vec![
                    at(now),
                    at(expires),
                    self.name.as_str().into(),
                    self.holder.as_str().into(),
                ],
            ))
            .await?
            .rows_affected();
        Ok(kept == 1)
    }

    /// Gives the lease up (if still held).
    pub async fn release(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        db.execute_raw(sql(
            db,
            "DELETE FROM locks WHERE name = ? AND holder = ?",
            vec![self.name.as_str().into(), self.holder.as_str().into()],
        ))
        .await?;
        Ok(())
    }

    /// The current holder of `name`, if its lease has not expired.
    pub async fn holder_of(db: &impl ConnectionTrait, name: &str) -> Result<Option<String>, DbErr> {
        let row = db
            .query_one_raw(sql(
                db,
                "SELECT holder FROM locks WHERE name = ? AND expires_at >= ?",
                vec![name.into(), at(crate::stamp::now())],
            ))
            .await?;
        row.map(|row| row.try_get::<String>("", "holder"))
            .transpose()
    }
}
