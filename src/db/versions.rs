//! Queries for revised versions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    article_lineage, articles, change_comments, change_responses, comments, draft_versions,
    response_comments, responses,
};

/// Gives article `number` of version `version_id` the stable key of the article it continues.
pub fn set_stable_key(
    conn: &mut DbConnection,
    version_id: i32,
    number: i32,
    stable_key: &str,
) -> QueryResult<()> {
    diesel::update(
        articles::table
            .filter(articles::version_id.eq(version_id))
            .filter(articles::number.eq(number)),
    )
    .set(articles::stable_key.eq(stable_key))
    .execute(conn)
    .map(drop)
}

/// The id of version `number` of a consultation's original text (not a translation).
pub fn version_id(
    conn: &mut DbConnection,
    consultation_id: i32,
    number: i32,
) -> QueryResult<Option<i32>> {
    draft_versions::table
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .filter(draft_versions::number.eq(number))
        .filter(draft_versions::translation_of.is_null())
        .select(draft_versions::id)
        .first(conn)
        .optional()
}

/// A consultation's original-text versions as (number, title, published at), oldest first.
pub fn history(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    draft_versions::table
        .filter(draft_versions::consultation_id.eq(consultation_id))
        .filter(draft_versions::translation_of.is_null())
        .order(draft_versions::number)
        .select((
            draft_versions::number,
            draft_versions::title,
            draft_versions::created_at,
        ))
        .load(conn)
}

/// Replaces the comments and responses linked to the change of article `article_id`.
pub fn set_links(
    conn: &mut DbConnection,
    article_id: i32,
    comment_ids: &[i32],
    response_ids: &[i32],
) -> QueryResult<()> {
    diesel::delete(change_comments::table.filter(change_comments::article_id.eq(article_id)))
        .execute(conn)?;
    diesel::delete(change_responses::table.filter(change_responses::article_id.eq(article_id)))
        .execute(conn)?;
    // One row per statement: MultiConnection cannot compile multi-row inserts, and a change
    // answers tens of comments, not thousands.
    for &comment_id in comment_ids {
        diesel::insert_into(change_comments::table)
            .values((
                change_comments::article_id.eq(article_id),
                change_comments::comment_id.eq(comment_id),
            ))
            .execute(conn)?;
    }
    for &response_id in response_ids {
        diesel::insert_into(change_responses::table)
            .values((
                change_responses::article_id.eq(article_id),
                change_responses::response_id.eq(response_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Which of `ids` are comments of the consultation that the public can read (published, not
/// meant for the drafters alone).
pub fn public_comments_among(
    conn: &mut DbConnection,
    consultation_id: i32,
    ids: &[i32],
) -> QueryResult<Vec<i32>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::id.eq_any(ids))
        .filter(comments::state.eq("published"))
        .filter(comments::visibility.ne("drafters"))
        .select(comments::id)
        .load(conn)
}

/// (tracking number, id) of the public comments of the consultation among `trackings`.
pub fn public_comments_by_tracking(
    conn: &mut DbConnection,
    consultation_id: i32,
    trackings: &[String],
) -> QueryResult<Vec<(String, i32)>> {
    if trackings.is_empty() {
        return Ok(Vec::new());
    }
    comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::tracking.eq_any(trackings))
        .filter(comments::state.eq("published"))
        .filter(comments::visibility.ne("drafters"))
        .select((comments::tracking, comments::id))
        .load(conn)
}

/// Which of `ids` are responses of the consultation.
pub fn responses_among(
    conn: &mut DbConnection,
    consultation_id: i32,
    ids: &[i32],
) -> QueryResult<Vec<i32>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    responses::table
        .filter(responses::consultation_id.eq(consultation_id))
        .filter(responses::id.eq_any(ids))
        .select(responses::id)
        .load(conn)
}

/// (article id, comment id, tracking number) of the comments linked to the changes of
/// `article_ids`, oldest comment first.
pub fn linked_comments(
    conn: &mut DbConnection,
    article_ids: &[i32],
) -> QueryResult<Vec<(i32, i32, String)>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    change_comments::table
        .inner_join(comments::table)
        .filter(change_comments::article_id.eq_any(article_ids))
        .order(comments::id)
        .select((
            change_comments::article_id,
            comments::id,
            comments::tracking,
        ))
        .load(conn)
}

/// (article id, response id, decision, answered article id) of a response linked to a change.
pub type LinkedResponseRow = (i32, i32, String, Option<i32>);

/// The responses linked to the changes of `article_ids`.
pub fn linked_responses(
    conn: &mut DbConnection,
    article_ids: &[i32],
) -> QueryResult<Vec<LinkedResponseRow>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    change_responses::table
        .inner_join(responses::table)
        .filter(change_responses::article_id.eq_any(article_ids))
        .order(responses::id)
        .select((
            change_responses::article_id,
            responses::id,
            responses::decision,
            responses::article_id,
        ))
        .load(conn)
}

