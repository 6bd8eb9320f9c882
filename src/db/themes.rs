//! Queries on `themes`, `comment_themes` and `comment_triage`: the drafters' own working notes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::comments::CommentRow;
use super::schema::{comment_themes, comment_triage, comments, themes};

/// The themes of a consultation with how many comments carry each: (id, name, count), by name.
pub fn of_consultation(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<(i32, String, i64)>> {
    themes::table
        .left_join(comment_themes::table)
        .filter(themes::consultation_id.eq(consultation_id))
        .group_by((themes::id, themes::name))
        .select((
            themes::id,
            themes::name,
            diesel::dsl::count(comment_themes::comment_id.nullable()),
        ))
        .order(themes::name)
        .load(conn)
}

/// The id of theme `name` of a consultation, created when new.
pub fn find_or_create(
    conn: &mut DbConnection,
    consultation_id: i32,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let found = themes::table
        .filter(themes::consultation_id.eq(consultation_id))
        .filter(themes::name.eq(name))
        .select(themes::id)
        .first(conn)
        .optional()?;
    match found {
        Some(id) => Ok(id),
        None => diesel::insert_into(themes::table)
            .values((
                themes::consultation_id.eq(consultation_id),
                themes::name.eq(name),
                themes::created_at.eq(now),
            ))
            .returning(themes::id)
            .get_result(conn),
    }
}

/// Whether theme `id` belongs to the consultation.
pub fn belongs(conn: &mut DbConnection, consultation_id: i32, id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        themes::table
            .find(id)
            .filter(themes::consultation_id.eq(consultation_id)),
    ))
    .get_result(conn)
}

/// Tags a comment with a theme; tagging twice changes nothing.
pub fn tag(conn: &mut DbConnection, comment_id: i32, theme_id: i32) -> QueryResult<()> {
    let row = (
        comment_themes::comment_id.eq(comment_id),
        comment_themes::theme_id.eq(theme_id),
    );
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(comment_themes::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(comment_themes::table)
            .values(row)
            .execute(lite)?,
    };
    Ok(())
}

/// Removes a theme from a comment.
pub fn untag(conn: &mut DbConnection, comment_id: i32, theme_id: i32) -> QueryResult<()> {
    diesel::delete(comment_themes::table.find((comment_id, theme_id)))
        .execute(conn)
        .map(drop)
}

/// (comment id, theme id, theme name) for each of `ids`.
pub fn of_comments(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, i32, String)>> {
    comment_themes::table
        .inner_join(themes::table)
        .filter(comment_themes::comment_id.eq_any(ids))
        .order(themes::name)
        .select((comment_themes::comment_id, themes::id, themes::name))
        .load(conn)
}

/// Records the triage status and note of a comment.
pub fn set_triage(
    conn: &mut DbConnection,
    comment_id: i32,
    status: &str,
    note: &str,
    user_id: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(comment_triage::table.find(comment_id))
        .set((
            comment_triage::status.eq(status),
            comment_triage::note.eq(note),
            comment_triage::updated_by.eq(Some(user_id)),
            comment_triage::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(comment_triage::table)
            .values((
                comment_triage::comment_id.eq(comment_id),
                comment_triage::status.eq(status),
                comment_triage::note.eq(note),
                comment_triage::updated_by.eq(Some(user_id)),
                comment_triage::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (comment id, status, note) for each of `ids` that has been triaged.
pub fn triage_of(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String, String)>> {
    comment_triage::table
        .filter(comment_triage::comment_id.eq_any(ids))
        .select((
            comment_triage::comment_id,
            comment_triage::status,
            comment_triage::note,
        ))
        .load(conn)
}

/// Which top-level comments of an article the drafters' workspace lists.
#[derive(Clone, Copy, Debug)]
pub struct WorkspaceQuery<'a> {
    /// The consultation.
    pub consultation_id: i32,
    /// The article; `None` for comments on the draft as a whole.
    pub article_id: Option<i32>,
    /// Only comments tagged with this theme.
    pub theme_id: Option<i32>,
    /// Only comments with this triage status; `Some("unread")` means no triage yet.
    pub triage: Option<&'a str>,
}

/// One page of an article's top-level comments for the workspace, newest first, and the total.
pub fn workspace_page(
    conn: &mut DbConnection,
    q: WorkspaceQuery<'_>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    macro_rules! filtered {
        () => {{
            let mut query = comments::table
                .filter(comments::consultation_id.eq(q.consultation_id))
                .filter(comments::parent_id.is_null())
                .into_boxed();
            query = match q.article_id {
                Some(a) => query.filter(comments::article_id.eq(a)),
                None => query.filter(comments::article_id.is_null()),
            };
            if let Some(t) = q.theme_id {
                query = query.filter(
                    comments::id.eq_any(
                        comment_themes::table
                            .filter(comment_themes::theme_id.eq(t))
                            .select(comment_themes::comment_id),
                    ),
                );
            }
            match q.triage {
                None => {}
                Some("unread") => {
                    query = query.filter(diesel::dsl::not(diesel::dsl::exists(
                        comment_triage::table.filter(comment_triage::comment_id.eq(comments::id)),
                    )))
                }
                Some(s) => {
                    query = query.filter(
                        comments::id.eq_any(
                            comment_triage::table
                                .filter(comment_triage::status.eq(s))
                                .select(comment_triage::comment_id),
                        ),
                    )
                }
            }
            query
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let rows = filtered!()
        .select(CommentRow::as_select())
        .order((comments::created_at.desc(), comments::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// The texts of the newest top-level comments that are not hidden, on one article or (`None`)
/// on the whole consultation: (id, body), at most `limit`.
pub fn recent_texts(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<(i32, String)>> {
    let mut query = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::parent_id.is_null())
        .filter(comments::state.ne("hidden"))
        .order((comments::created_at.desc(), comments::id.desc()))
        .limit(limit)
        .select((comments::id, comments::body))
        .into_boxed();
    if let Some(a) = article_id {
        query = query.filter(comments::article_id.eq(a));
    }
    query.load(conn)
}
