//! The outbox worker: leases due mails, sends them outside any transaction, and records each
//! outcome; a failure is retried with exponential back-off, and rows are never deleted.
//!
//! Delivery is at least once: a worker that dies after sending and before recording leaves a
//! lease that expires, and the mail goes out again with the same Message-ID.

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta};

use super::transport::{SMTP_CONNECTIONS, SMTP_TIMEOUT, Transport};
use crate::db::{self, DbError, DbPool};
use crate::tasks::{Periodic, Schedule};

/// Mails leased per claim; small, so that the senders share a burst and no worker sits on much of
/// the queue.
const BATCH: i64 = 10;

/// Mails one instance sends at the same time, each over its own SMTP connection. One connection
/// delivers only about 25 mails a second: lettre writes the end-of-data marker as a separate small
/// packet, which waits for the relay's delayed ACK (40 ms on Linux).
const SENDERS: usize = SMTP_CONNECTIONS as usize;

/// How long a claimed mail belongs to its worker.
const LEASE: TimeDelta = TimeDelta::minutes(10);

/// A send is started only while this much of the lease is left: one SMTP exchange is a handful
/// of commands, each bounded by [`SMTP_TIMEOUT`], and the lease must outlast it, or a second
/// worker could take the mail over and send it too.
const MIN_LEASE_LEFT: TimeDelta = TimeDelta::seconds(10 * SMTP_TIMEOUT.as_secs() as i64);

/// Wait before the first retry; each further failure doubles it.
const FIRST_RETRY: TimeDelta = TimeDelta::seconds(30);

/// The longest wait between two attempts.
const MAX_RETRY: TimeDelta = TimeDelta::hours(1);

/// How often the background loop looks for due mail.
const POLL: Duration = Duration::from_secs(2);

/// The longest pause of the background loop while the database is unavailable.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// What one run over the queue did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendReport {
    /// Mails delivered.
    pub sent: usize,
    /// Attempts that failed and were scheduled for a retry.
    pub failed: usize,
}

/// The wait before the next attempt at a mail that has now failed `attempts + 1` times.
pub fn retry_delay(attempts: i32) -> TimeDelta {
    // 2^7 · 30 s already exceeds the cap; clamping the exponent keeps the product in range.
    let factor = 1_i32 << attempts.clamp(0, 7);
    (FIRST_RETRY * factor).min(MAX_RETRY)
}

/// Sends every mail due now, retrying none of those that fail in this run.
pub async fn run_until_empty(pool: &DbPool, transport: &Transport) -> Result<SendReport, DbError> {
    run_until_empty_at(pool, transport, chrono::Utc::now().naive_utc()).await
}

/// Like [`run_until_empty`] with the clock reading `now` at the start (and running on from there),
/// so that back-off and leases can be exercised without waiting.
pub async fn run_until_empty_at(
    pool: &DbPool,
    transport: &Transport,
    now: NaiveDateTime,
) -> Result<SendReport, DbError> {
    let clock = Clock {
        start: now,
        started: Instant::now(),
    };
    // Each sender claims its own batches, exactly as separate instances do.
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (pool, transport) = (pool.clone(), transport.clone());
            tokio::task::spawn_blocking(move || drain(&pool, &transport, clock))
        })
        .collect();
    let mut total = SendReport::default();
    let mut failure = None;
    for sender in senders {
        match sender.await {
            Ok(Ok(report)) => {
                total.sent += report.sent;
                total.failed += report.failed;
            }
            Ok(Err(e)) => failure = Some(e),
            Err(e) => failure = Some(DbError::Unavailable(format!("outbox task failed: {e}"))),
        }
    }
    failure.map_or(Ok(total), Err)
}

/// Wall-clock time that starts from a given reading.
#[derive(Clone, Copy)]
struct Clock {
    start: NaiveDateTime,
    started: Instant,
}

impl Clock {
    fn now(&self) -> NaiveDateTime {
        self.start + TimeDelta::from_std(self.started.elapsed()).unwrap_or_default()
    }
}

fn drain(pool: &DbPool, transport: &Transport, clock: Clock) -> Result<SendReport, DbError> {
    let mut report = SendReport::default();
    loop {
        let batch = db::outbox::claim_due(&mut *pool.get()?, clock.now(), LEASE, BATCH)?;
        if batch.mails.is_empty() {
            return Ok(report);
        }
        let lease = batch.lease_until;
        for mail in batch.mails {
            if lease - clock.now() < MIN_LEASE_LEFT {
                db::outbox::release(&mut *pool.get()?, mail.id, lease)?;
                continue;
            }
            let outcome = transport.send(&mail);
            let mut conn = pool.get()?;
            let still_ours = match outcome {
                Ok(()) => {
                    report.sent += 1;
                    db::outbox::mark_sent(&mut conn, mail.id, lease, clock.now())?
                }
                Err(e) => {
                    report.failed += 1;
                    let retry_at = clock.now() + retry_delay(mail.attempts);
                    tracing::warn!(id = mail.id, key = %mail.key, attempts = mail.attempts + 1,
                        %retry_at, error = %e, "mail not sent; will retry");
                    db::outbox::mark_failed(&mut conn, mail.id, lease, retry_at, &e.to_string())?
                }
            };
            if !still_ours {
                tracing::warn!(id = mail.id, key = %mail.key, "outbox lease lost while sending");
            }
        }
    }
}

/// The background loop of one instance; it stops when stopped or dropped.
pub struct Worker(Periodic);

impl Worker {
    /// Starts polling the outbox every two seconds on the current runtime.
    pub fn start(pool: DbPool, transport: Transport) -> Self {
        let transport = std::sync::Arc::new(transport);
        let schedule = Schedule {
            first_after: Duration::ZERO,
            every: POLL,
            max_pause: MAX_PAUSE,
        };
        Self(Periodic::start("outbox", schedule, move || {
            let (pool, transport) = (pool.clone(), transport.clone());
            async move {
                let report = run_until_empty(&pool, &transport)
                    .await
                    .map_err(|e| e.to_string())?;
                if report != SendReport::default() {
                    tracing::info!(sent = report.sent, failed = report.failed, "outbox run");
                }
                Ok(())
            }
        }))
    }

    /// Stops the loop, letting a run in progress finish.
    pub async fn stop(self) {
        self.0.stop().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let delays: Vec<i64> = (0..9).map(|a| retry_delay(a).num_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(i32::MAX), MAX_RETRY);
        assert_eq!(retry_delay(-1), FIRST_RETRY);
    }

    #[test]
    fn a_fresh_lease_leaves_half_of_it_for_sending_the_batch() {
        assert!(LEASE >= MIN_LEASE_LEFT * 2);
    }
}
