//! Queries for revised versions.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::articles;

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
