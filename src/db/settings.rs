//! Queries on `settings`: small values the instances share, such as the generated secret key.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::settings;

/// Stores `value` under `key` unless a value is there already, and returns the stored value;
/// two instances starting together thus agree on one value.
pub fn get_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<String> {
    let row = (settings::key.eq(key), settings::value.eq(value));
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(settings::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(settings::table)
            .values(row)
            .execute(lite)?,
    };
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
}
