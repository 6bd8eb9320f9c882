//! Per-consultation roles: drafters (起草人) answer and revise, moderators handle reports.

use chrono::NaiveDateTime;

use crate::accounts::FieldError;
use crate::db::{self, DbConnection, DbError};

/// A role on one consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// 起草人: sees the feedback, answers it, publishes revisions.
    Drafter,
    /// 审核员: handles reports and hides comments with a public reason.
    Moderator,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 2] = [Self::Drafter, Self::Moderator];

    /// The stored and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drafter => "drafter",
            Self::Moderator => "moderator",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Someone holding a role.
#[derive(Clone, Debug)]
pub struct RoleHolder {
    /// The user's id.
    pub user_id: i32,
    /// Their e-mail address.
    pub email: String,
    /// Their display name.
    pub display_name: String,
    /// The role.
    pub role: Role,
}

/// Why a role could not be granted.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// No live account has this address.
    #[error("no account with this e-mail address")]
    NoSuchUser,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for RoleError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

impl RoleError {
    /// The form error to show, when the error is the user's to fix.
    pub fn field_error(&self) -> Option<FieldError> {
        match self {
            Self::NoSuchUser => Some(FieldError::new("email", "role-no-such-user")),
            Self::Db(_) => None,
        }
    }
}

/// Grants `role` on a consultation to the account with `email`.
pub fn grant(
    conn: &mut DbConnection,
    consultation_id: i32,
    email: &str,
    role: Role,
    now: NaiveDateTime,
) -> Result<(), RoleError> {
    let user = db::accounts::user_by_email(conn, email)?.ok_or(RoleError::NoSuchUser)?;
    Ok(db::roles::grant(
        conn,
        consultation_id,
        user.id,
        role.as_str(),
        now,
    )?)
}

/// Withdraws a role; true when it was held.
pub fn revoke(
    conn: &mut DbConnection,
    consultation_id: i32,
    user_id: i32,
    role: Role,
) -> Result<bool, DbError> {
    Ok(db::roles::revoke(
        conn,
        consultation_id,
        user_id,
        role.as_str(),
    )?)
}

/// Whether a user holds `role` on a consultation.
pub fn holds(
    conn: &mut DbConnection,
    consultation_id: i32,
    user_id: i32,
    role: Role,
) -> Result<bool, DbError> {
    Ok(db::roles::holds(
        conn,
        consultation_id,
        user_id,
        role.as_str(),
    )?)
}

/// Everyone holding a role on a consultation.
pub fn holders(conn: &mut DbConnection, consultation_id: i32) -> Result<Vec<RoleHolder>, DbError> {
    db::roles::of_consultation(conn, consultation_id)?
        .into_iter()
        .map(|(user_id, email, display_name, role)| {
            let role = Role::parse(&role).ok_or_else(|| {
                DbError::Query(diesel::result::Error::DeserializationError(
                    format!("unknown role '{role}'").into(),
                ))
            })?;
            Ok(RoleHolder {
                user_id,
                email,
                display_name,
                role,
            })
        })
        .collect()
}
