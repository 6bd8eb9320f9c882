//! Limits on repeated actions, counted in the database so they hold across instances.

use chrono::{Duration, NaiveDateTime};

use crate::db::throttles::{self, ThrottleRow};
use crate::db::{DbConnection, DbError};

/// How often something may happen before it is refused for a while.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Prefix of the counter's key.
    pub name: &'static str,
    /// Events allowed in one window.
    pub limit: i32,
    /// Length of the counting window.
    pub window: Duration,
    /// How long the action is refused once the limit is reached.
    pub lockout: Duration,
}

/// Failed log-ins for one account: five in 15 minutes lock it for 15 minutes.
pub const LOGIN_ACCOUNT: Policy = Policy {
    name: "login-account",
    limit: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};
/// Failed log-ins from one address: twenty in 15 minutes lock it out for 30 minutes.
pub const LOGIN_ADDRESS: Policy = Policy {
    name: "login-address",
    limit: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(30),
};
/// Registrations from one address: ten an hour.
pub const REGISTER_ADDRESS: Policy = Policy {
    name: "register-address",
    limit: 10,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};
/// Mails asked for one e-mail address (verification, reset): three an hour.
pub const MAIL_RECIPIENT: Policy = Policy {
    name: "mail-recipient",
    limit: 3,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};
/// Mails asked from one client address: ten an hour.
pub const MAIL_ADDRESS: Policy = Policy {
    name: "mail-address",
    limit: 10,
    window: Duration::hours(1),
    lockout: Duration::hours(1),
};

/// An action refused until `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many attempts; try again after {until}")]
pub struct Throttled {
    /// When it is allowed again (UTC).
    pub until: NaiveDateTime,
}

fn key(policy: &Policy, subject: &str) -> String {
    format!("{}:{}", policy.name, subject)
}

/// Refuses when `subject` is locked out under `policy`.
pub fn check(
    conn: &mut DbConnection,
    policy: &Policy,
    subject: &str,
    now: NaiveDateTime,
) -> Result<(), ThrottleError> {
    match throttles::get(conn, &key(policy, subject))? {
        Some(ThrottleRow {
            locked_until: Some(until),
            ..
        }) if until > now => Err(ThrottleError::Throttled(Throttled { until })),
        _ => Ok(()),
    }
}

/// The count after one more event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Events in the current window, this one included.
    pub count: i32,
    /// Set when this event reached the limit.
    pub locked: Option<Throttled>,
}

/// Counts one event; when it reaches the limit, locks `subject` out and says until when.
/// The event that reaches the limit is still allowed; the next one is refused by [`check`].
pub fn hit(
    conn: &mut DbConnection,
    policy: &Policy,
    subject: &str,
    now: NaiveDateTime,
) -> Result<Hit, DbError> {
    let key = key(policy, subject);
    let current = throttles::get(conn, &key)?;
    record(conn, policy, key, current, now)
}

/// Stores the counter after one more event, given its current row.
fn record(
    conn: &mut DbConnection,
    policy: &Policy,
    key: String,
    current: Option<ThrottleRow>,
    now: NaiveDateTime,
) -> Result<Hit, DbError> {
    let row = match current {
        Some(row)
            if row.window_start + policy.window > now
                && row.locked_until.is_none_or(|u| u <= now) =>
        {
            ThrottleRow {
                hits: row.hits + 1,
                ..row
            }
        }
        _ => ThrottleRow {
            key,
            window_start: now,
            hits: 1,
            locked_until: None,
        },
    };
    let row = if row.hits >= policy.limit {
        ThrottleRow {
            locked_until: Some(now + policy.lockout),
            ..row
        }
    } else {
        row
    };
    throttles::put(conn, &row)?;
    Ok(Hit {
        count: row.hits,
        locked: row.locked_until.map(|until| Throttled { until }),
    })
}

/// Forgets the count for `subject` (after a successful log-in).
pub fn reset(conn: &mut DbConnection, policy: &Policy, subject: &str) -> Result<(), DbError> {
    Ok(throttles::clear(conn, &key(policy, subject))?)
}

/// A throttle check that could not run or that refused.
#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    /// Refused for now.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ThrottleError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}
