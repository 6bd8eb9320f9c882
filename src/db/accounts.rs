//! Queries on `users`, `sessions` and `user_tokens`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{sessions, user_tokens, users};

/// A user row as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// Row id.
    pub id: i32,
    /// Lower-cased e-mail address.
    pub email: String,
    /// Name shown with comments.
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Stored form of the stakeholder type.
    pub stakeholder_type: String,
    /// Preferred language tag for mails.
    pub locale: String,
    /// Site administrator.
    pub is_admin: bool,
    /// When the e-mail address was confirmed.
    pub verified_at: Option<NaiveDateTime>,
    /// When the account was created.
    pub created_at: NaiveDateTime,
    /// When the account was deleted (its personal data removed).
    pub deleted_at: Option<NaiveDateTime>,
    /// The organisation the account speaks for.
    pub organization_id: Option<i32>,
}

/// What a new account stores.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow<'a> {
    /// Lower-cased e-mail address.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Stored stakeholder type.
    pub stakeholder_type: &'a str,
    /// Language tag.
    pub locale: &'a str,
    /// Administrator flag.
    pub is_admin: bool,
    /// Creation time.
    pub created_at: NaiveDateTime,
}

/// Stores a new user and returns its id.
pub fn insert_user(conn: &mut DbConnection, row: &NewUserRow<'_>) -> QueryResult<i32> {
    diesel::insert_into(users::table)
        .values(row)
        .returning(users::id)
        .get_result(conn)
}

/// The live (not deleted) user with this e-mail address.
pub fn user_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Whether any account, live or deleted, uses this address.
pub fn email_taken(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::email.eq(email)),
    ))
    .get_result(conn)
}

/// The live user with this id.
pub fn user_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Changes display name and stakeholder type.
pub fn update_profile(
    conn: &mut DbConnection,
    id: i32,
    display_name: &str,
    stakeholder_type: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(display_name),
            users::stakeholder_type.eq(stakeholder_type),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces the password hash.
pub fn set_password_hash(conn: &mut DbConnection, id: i32, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
        .map(drop)
}

/// Marks the address as confirmed, keeping the first confirmation time.
pub fn mark_verified(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id).filter(users::verified_at.is_null()))
        .set(users::verified_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Grants or keeps administrator rights.
pub fn set_admin(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::is_admin.eq(true))
        .execute(conn)
        .map(drop)
}

/// Removes a user's personal data while keeping the row, so what they posted stays attributed to
/// "a deleted account".
pub fn anonymize(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(format!("deleted-{id}@deleted.invalid")),
            users::display_name.eq(""),
            users::password_hash.eq(""),
            users::is_admin.eq(false),
            users::organization_id.eq(None::<i32>),
            users::deleted_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
    diesel::delete(user_tokens::table.filter(user_tokens::user_id.eq(id))).execute(conn)?;
    Ok(())
}

/// Stores a session and returns its id.
pub fn insert_session(
    conn: &mut DbConnection,
    user_id: i32,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .returning(sessions::id)
        .get_result(conn)
}

/// The live user behind an unexpired session.
pub fn session_user(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<UserRow>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A user's sessions as (created, expires), newest first.
pub fn sessions_of(
    conn: &mut DbConnection,
    user_id: i32,
) -> QueryResult<Vec<(NaiveDateTime, NaiveDateTime)>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .order(sessions::created_at.desc())
        .select((sessions::created_at, sessions::expires_at))
        .load(conn)
}

/// Ends one session.
pub fn delete_session(conn: &mut DbConnection, token_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash)))
        .execute(conn)
        .map(drop)
}

/// Ends every session of a user.
pub fn delete_sessions_of(conn: &mut DbConnection, user_id: i32) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

/// Stores a single-use token.
pub fn insert_token(
    conn: &mut DbConnection,
    user_id: i32,
    purpose: &str,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(user_tokens::table)
        .values((
            user_tokens::user_id.eq(user_id),
            user_tokens::purpose.eq(purpose),
            user_tokens::token_hash.eq(token_hash),
            user_tokens::created_at.eq(now),
            user_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The user an unused, unexpired token of `purpose` belongs to.
pub fn token_user(
    conn: &mut DbConnection,
    purpose: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(i32, UserRow)>> {
    user_tokens::table
        .inner_join(users::table)
        .filter(user_tokens::purpose.eq(purpose))
        .filter(user_tokens::token_hash.eq(token_hash))
        .filter(user_tokens::used_at.is_null())
        .filter(user_tokens::expires_at.gt(now))
        .filter(users::deleted_at.is_null())
        .select((user_tokens::id, UserRow::as_select()))
        .first(conn)
        .optional()
}

/// Uses up a token; returns false when it was already used (a concurrent request won).
pub fn use_token(conn: &mut DbConnection, token_id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        user_tokens::table
            .find(token_id)
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}

/// Invalidates every unused token of `purpose` for a user (a newer one replaces them).
pub fn expire_tokens(
    conn: &mut DbConnection,
    user_id: i32,
    purpose: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        user_tokens::table
            .filter(user_tokens::user_id.eq(user_id))
            .filter(user_tokens::purpose.eq(purpose))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(now))
    .execute(conn)
    .map(drop)
}
