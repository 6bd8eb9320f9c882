//! Queries on `responses` and `response_comments`: the drafters' public answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{articles, comments, response_comments, responses};

/// A response row.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = responses)]
pub struct ResponseRow {
    /// Row id.
    pub id: i32,
    /// Consultation.
    pub consultation_id: i32,
    /// Article answered (`None`: the draft as a whole).
    pub article_id: Option<i32>,
    /// Decision.
    pub decision: String,
    /// Reasoning.
    pub reasoning: String,
    /// The drafter who wrote it last.
    pub author_id: Option<i32>,
    /// First published.
    pub published_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A response with its article's number and label (none for the draft as a whole).
pub type ResponseWithArticle = (ResponseRow, Option<(i32, String)>);

/// Responses of a consultation published or changed in `[start, end)`, only the one to
/// `article_id` when given, each with its article's number and label.
pub fn changed_between(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<ResponseWithArticle>> {
    let mut query = responses::table
        .left_join(articles::table)
        .filter(responses::consultation_id.eq(consultation_id))
        .filter(responses::updated_at.ge(start))
        .filter(responses::updated_at.lt(end))
        .order(responses::id)
        .select((
            ResponseRow::as_select(),
            (articles::number, articles::label).nullable(),
        ))
        .into_boxed();
    if let Some(a) = article_id {
        query = query.filter(responses::article_id.eq(a));
    }
    query.load(conn)
}

/// Every response of a consultation.
pub fn of_consultation(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<ResponseRow>> {
    responses::table
        .filter(responses::consultation_id.eq(consultation_id))
        .order(responses::id)
        .select(ResponseRow::as_select())
        .load(conn)
}

/// The response to one article, or to the draft as a whole when `article_id` is `None`.
pub fn for_target(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
) -> QueryResult<Option<ResponseRow>> {
    let mut query = responses::table
        .filter(responses::consultation_id.eq(consultation_id))
        .select(ResponseRow::as_select())
        .into_boxed();
    query = match article_id {
        Some(a) => query.filter(responses::article_id.eq(a)),
        None => query.filter(responses::article_id.is_null()),
    };
    query.first(conn).optional()
}

/// Stores a new response and returns its id.
pub fn insert(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    decision: &str,
    reasoning: &str,
    author_id: i32,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(responses::table)
        .values((
            responses::consultation_id.eq(consultation_id),
            responses::article_id.eq(article_id),
            responses::decision.eq(decision),
            responses::reasoning.eq(reasoning),
            responses::author_id.eq(Some(author_id)),
            responses::published_at.eq(now),
            responses::updated_at.eq(now),
        ))
        .returning(responses::id)
        .get_result(conn)
}

/// Replaces the decision and reasoning of a response.
pub fn update(
    conn: &mut DbConnection,
    id: i32,
    decision: &str,
    reasoning: &str,
    author_id: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(responses::table.find(id))
        .set((
            responses::decision.eq(decision),
            responses::reasoning.eq(reasoning),
            responses::author_id.eq(Some(author_id)),
            responses::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces the comments a response answers.
pub fn set_comments(conn: &mut DbConnection, response_id: i32, ids: &[i32]) -> QueryResult<()> {
    diesel::delete(response_comments::table.filter(response_comments::response_id.eq(response_id)))
        .execute(conn)?;
    // One row per statement: MultiConnection cannot compile multi-row inserts, and a response
    // answers tens of comments, not thousands.
    for &comment_id in ids {
        diesel::insert_into(response_comments::table)
            .values((
                response_comments::response_id.eq(response_id),
                response_comments::comment_id.eq(comment_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which of `ids` are comments of the consultation on `article_id` (`None`: any comment of it).
pub fn comments_on(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    ids: &[i32],
) -> QueryResult<Vec<i32>> {
    let mut query = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::id.eq_any(ids))
        .select(comments::id)
        .into_boxed();
    if let Some(a) = article_id {
        query = query.filter(comments::article_id.eq(a));
    }
    query.load(conn)
}

/// (comment id, tracking number) of the comments a response answers, oldest first; with
/// `public_only`, without the comments meant for the drafters alone.
pub fn answered(
    conn: &mut DbConnection,
    response_id: i32,
    public_only: bool,
) -> QueryResult<Vec<(i32, String)>> {
    let mut query = response_comments::table
        .inner_join(comments::table)
        .filter(response_comments::response_id.eq(response_id))
        .order(comments::id)
        .select((comments::id, comments::tracking))
        .into_boxed();
    if public_only {
        query = query.filter(comments::visibility.ne("drafters"));
    }
    query.load(conn)
}

/// Which of `ids` some response answers.
pub fn answered_among(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<i32>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    response_comments::table
        .filter(response_comments::comment_id.eq_any(ids))
        .select(response_comments::comment_id)
        .distinct()
        .load(conn)
}