/// (response id, comment id) of the comments that the responses `ids` answer.
pub fn comments_answered_by(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, i32)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    response_comments::table
        .filter(response_comments::response_id.eq_any(ids))
        .select((
            response_comments::response_id,
            response_comments::comment_id,
        ))
        .load(conn)
}

/// (version number, article number, label) of the articles `ids`.
pub fn article_places(
    conn: &mut DbConnection,
    ids: &[i32],
) -> QueryResult<Vec<(i32, i32, i32, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    articles::table
        .inner_join(draft_versions::table)
        .filter(articles::id.eq_any(ids))
        .select((
            articles::id,
            draft_versions::number,
            articles::number,
            articles::label,
        ))
        .load(conn)
}

/// (comment id, version number, article number) of the changes that comments among `ids` led to.
pub fn changes_led_by(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, i32, i32)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    change_comments::table
        .inner_join(articles::table.inner_join(draft_versions::table))
        .filter(change_comments::comment_id.eq_any(ids))
        .order((draft_versions::number, articles::position))
        .select((
            change_comments::comment_id,
            draft_versions::number,
            articles::number,
        ))
        .load(conn)
}

/// (id, tracking number, stance, body) of a comment a drafter may link to a change.
pub type CandidateRow = (i32, String, Option<String>, String);

/// The public top-level comments on article `article_id`, oldest first, at most `limit`: what a
/// drafter picks from when linking a change.
pub fn public_comments_on(
    conn: &mut DbConnection,
    article_id: i32,
    limit: i64,
) -> QueryResult<Vec<CandidateRow>> {
    comments::table
        .filter(comments::article_id.eq(article_id))
        .filter(comments::parent_id.is_null())
        .filter(comments::state.eq("published"))
        .filter(comments::visibility.ne("drafters"))
        .order(comments::id)
        .limit(limit)
        .select((
            comments::id,
            comments::tracking,
            comments::stance,
            comments::body,
        ))
        .load(conn)
}

/// Records that article `article_id` was split from, or merged from, article `source_id`.
pub fn insert_lineage(
    conn: &mut DbConnection,
    article_id: i32,
    source_id: i32,
    kind: &str,
) -> QueryResult<()> {
    diesel::insert_into(article_lineage::table)
        .values((
            article_lineage::article_id.eq(article_id),
            article_lineage::source_id.eq(source_id),
            article_lineage::kind.eq(kind),
        ))
        .execute(conn)
        .map(drop)
}

/// (article id, source article id, kind) of the splits and merges into `article_ids`.
pub fn lineage_of(
    conn: &mut DbConnection,
    article_ids: &[i32],
) -> QueryResult<Vec<(i32, i32, String)>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    article_lineage::table
        .filter(article_lineage::article_id.eq_any(article_ids))
        .order((article_lineage::article_id, article_lineage::source_id))
        .select((
            article_lineage::article_id,
            article_lineage::source_id,
            article_lineage::kind,
        ))
        .load(conn)
}

/// (number, label) of the article of version `version_id` with stable key `stable_key`.
pub fn article_by_key(
    conn: &mut DbConnection,
    version_id: i32,
    stable_key: &str,
) -> QueryResult<Option<(i32, String)>> {
    articles::table
        .filter(articles::version_id.eq(version_id))
        .filter(articles::stable_key.eq(stable_key))
        .select((articles::number, articles::label))
        .first(conn)
        .optional()
}
