//! Queries on `reports` and `moderation_actions`, and the moderation side of `comments`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::comments::CommentRow;
use super::schema::{comments, disputes, moderation_actions, reports};

/// Records a report; false when this user reported the comment already.
pub fn insert_report(
    conn: &mut DbConnection,
    comment_id: i32,
    reporter_id: i32,
    reporter_verified: bool,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        reports::comment_id.eq(comment_id),
        reports::reporter_id.eq(reporter_id),
        reports::reporter_verified.eq(reporter_verified),
        reports::reason.eq(reason),
        reports::created_at.eq(now),
    );
    let inserted = match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(reports::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(reports::table)
            .values(row)
            .execute(lite)?,
    };
    Ok(inserted == 1)
}

/// Open reports on a comment from verified accounts.
pub fn open_verified_reports(conn: &mut DbConnection, comment_id: i32) -> QueryResult<i64> {
    reports::table
        .filter(reports::comment_id.eq(comment_id))
        .filter(reports::resolved_at.is_null())
        .filter(reports::reporter_verified.eq(true))
        .count()
        .get_result(conn)
}

/// Sets a comment's moderation state (and, when hiding, the public reason).
pub fn set_state(
    conn: &mut DbConnection,
    comment_id: i32,
    state: &str,
    hidden: Option<(&str, NaiveDateTime)>,
) -> QueryResult<()> {
    diesel::update(comments::table.find(comment_id))
        .set((
            comments::state.eq(state),
            comments::hidden_reason.eq(hidden.map(|(r, _)| r)),
            comments::hidden_at.eq(hidden.map(|(_, t)| t)),
        ))
        .execute(conn)
        .map(drop)
}

/// Closes the open reports and disputes of a comment.
pub fn resolve(conn: &mut DbConnection, comment_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        reports::table
            .filter(reports::comment_id.eq(comment_id))
            .filter(reports::resolved_at.is_null()),
    )
    .set(reports::resolved_at.eq(now))
    .execute(conn)?;
    diesel::update(
        disputes::table
            .filter(disputes::comment_id.eq(comment_id))
            .filter(disputes::resolved_at.is_null()),
    )
    .set(disputes::resolved_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Appends to the public moderation log.
pub fn log_action(
    conn: &mut DbConnection,
    consultation_id: i32,
    comment_id: Option<i32>,
    actor_id: Option<i32>,
    action: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(moderation_actions::table)
        .values((
            moderation_actions::consultation_id.eq(consultation_id),
            moderation_actions::comment_id.eq(comment_id),
            moderation_actions::actor_id.eq(actor_id),
            moderation_actions::action.eq(action),
            moderation_actions::reason.eq(reason),
            moderation_actions::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Comments of a consultation with open reports: the comment and its open reports' reasons.
pub fn reported(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<(CommentRow, String, NaiveDateTime)>> {
    reports::table
        .inner_join(comments::table)
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(reports::resolved_at.is_null())
        .order((reports::comment_id, reports::created_at))
        .select((
            CommentRow::as_select(),
            reports::reason,
            reports::created_at,
        ))
        .load(conn)
}

/// Comments held for review.
pub fn pending(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::state.eq("pending"))
        .order(comments::created_at)
        .select(CommentRow::as_select())
        .load(conn)
}

/// One log line: time, action, the comment's tracking number, reason.
pub type LogRow = (NaiveDateTime, String, Option<String>, String);

/// The public log, newest first.
pub fn log(conn: &mut DbConnection, consultation_id: i32, limit: i64) -> QueryResult<Vec<LogRow>> {
    moderation_actions::table
        .left_join(comments::table)
        .filter(moderation_actions::consultation_id.eq(consultation_id))
        .order((
            moderation_actions::created_at.desc(),
            moderation_actions::id.desc(),
        ))
        .limit(limit)
        .select((
            moderation_actions::created_at,
            moderation_actions::action,
            comments::tracking.nullable(),
            moderation_actions::reason,
        ))
        .load(conn)
}
