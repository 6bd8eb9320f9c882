//! The ledger's background task: records window openings and closings as the clock passes them,
//! and signs every head that moved. Every instance runs it; the append lock and the unique keys
//! make a second instance's work a no-op.

use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::db::{self, DbConnection, DbError, DbPool};

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
pub struct Scheduler {
    stop: watch::Sender<()>,
    task: JoinHandle<()>,
}

impl Scheduler {
    /// Starts ticking at once and then every [`TICK`] on the current runtime.
    pub fn start(pool: DbPool) -> Self {
        let (stop, mut stopped) = watch::channel(());
        let task = tokio::spawn(async move {
            let mut pause = TICK;
            loop {
                let now = chrono::Utc::now().naive_utc();
                match db::run(&pool, move |conn| tick(conn, now)).await {
                    Ok(report) => {
                        if report != TickReport::default() {
                            tracing::info!(
                                window_events = report.window_events,
                                signed = report.signed,
                                "ledger tick"
                            );
                        }
                        pause = TICK;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "ledger tick failed");
                        pause = (pause * 2).min(MAX_PAUSE);
                    }
                }
                if tokio::time::timeout(pause, stopped.changed()).await.is_ok() {
                    return;
                }
            }
        });
        Self { stop, task }
    }

    /// Stops the loop, letting a tick in progress finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
