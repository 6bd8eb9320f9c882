//! Queries for revised versions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{articles, draft_versions};

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
