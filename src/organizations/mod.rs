//! Organisations: enterprises, industry associations, research institutions, NGOs and government
//! bodies that comment as themselves, verified by an administrator.

pub mod uscc;

use chrono::NaiveDateTime;

use crate::accounts::{FieldError, StakeholderType, User};
use crate::db::organizations::{self as q, OrganizationRow};
use crate::db::{self, DbConnection, DbError};

/// Longest organisation name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest rejection reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// Most organisations the review queue shows at once.
pub const QUEUE_LIMIT: i64 = 200;

/// Where an organisation stands with the administrators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgStatus {
    /// Waiting for review.
    Pending,
    /// Checked by an administrator: its members show the verified badge.
    Verified,
    /// Refused, with a reason.
    Rejected,
}

impl OrgStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Verified, Self::Rejected]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// An organisation.
#[derive(Clone, Debug)]
pub struct Organization {
    /// Row id.
    pub id: i32,
    /// Registered name.
    pub name: String,
    /// Its type.
    pub org_type: StakeholderType,
    /// 统一社会信用代码.
    pub uscc: String,
    /// Review status.
    pub status: OrgStatus,
    /// Why it was rejected.
    pub review_reason: Option<String>,
    /// When it was reviewed.
    pub reviewed_at: Option<NaiveDateTime>,
    /// When it was registered.
    pub created_at: NaiveDateTime,
}

impl TryFrom<OrganizationRow> for Organization {
    type Error = DbError;

    fn try_from(r: OrganizationRow) -> Result<Self, DbError> {
        let bad = |what: &str, v: &str| {
            DbError::Query(diesel::result::Error::DeserializationError(
                format!("unknown {what} '{v}'").into(),
            ))
        };
        Ok(Self {
            org_type: StakeholderType::parse(&r.org_type)
                .ok_or_else(|| bad("organisation type", &r.org_type))?,
            status: OrgStatus::parse(&r.status)
                .ok_or_else(|| bad("organisation status", &r.status))?,
            id: r.id,
            name: r.name,
            uscc: r.uscc,
            review_reason: r.review_reason,
            reviewed_at: r.reviewed_at,
            created_at: r.created_at,
        })
    }
}

/// Types an organisation can have (not individuals, not "other").
pub const ORG_TYPES: [StakeholderType; 5] = [
    StakeholderType::Enterprise,
    StakeholderType::IndustryAssociation,
    StakeholderType::Academic,
    StakeholderType::Ngo,
    StakeholderType::Government,
];

/// A validated registration of an organisation.
#[derive(Clone, Debug)]
pub struct NewOrganization {
    /// Name.
    pub name: String,
    /// Type.
    pub org_type: StakeholderType,
    /// Normalised code.
    pub uscc: String,
}

/// Validates the organisation form, collecting every field's error.
pub fn validate(
    name: &str,
    org_type: &str,
    code: &str,
) -> Result<NewOrganization, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "field-required"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new("name", "org-name-too-long"));
    } else if name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "text-control-chars"));
    }
    let kind = StakeholderType::parse(org_type).filter(|t| ORG_TYPES.contains(t));
    if kind.is_none() {
        errors.push(FieldError::new("org_type", "org-type-invalid"));
    }
    let uscc = uscc::parse(code)
        .map_err(|e| errors.push(uscc_error(e)))
        .ok();
    match (kind, uscc, errors.is_empty()) {
        (Some(org_type), Some(uscc), true) => Ok(NewOrganization {
            name: name.to_owned(),
            org_type,
            uscc,
        }),
        _ => Err(errors),
    }
}

fn uscc_error(e: uscc::UsccError) -> FieldError {
    let (message, args) = match e {
        uscc::UsccError::Length(n) => ("uscc-length", vec![("n", n.to_string())]),
        uscc::UsccError::BadChar { position, found } => (
            "uscc-bad-char",
            vec![
                ("position", position.to_string()),
                ("found", found.to_string()),
            ],
        ),
        uscc::UsccError::NotDigit { position, found } => (
            "uscc-not-digit",
            vec![
                ("position", position.to_string()),
                ("found", found.to_string()),
            ],
        ),
        uscc::UsccError::CheckDigit { expected, found } => (
            "uscc-check-digit",
            vec![
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
        ),
    };
    FieldError {
        field: "uscc",
        message,
        args,
    }
}

/// Why an organisation could not be registered or reviewed.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// The account speaks for an organisation already.
    #[error("the account already belongs to an organisation")]
    AlreadyMember,
    /// The account is an individual's.
    #[error("only organisational accounts can register an organisation")]
    NotOrganisational,
    /// Another account registered this code.
    #[error("this unified social credit code is registered already")]
    UsccTaken,
    /// The organisation is not waiting for review.
    #[error("the organisation is not pending review")]
    NotPending,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for OrgError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// Registers `org` for `user`, pending review.
pub fn register(
    conn: &mut DbConnection,
    user: &User,
    org: &NewOrganization,
    now: NaiveDateTime,
) -> Result<i32, OrgError> {
    if user.organization_id.is_some() {
        return Err(OrgError::AlreadyMember);
    }
    if !ORG_TYPES.contains(&user.stakeholder_type) {
        return Err(OrgError::NotOrganisational);
    }
    db::transaction(conn, |conn| {
        if q::uscc_taken(conn, &org.uscc)? {
            return Err(OrgError::UsccTaken);
        }
        Ok(q::insert(
            conn,
            &org.name,
            org.org_type.as_str(),
            &org.uscc,
            user.id,
            now,
        )?)
    })
}

/// One organisation.
pub fn get(conn: &mut DbConnection, id: i32) -> Result<Option<Organization>, DbError> {
    q::by_id(conn, id)?.map(Organization::try_from).transpose()
}

/// The organisations waiting for review, oldest first, with who registered them.
pub fn queue(conn: &mut DbConnection) -> Result<Vec<(Organization, Option<String>)>, DbError> {
    q::with_status(conn, OrgStatus::Pending.as_str(), QUEUE_LIMIT)?
        .into_iter()
        .map(|(row, email)| Ok((Organization::try_from(row)?, email)))
        .collect()
}

/// An administrator's decision on a pending organisation.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Verified: members show the badge.
    Verify,
    /// Rejected, with the reason shown to the organisation.
    Reject(String),
}

/// Records `decision` on organisation `id` by administrator `reviewer`.
pub fn review(
    conn: &mut DbConnection,
    id: i32,
    decision: &Decision,
    reviewer: i32,
    now: NaiveDateTime,
) -> Result<(), OrgError> {
    let (status, reason) = match decision {
        Decision::Verify => (OrgStatus::Verified, None),
        Decision::Reject(r) => (OrgStatus::Rejected, Some(r.as_str())),
    };
    if q::review(conn, id, status.as_str(), reason, reviewer, now)? {
        Ok(())
    } else {
        Err(OrgError::NotPending)
    }
}

/// Checks a rejection reason: 1 to [`MAX_REASON_CHARS`] characters.
pub fn parse_reason(raw: &str) -> Result<String, FieldError> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(FieldError::new("reason", "field-required"));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(FieldError::new("reason", "reason-too-long"));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new("reason", "text-control-chars"));
    }
    Ok(reason.to_owned())
}
