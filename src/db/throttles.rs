//! Queries on `throttles`: counters that must hold across instances, so they live in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::throttles;

/// One counter.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = throttles)]
#[diesel(treat_none_as_null = true)]
pub struct ThrottleRow {
    /// What is counted, such as `login-account:someone@example.com`.
    pub key: String,
    /// Start of the current counting window.
    pub window_start: NaiveDateTime,
    /// Events in the window.
    pub hits: i32,
    /// Refused until then.
    pub locked_until: Option<NaiveDateTime>,
}

/// The counter under `key`.
pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<ThrottleRow>> {
    throttles::table
        .find(key)
        .select(ThrottleRow::as_select())
        .first(conn)
        .optional()
}

/// Stores `row`, replacing the counter under its key.
pub fn put(conn: &mut DbConnection, row: &ThrottleRow) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(throttles::table)
            .values(row)
            .on_conflict(throttles::key)
            .do_update()
            .set(row)
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::replace_into(throttles::table)
            .values(row)
            .execute(lite)?,
    };
    Ok(())
}

/// Forgets the counter under `key`.
pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(throttles::table.find(key))
        .execute(conn)
        .map(drop)
}
