//! Queries on `outbox`: queueing a mail once per key, leasing due mails to one worker, and
//! recording each outcome only while the lease is still the worker's own.

use chrono::{NaiveDateTime, SubsecRound, TimeDelta};
use diesel::prelude::*;

use super::schema::outbox;
use super::{DbConnection, DbError};
use crate::mail::{OutgoingMail, QueuedMail};

/// The longest error text kept per row: enough for an SMTP reply, bounded for a noisy one.
const MAX_ERROR_CHARS: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = outbox)]
// NULL rather than DEFAULT for an absent value: SQLite's multi-row insert has no DEFAULT keyword.
#[diesel(treat_none_as_default_value = false)]
struct NewRow<'a> {
    idempotency_key: &'a str,
    recipient: &'a str,
    subject: &'a str,
    body_text: &'a str,
    body_html: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
    list_unsubscribe: Option<&'a str>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct ClaimedRow {
    id: i32,
    idempotency_key: String,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i32,
    created_at: NaiveDateTime,
    list_unsubscribe: Option<String>,
}

impl From<ClaimedRow> for QueuedMail {
    fn from(r: ClaimedRow) -> Self {
        Self {
            id: r.id,
            key: r.idempotency_key,
            to: r.recipient,
            subject: r.subject,
            text: r.body_text,
            html: r.body_html,
            attempts: r.attempts,
            created_at: r.created_at,
            list_unsubscribe: r.list_unsubscribe,
        }
    }
}

/// Mails leased to one worker, and the lease that proves it when recording their outcome.
#[derive(Debug)]
pub struct Batch {
    /// Until when no other worker takes these mails; also the token the updates check.
    pub lease_until: NaiveDateTime,
    /// The mails, in queue order.
    pub mails: Vec<QueuedMail>,
}

/// Queues `mail`, due at once, unless a row with its key exists; returns whether it was inserted.
pub fn insert_if_absent(
    conn: &mut DbConnection,
    mail: &OutgoingMail,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = NewRow {
        idempotency_key: &mail.key,
        recipient: &mail.to,
        subject: &mail.subject,
        body_text: &mail.text,
        body_html: &mail.html,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        list_unsubscribe: None,
    };
    let query = diesel::insert_into(outbox::table)
        .values(&row)
        .on_conflict(outbox::idempotency_key)
        .do_nothing();
    let inserted = match conn {
        DbConnection::Postgresql(pg) => query.execute(pg)?,
        DbConnection::Sqlite(lite) => query.execute(lite)?,
    };
    Ok(inserted == 1)
}

/// Queues each of `mails` (with its `List-Unsubscribe` URL, if any) in one statement, skipping
/// those whose key exists; returns how many were inserted. One round trip per batch instead of
/// one per mail is what lets a digest run queue 100,000 mails on PostgreSQL in seconds.
pub fn insert_batch_if_absent(
    conn: &mut DbConnection,
    mails: &[(OutgoingMail, Option<String>)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if mails.is_empty() {
        return Ok(0);
    }
    let rows: Vec<NewRow<'_>> = mails
        .iter()
        .map(|(mail, list_unsubscribe)| NewRow {
            idempotency_key: &mail.key,
            recipient: &mail.to,
            subject: &mail.subject,
            body_text: &mail.text,
            body_html: &mail.html,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            list_unsubscribe: list_unsubscribe.as_deref(),
        })
        .collect();
    let query = diesel::insert_into(outbox::table)
        .values(&rows)
        .on_conflict(outbox::idempotency_key)
        .do_nothing();
    match conn {
        DbConnection::Postgresql(pg) => query.execute(pg),
        DbConnection::Sqlite(lite) => query.execute(lite),
    }
}

/// Leases up to `limit` unsent mails that are due at `now` and not leased to another worker, for
/// `lease` from `now`. PostgreSQL skips rows another worker is claiming at the same moment; SQLite
/// serialises claims with its write lock.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: TimeDelta,
    limit: i64,
) -> Result<Batch, DbError> {
    // PostgreSQL keeps microseconds: the token must survive the round trip to compare equal.
    let lease_until = (now + lease).trunc_subsecs(6);
    let rows: Vec<ClaimedRow> = super::transaction(conn, |conn| {
        let due = outbox::table
            .select(outbox::id)
            .filter(outbox::sent_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::locked_until
                    .is_null()
                    .or(outbox::locked_until.le(now)),
            )
            .order((outbox::next_attempt_at, outbox::id))
            .limit(limit);
        let ids: Vec<i32> = match conn {
            // The selected rows stay locked until commit; rows another worker is claiming at this
            // moment are skipped rather than waited for.
            DbConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
            // The transaction took SQLite's write lock at its start: no other claim can interleave.
            DbConnection::Sqlite(lite) => due.load(lite)?,
        };
        if ids.is_empty() {
            return Ok::<_, DbError>(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set(outbox::locked_until.eq(lease_until))
            .execute(conn)?;
        Ok(outbox::table
            .filter(outbox::id.eq_any(&ids))
            .select(ClaimedRow::as_select())
            .order(outbox::id)
            .load(conn)?)
    })?;
    Ok(Batch {
        lease_until,
        mails: rows.into_iter().map(QueuedMail::from).collect(),
    })
}

/// Records mail `id` as sent at `now` and ends the lease; false when the lease was no longer held.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: i32,
    lease_until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::locked_until.eq(lease_until)),
    )
    .set((
        outbox::sent_at.eq(now),
        outbox::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Records a failed attempt at mail `id`: one more attempt, `error` (shortened), due again at
/// `retry_at`, lease ended. False when the lease was no longer held.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i32,
    lease_until: NaiveDateTime,
    retry_at: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::locked_until.eq(lease_until)),
    )
    .set((
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::next_attempt_at.eq(retry_at),
        outbox::last_error.eq(error),
        outbox::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Gives mail `id` back to the queue untried, if the lease is still held.
pub fn release(conn: &mut DbConnection, id: i32, lease_until: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::locked_until.eq(lease_until)),
    )
    .set(outbox::locked_until.eq(None::<NaiveDateTime>))
    .execute(conn)
    .map(|_| ())
}

/// Mails not sent yet, due or not.
pub fn count_unsent(conn: &mut DbConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .count()
        .get_result(conn)
}

/// Mails ever queued (sent or not) whose key starts with `prefix`, such as `receipt:`.
pub fn count_keyed(conn: &mut DbConnection, prefix: &str) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::idempotency_key.like(format!("{prefix}%")))
        .count()
        .get_result(conn)
}
