//! Queries on `attachments`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::comments::CommentRow;
use super::schema::{attachments, comments};

/// An attachment row.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    /// Row id.
    pub id: i32,
    /// The comment it belongs to.
    pub comment_id: i32,
    /// SHA-256 of the content (hex), also its file name in storage.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// MIME type decided from the content.
    pub content_type: String,
    /// The name it was uploaded under (for the download).
    pub file_name: String,
}

/// Stores an attachment row.
pub fn insert(
    conn: &mut DbConnection,
    comment_id: i32,
    sha256: &str,
    size: i64,
    content_type: &str,
    file_name: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(attachments::table)
        .values((
            attachments::comment_id.eq(comment_id),
            attachments::sha256.eq(sha256),
            attachments::size.eq(size),
            attachments::content_type.eq(content_type),
            attachments::file_name.eq(file_name),
            attachments::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The attachments of some comments.
pub fn of_comments(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<AttachmentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    attachments::table
        .filter(attachments::comment_id.eq_any(ids))
        .order(attachments::id)
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// One attachment with its comment.
pub fn with_comment(
    conn: &mut DbConnection,
    id: i32,
) -> QueryResult<Option<(AttachmentRow, CommentRow)>> {
    attachments::table
        .inner_join(comments::table)
        .filter(attachments::id.eq(id))
        .select((AttachmentRow::as_select(), CommentRow::as_select()))
        .first(conn)
        .optional()
}
