//! Queries for the demonstration data: the generated accounts and their organisations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{organizations, users};

/// A live account as a generated comment needs it.
#[derive(Clone, Debug, Queryable)]
pub struct AuthorRow {
    /// Row id.
    pub id: i32,
    /// Display name.
    pub display_name: String,
    /// Stored stakeholder type.
    pub stakeholder_type: String,
    /// Name of the organisation it belongs to.
    pub organization: Option<String>,
    /// That organisation's review status.
    pub organization_status: Option<String>,
}

/// Live, verified accounts whose address is under `@domain` and whose password hash is exactly
/// `password_hash`, with their organisation, oldest first.
pub fn authors_in_domain(
    conn: &mut DbConnection,
    domain: &str,
    password_hash: &str,
) -> QueryResult<Vec<AuthorRow>> {
    users::table
        .left_join(organizations::table)
        .filter(users::email.like(format!("%@{domain}")))
        .filter(users::password_hash.eq(password_hash))
        .filter(users::verified_at.is_not_null())
        .filter(users::deleted_at.is_null())
        .order(users::id)
        .select((
            users::id,
            users::display_name,
            users::stakeholder_type,
            organizations::name.nullable(),
            organizations::status.nullable(),
        ))
        .load(conn)
}

/// Stores an organisation that is verified from the start (no administrator reviewed it: it is
/// generated) and returns its id.
pub fn insert_verified_organization(
    conn: &mut DbConnection,
    name: &str,
    org_type: &str,
    uscc: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(organizations::table)
        .values((
            organizations::name.eq(name),
            organizations::org_type.eq(org_type),
            organizations::uscc.eq(uscc),
            organizations::status.eq("verified"),
            organizations::reviewed_at.eq(now),
            organizations::created_at.eq(now),
        ))
        .returning(organizations::id)
        .get_result(conn)
}

/// Makes a user speak for an organisation.
pub fn set_organization(conn: &mut DbConnection, user_id: i32, org_id: i32) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::organization_id.eq(org_id))
        .execute(conn)
        .map(drop)
}

/// SQLite pages kept in memory during a bulk load, in KiB (the default is 2,000).
const BULK_CACHE_KIB: i64 = 262_144;

/// Lets a SQLite connection keep [`BULK_CACHE_KIB`] of pages in memory (`true`) or returns it to
/// the default (`false`). The unique indexes on random keys (tracking numbers, token hashes) make
/// a bulk load touch pages all over them, which with the default cache are read back from the
/// operating system at every insert. PostgreSQL sizes its cache server-side: nothing to do.
pub fn bulk_load_cache(conn: &mut DbConnection, on: bool) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(lite) => lite.batch_execute(&format!(
            "PRAGMA cache_size = -{}",
            if on { BULK_CACHE_KIB } else { 2000 }
        )),
        DbConnection::Postgresql(_) => Ok(()),
    }
}
