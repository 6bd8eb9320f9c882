//! Mail: every e-mail is queued in the `outbox` table in the transaction of the change that causes
//! it, and a worker delivers it later through the [`Transport`], retrying with back-off until sent.

pub mod digest;
pub mod transport;
pub mod worker;

use chrono::NaiveDateTime;

use crate::db::{self, DbConnection, DbError};

pub use transport::{SendError, Transport, TransportError};
pub use worker::{SendReport, Worker, run_until_empty, run_until_empty_at};

/// One e-mail, rendered, ready to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Names the logical mail (`receipt:{comment}`, `digest:{subscription}:{period}`): a second
    /// mail with the same key is never queued.
    pub key: String,
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// A mail as the worker took it from the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMail {
    /// The outbox row; the Message-ID derives from it.
    pub id: i32,
    /// The mail's idempotency key.
    pub key: String,
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// Failed deliveries so far.
    pub attempts: i32,
    /// When the mail was queued; used as its Date, so a retry carries the same one.
    pub created_at: NaiveDateTime,
    /// The one-click unsubscribe URL of a list mail (digests), sent as `List-Unsubscribe`.
    pub list_unsubscribe: Option<String>,
}

/// Queues `mail` unless a mail with the same key was queued before; returns whether it was inserted.
pub fn enqueue(
    conn: &mut DbConnection,
    mail: &OutgoingMail,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(db::outbox::insert_if_absent(conn, mail, now)?)
}

/// Queues many list mails (digests) at once, each with its unsubscribe URL, skipping those whose
/// key was queued before; returns how many were inserted.
pub fn enqueue_list_mails(
    conn: &mut DbConnection,
    mails: &[(OutgoingMail, Option<String>)],
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(db::outbox::insert_batch_if_absent(conn, mails, now)?)
}
