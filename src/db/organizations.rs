//! Queries on `organizations` and on the link from users to them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{organizations, users};

/// An organisation row.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    /// Row id.
    pub id: i32,
    /// Registered name.
    pub name: String,
    /// Stored stakeholder type.
    pub org_type: String,
    /// 统一社会信用代码.
    pub uscc: String,
    /// pending, verified or rejected.
    pub status: String,
    /// Why it was rejected.
    pub review_reason: Option<String>,
    /// When it was reviewed.
    pub reviewed_at: Option<NaiveDateTime>,
    /// When it was registered.
    pub created_at: NaiveDateTime,
}

/// Stores a pending organisation, links its creator to it, and returns its id.
pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    org_type: &str,
    uscc: &str,
    creator: i32,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let id = diesel::insert_into(organizations::table)
        .values((
            organizations::name.eq(name),
            organizations::org_type.eq(org_type),
            organizations::uscc.eq(uscc),
            organizations::status.eq("pending"),
            organizations::created_by.eq(creator),
            organizations::created_at.eq(now),
        ))
        .returning(organizations::id)
        .get_result(conn)?;
    diesel::update(users::table.find(creator))
        .set(users::organization_id.eq(id))
        .execute(conn)?;
    Ok(id)
}

/// Whether a code is registered already.
pub fn uscc_taken(conn: &mut DbConnection, uscc: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        organizations::table.filter(organizations::uscc.eq(uscc)),
    ))
    .get_result(conn)
}

/// One organisation.
pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<OrganizationRow>> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

/// Organisations in a status, oldest first, with their creator's e-mail address.
pub fn with_status(
    conn: &mut DbConnection,
    status: &str,
    limit: i64,
) -> QueryResult<Vec<(OrganizationRow, Option<String>)>> {
    organizations::table
        .left_join(users::table.on(users::id.nullable().eq(organizations::created_by)))
        .filter(organizations::status.eq(status))
        .order((organizations::created_at, organizations::id))
        .limit(limit)
        .select((OrganizationRow::as_select(), users::email.nullable()))
        .load(conn)
}

/// Records a review decision on a pending organisation; false when it was not pending.
pub fn review(
    conn: &mut DbConnection,
    id: i32,
    status: &str,
    reason: Option<&str>,
    reviewer: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        organizations::table
            .find(id)
            .filter(organizations::status.eq("pending")),
    )
    .set((
        organizations::status.eq(status),
        organizations::review_reason.eq(reason),
        organizations::reviewed_by.eq(reviewer),
        organizations::reviewed_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
