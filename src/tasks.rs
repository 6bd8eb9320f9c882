//! Background loops: a job run now and then on the current runtime, pausing longer while it
//! fails, woken early on demand, ended by `stop` (or by dropping the handle).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// When and how often a loop runs its job.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    /// Wait before the first run.
    pub first_after: Duration,
    /// Pause after a run that succeeded.
    pub every: Duration,
    /// Longest pause while runs fail (the pause doubles up to it).
    pub max_pause: Duration,
}

/// A running background loop.
pub struct Periodic {
    stop: watch::Sender<()>,
    task: JoinHandle<()>,
}

impl Periodic {
    /// Starts running `job` on `schedule`; a failed run is logged under `name`.
    pub fn start<F, Fut>(name: &'static str, schedule: Schedule, job: F) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        Self::start_wakeable(name, schedule, Arc::new(Notify::new()), Duration::ZERO, job)
    }

    /// Like [`Self::start`], and a `wake.notify_one()` ends the pause after a run early (a wake
    /// during a run makes another run follow it), though never sooner than `min_gap` after the
    /// start of the previous run: what arrives meanwhile is handled by one run.
    pub fn start_wakeable<F, Fut>(
        name: &'static str,
        schedule: Schedule,
        wake: Arc<Notify>,
        min_gap: Duration,
        mut job: F,
    ) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let (stop, mut stopped) = watch::channel(());
        let task = tokio::spawn(async move {
            // Either a stop or a dropped handle ends a wait early, and the loop with it.
            if !schedule.first_after.is_zero()
                && tokio::time::timeout(schedule.first_after, stopped.changed())
                    .await
                    .is_ok()
            {
                return;
            }
            let mut pause = schedule.every;
            loop {
                let started = tokio::time::Instant::now();
                match job().await {
                    Ok(()) => pause = schedule.every,
                    Err(e) => {
                        tracing::warn!(task = name, error = %e, "background run failed; retrying later");
                        pause = (pause * 2).min(schedule.max_pause);
                    }
                }
                tokio::select! {
                    _ = stopped.changed() => return,
                    () = tokio::time::sleep(pause) => {}
                    () = wake.notified() => {}
                }
                if tokio::time::timeout_at(started + min_gap, stopped.changed())
                    .await
                    .is_ok()
                {
                    return;
                }
            }
        });
        Self { stop, task }
    }

    /// Stops the loop, letting a run in progress finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
