//! Queries for the drafters' exports: comments of one consultation in pages by id.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{articles, comments};

/// One comment as the exports read it, with its article's label.
#[derive(Queryable, Debug)]
pub struct ExportRow {
    /// Row id.
    pub id: i32,
    /// Tracking number.
    pub tracking: String,
    /// The comment it answers.
    pub parent_id: Option<i32>,
    /// Its article's label (第五条), if on an article.
    pub article_label: Option<String>,
    /// Stance (replies have none).
    pub stance: Option<String>,
    /// Stakeholder type when posted.
    pub stakeholder_type: String,
    /// Organisation when posted.
    pub organization_name: Option<String>,
    /// Author's display name when posted.
    pub author_name: String,
    /// Who may read it.
    pub visibility: String,
    /// Moderation state.
    pub state: String,
    /// Why it was hidden.
    pub hidden_reason: Option<String>,
    /// The text.
    pub body: String,
    /// The proposed wording.
    pub proposed_text: Option<String>,
    /// Endorsement count.
    pub endorsements: i32,
    /// When posted (UTC).
    pub created_at: NaiveDateTime,
    /// Hash of its content.
    pub content_hash: String,
}

/// Which comments a page holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every comment: the drafters' exports.
    All,
    /// Published comments readers may see: the public API.
    Public,
}

/// Up to `limit` comments of consultation `consultation_id` in `scope` with ids above `after`, by
/// id: the index `comments_consultation_id (consultation_id, id)` makes each page one range scan.
pub fn page(
    conn: &mut DbConnection,
    consultation_id: i32,
    scope: Scope,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    let mut query = comments::table
        .left_join(articles::table)
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::id.gt(after))
        .into_boxed();
    if scope == Scope::Public {
        query = query
            .filter(comments::visibility.ne("drafters"))
            .filter(comments::state.eq("published"));
    }
    query
        .order(comments::id)
        .limit(limit)
        .select((
            comments::id,
            comments::tracking,
            comments::parent_id,
            articles::label.nullable(),
            comments::stance,
            comments::stakeholder_type,
            comments::organization_name,
            comments::author_name,
            comments::visibility,
            comments::state,
            comments::hidden_reason,
            comments::body,
            comments::proposed_text,
            comments::endorsements,
            comments::created_at,
            comments::content_hash,
        ))
        .load(conn)
}

/// The tracking numbers of the comments `ids`, as (id, tracking).
pub fn trackings(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .select((comments::id, comments::tracking))
        .load(conn)
}

/// The labels of the articles `ids`, as (id, label).
pub fn article_labels(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::label))
        .load(conn)
}
