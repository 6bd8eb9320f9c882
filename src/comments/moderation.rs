//! Moderation: reports from readers, "this was not me" disputes, the moderators' queue, hiding
//! with a public reason, and the public log of every action.

use chrono::NaiveDateTime;

use super::{Comment, CommentError, CommentState, Visibility, tracking};
use crate::accounts::User;
use crate::db::comments as cq;
use crate::db::moderation as q;
use crate::db::{self, DbConnection, DbError};
use crate::ledger::{self, Event};
use crate::search::{self, DocKind};
use crate::validation::{FieldError, required_text};

/// Reports from distinct verified accounts that hold a comment for review.
pub const AUTO_HOLD_REPORTS: i64 = 3;
/// Longest report or moderation reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Most log entries a page shows.
pub const LOG_LIMIT: i64 = 500;

/// Checks a reason: 1 to [`MAX_REASON_CHARS`] characters.
pub fn parse_reason(raw: &str) -> Result<String, FieldError> {
    required_text("reason", raw, MAX_REASON_CHARS)
}

/// Where a reported comment lives, to send the reporter back to it.
#[derive(Clone, Debug)]
pub struct Reported {
    /// Tracking number.
    pub tracking: String,
    /// Whether this report held the comment for review.
    pub held: bool,
}

/// Records `reporter`'s report on a public comment; the third verified reporter holds it for review.
pub fn report(
    conn: &mut DbConnection,
    raw_tracking: &str,
    reporter: &User,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Reported, CommentError> {
    db::transaction(conn, |conn| {
        let t = tracking::normalize(raw_tracking).ok_or(CommentError::NotFound)?;
        let row = cq::by_tracking(conn, &t)?.ok_or(CommentError::NotFound)?;
        if row.state != CommentState::Published.as_str()
            || row.visibility == Visibility::Drafters.as_str()
        {
            return Err(CommentError::NotFound);
        }
        q::insert_report(
            conn,
            row.id,
            reporter.id,
            reporter.is_verified(),
            reason,
            now,
        )?;
        let held = q::open_verified_reports(conn, row.id)? >= AUTO_HOLD_REPORTS;
        if held {
            q::set_state(conn, row.id, CommentState::Pending.as_str(), None)?;
            search::remove_document(conn, DocKind::Comment, row.id)?;
            q::log_action(
                conn,
                row.consultation_id,
                Some(row.id),
                None,
                "hold",
                "",
                now,
            )?;
        }
        Ok(Reported {
            tracking: row.tracking,
            held,
        })
    })
}

/// A comment in the moderators' queue and why it is there.
#[derive(Clone, Debug)]
pub struct QueueItem {
    /// The comment.
    pub comment: Comment,
    /// Open report reasons with their times.
    pub reports: Vec<(String, NaiveDateTime)>,
    /// When its author disputed having written it, if they did.
    pub disputed_at: Option<NaiveDateTime>,
}

/// Everything waiting for a consultation's moderators: reported, disputed and held comments.
pub fn queue(conn: &mut DbConnection, consultation_id: i32) -> Result<Vec<QueueItem>, DbError> {
    let mut items: Vec<QueueItem> = Vec::new();
    for (row, reason, at) in q::reported(conn, consultation_id)? {
        let i = item_for(&mut items, Comment::try_from(row)?);
        items[i].reports.push((reason, at));
    }
    for (row, at) in cq::open_disputes(conn, consultation_id)? {
        let i = item_for(&mut items, Comment::try_from(row)?);
        items[i].disputed_at = Some(at);
    }
    for row in q::pending(conn, consultation_id)? {
        item_for(&mut items, Comment::try_from(row)?);
    }
    Ok(items)
}

/// The index of `comment`'s entry in `items`, adding one if needed.
fn item_for(items: &mut Vec<QueueItem>, comment: Comment) -> usize {
    match items.iter().position(|i| i.comment.id == comment.id) {
        Some(i) => i,
        None => {
            items.push(QueueItem {
                comment,
                reports: Vec::new(),
                disputed_at: None,
            });
            items.len() - 1
        }
    }
}

/// A moderator's decision on a comment in the queue.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Hide it; the reason is shown publicly in its place and in the log.
    Hide(String),
    /// Keep it: close the reports and disputes and publish it if it was held.
    Dismiss,
}

/// Applies `decision` to a comment of consultation `consultation_id` and logs it publicly.
pub fn decide(
    conn: &mut DbConnection,
    consultation_id: i32,
    raw_tracking: &str,
    actor: &User,
    decision: &Decision,
    now: NaiveDateTime,
) -> Result<(), CommentError> {
    db::transaction(conn, |conn| {
        let t = tracking::normalize(raw_tracking).ok_or(CommentError::NotFound)?;
        let row = cq::by_tracking(conn, &t)?.ok_or(CommentError::NotFound)?;
        if row.consultation_id != consultation_id {
            return Err(CommentError::NotFound);
        }
        match decision {
            Decision::Hide(reason) => {
                q::set_state(
                    conn,
                    row.id,
                    CommentState::Hidden.as_str(),
                    Some((reason, now)),
                )?;
                q::log_action(
                    conn,
                    consultation_id,
                    Some(row.id),
                    Some(actor.id),
                    "hide",
                    reason,
                    now,
                )?;
                ledger::append(
                    conn,
                    consultation_id,
                    &Event::CommentHidden {
                        comment_id: row.id,
                        tracking: &row.tracking,
                        reason,
                    },
                    now,
                )?;
            }
            Decision::Dismiss => {
                if row.state == CommentState::Pending.as_str() {
                    q::set_state(conn, row.id, CommentState::Published.as_str(), None)?;
                    let text = search::comment_text(&row.body, row.proposed_text.as_deref());
                    search::index_document(conn, DocKind::Comment, row.id, &text)?;
                }
                q::log_action(
                    conn,
                    consultation_id,
                    Some(row.id),
                    Some(actor.id),
                    "dismiss",
                    "",
                    now,
                )?;
            }
        }
        q::resolve(conn, row.id, now)?;
        Ok(())
    })
}

/// One line of the public moderation log.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// When (UTC).
    pub at: NaiveDateTime,
    /// hold, hide or dismiss.
    pub action: String,
    /// The comment concerned.
    pub tracking: Option<String>,
    /// The public reason (empty for holds and dismissals).
    pub reason: String,
}

/// The public moderation log of a consultation, newest first.
pub fn public_log(conn: &mut DbConnection, consultation_id: i32) -> Result<Vec<LogEntry>, DbError> {
    Ok(q::log(conn, consultation_id, LOG_LIMIT)?
        .into_iter()
        .map(|(at, action, tracking, reason)| LogEntry {
            at,
            action,
            tracking,
            reason,
        })
        .collect())
}
