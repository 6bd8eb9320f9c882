//! Queries on `consultation_roles`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{consultation_roles, users};

/// Grants `role` on a consultation to a user; granting twice changes nothing.
pub fn grant(
    conn: &mut DbConnection,
    consultation_id: i32,
    user_id: i32,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let row = (
        consultation_roles::consultation_id.eq(consultation_id),
        consultation_roles::user_id.eq(user_id),
        consultation_roles::role.eq(role),
        consultation_roles::granted_at.eq(now),
    );
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(consultation_roles::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(consultation_roles::table)
            .values(row)
            .execute(lite)?,
    };
    Ok(())
}

/// Withdraws `role`; false when the user did not hold it.
pub fn revoke(
    conn: &mut DbConnection,
    consultation_id: i32,
    user_id: i32,
    role: &str,
) -> QueryResult<bool> {
    diesel::delete(consultation_roles::table.find((consultation_id, user_id, role)))
        .execute(conn)
        .map(|n| n == 1)
}

/// Whether a user holds `role` on a consultation.
pub fn holds(
    conn: &mut DbConnection,
    consultation_id: i32,
    user_id: i32,
    role: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(consultation_roles::table.find((
        consultation_id,
        user_id,
        role,
    ))))
    .get_result(conn)
}

/// Everyone holding a role on a consultation: (user id, e-mail, display name, role), by role then e-mail.
pub fn of_consultation(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Vec<(i32, String, String, String)>> {
    consultation_roles::table
        .inner_join(users::table)
        .filter(consultation_roles::consultation_id.eq(consultation_id))
        .order((consultation_roles::role, users::email))
        .select((
            users::id,
            users::email,
            users::display_name,
            consultation_roles::role,
        ))
        .load(conn)
}
