//! The ledger's background tasks: the sequencer chains the comments posted (woken after each
//! post), and the scheduler records window openings and closings as the clock passes them and
//! signs every head that moved. Every instance runs both; the append lock and the unique keys
//! make a second instance's work a no-op.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use chrono::NaiveDateTime;

use crate::db::{self, DbConnection, DbError, DbPool};
use crate::tasks::{Periodic, Schedule};

/// How often each instance looks at the clock and the heads.
const TICK: Duration = Duration::from_secs(30);

/// The longest pause while the database is unavailable.
const MAX_PAUSE: Duration = Duration::from_secs(300);

/// What one tick did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Window events recorded.
    pub window_events: usize,
    /// Heads signed.
    pub signed: usize,
}

/// One pass over every consultation at `now`.
pub fn tick(conn: &mut DbConnection, now: NaiveDateTime) -> Result<TickReport, DbError> {
    let key = super::signing_key(conn)?;
    let mut report = TickReport::default();
    for id in db::consultations::ids(conn)? {
        report.window_events += super::record_window(conn, id, now)?;
        if super::sign_head(conn, &key, id, now)? {
            report.signed += 1;
        }
    }
    Ok(report)
}

/// The background loop of one instance; it stops when stopped or dropped.
pub struct Scheduler(Periodic);

impl Scheduler {
    /// Starts the loop on the current runtime: a tick now, then every [`TICK`].
    pub fn start(pool: DbPool) -> Self {
        let schedule = Schedule {
            first_after: Duration::ZERO,
            every: TICK,
            max_pause: MAX_PAUSE,
        };
        Self(Periodic::start("ledger", schedule, move || {
            let pool = pool.clone();
            async move {
                let now = chrono::Utc::now().naive_utc();
                let report = db::run(&pool, move |conn| tick(conn, now))
                    .await
                    .map_err(|e| e.to_string())?;
                if report != TickReport::default() {
                    tracing::info!(
                        window_events = report.window_events,
                        signed = report.signed,
                        "ledger tick"
                    );
                }
                Ok(())
            }
        }))
    }

    /// Stops the loop, letting a tick in progress finish.
    pub async fn stop(self) {
        self.0.stop().await;
    }
}

/// How often the sequencer looks for waiting events when nothing woke it: events posted
/// through another instance, or left waiting by a crash, are chained within this time.
const SWEEP: Duration = Duration::from_secs(1);

/// The shortest time between two runs of the sequencer: posts arriving meanwhile are chained
/// together, under one lock of the head and in one transaction, instead of one run each.
const GATHER: Duration = Duration::from_millis(20);

/// Wakes this instance's sequencer; cheap to clone into the web state.
#[derive(Clone, Debug, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    /// Asks the sequencer to chain what is waiting now.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// The loop that chains waiting events into each consultation's record.
pub struct Sequencer(Periodic);

impl Sequencer {
    /// Starts the loop on the current runtime: a run now (what a previous run left waiting),
    /// then after every wake (at most one run per [`GATHER`]) and at least every [`SWEEP`].
    pub fn start(pool: DbPool, wake: &Wake) -> Self {
        let schedule = Schedule {
            first_after: Duration::ZERO,
            every: SWEEP,
            max_pause: MAX_PAUSE,
        };
        Self(Periodic::start_wakeable(
            "ledger sequencer",
            schedule,
            wake.0.clone(),
            GATHER,
            move || {
                let pool = pool.clone();
                async move {
                    db::run(&pool, super::sequence_all)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string())
                }
            },
        ))
    }

    /// Stops the loop, letting a run in progress finish.
    pub async fn stop(self) {
        self.0.stop().await;
    }
}
