//! Accounts: who is speaking. Registration, e-mail verification, sessions, password reset, profile.

pub mod mails;
pub mod password;
pub mod throttle;

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::accounts::{self as q, NewUserRow, UserRow};
use crate::db::{self, DbConnection, DbError};
use crate::i18n::Locale;
use crate::mail;
pub use crate::validation::FieldError;
use throttle::{ThrottleError, Throttled};

/// How long a session lasts.
pub const SESSION_DAYS: i64 = 30;
/// How long an e-mail verification link works.
pub const VERIFY_HOURS: i64 = 48;
/// How long a password reset link works.
pub const RESET_HOURS: i64 = 1;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Longest e-mail address, in bytes (RFC 5321).
pub const MAX_EMAIL_LEN: usize = 254;

/// Who is commenting, as they declare it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StakeholderType {
    /// 个人.
    Citizen,
    /// 企业.
    Enterprise,
    /// 行业协会.
    IndustryAssociation,
    /// 科研机构.
    Academic,
    /// 社会组织.
    Ngo,
    /// 政府部门.
    Government,
    /// 其他.
    Other,
}

impl StakeholderType {
    /// Every type, in the order forms list them.
    pub const ALL: [Self; 7] = [
        Self::Citizen,
        Self::Enterprise,
        Self::IndustryAssociation,
        Self::Academic,
        Self::Ngo,
        Self::Government,
        Self::Other,
    ];

    /// The stored and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Enterprise => "enterprise",
            Self::IndustryAssociation => "industry_association",
            Self::Academic => "academic",
            Self::Ngo => "ngo",
            Self::Government => "government",
            Self::Other => "other",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A signed-in or looked-up user.
#[derive(Clone, Debug)]
pub struct User {
    /// Row id.
    pub id: i32,
    /// E-mail address (lower case).
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Declared stakeholder type.
    pub stakeholder_type: StakeholderType,
    /// Language for mails.
    pub locale: Locale,
    /// Site administrator.
    pub is_admin: bool,
    /// When the address was confirmed; unverified accounts read but do not post.
    pub verified_at: Option<NaiveDateTime>,
    /// When the account was created.
    pub created_at: NaiveDateTime,
    /// The organisation the account speaks for, if it registered one.
    pub organization_id: Option<i32>,
}

impl User {
    /// Whether the e-mail address has been confirmed.
    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }
}

impl TryFrom<UserRow> for User {
    type Error = DbError;

    fn try_from(r: UserRow) -> Result<Self, DbError> {
        let stakeholder_type = StakeholderType::parse(&r.stakeholder_type).ok_or_else(|| {
            DbError::Query(diesel::result::Error::DeserializationError(
                format!("unknown stakeholder type '{}'", r.stakeholder_type).into(),
            ))
        })?;
        Ok(Self {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            stakeholder_type,
            locale: Locale::from_tag(&r.locale).unwrap_or_default(),
            is_admin: r.is_admin,
            verified_at: r.verified_at,
            created_at: r.created_at,
            organization_id: r.organization_id,
        })
    }
}

/// Normalises and checks an e-mail address: trimmed, lower-cased, syntactically valid.
pub fn parse_email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    let err = |message| FieldError::new("email", message);
    if email.is_empty() {
        return Err(err("field-required"));
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(err("email-invalid"));
    }
    email
        .parse::<lettre::Address>()
        .map_err(|_| err("email-invalid"))?;
    Ok(email)
}

/// Checks a display name: 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn parse_display_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim().to_owned();
    let err = |message| FieldError::new("display_name", message);
    if name.is_empty() {
        return Err(err("field-required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(err("name-too-long"));
    }
    if name.chars().any(char::is_control) {
        return Err(err("text-control-chars"));
    }
    Ok(name)
}

/// Parses the stakeholder type field.
pub fn parse_stakeholder_type(raw: &str) -> Result<StakeholderType, FieldError> {
    StakeholderType::parse(raw)
        .ok_or_else(|| FieldError::new("stakeholder_type", "stakeholder-type-invalid"))
}

/// Checks a new password against the policy and the user's own data.
pub fn check_new_password(
    password: &str,
    email: &str,
    display_name: &str,
) -> Result<(), FieldError> {
    let local = email.split('@').next().unwrap_or_default();
    password::check(password, &[local, display_name])
        .map_err(|w| FieldError::new("password", w.message_key()))
}

/// A secret handed to a browser or put in a link; only its hash is stored.
#[derive(Clone, Debug)]
pub struct Token {
    /// What the user holds.
    pub plain: String,
    /// What the database holds.
    pub hash: String,
}

impl Token {
    /// A fresh random token (256 bits).
    pub fn generate() -> Self {
        let plain = hex::encode(rand::random::<[u8; 32]>());
        let hash = token_hash(&plain);
        Self { plain, hash }
    }
}

/// The stored form of a token.
pub fn token_hash(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Why an account operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// An account with that address exists.
    #[error("e-mail address already registered")]
    EmailTaken,
    /// Too many attempts.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// Wrong e-mail or password; `locked` when this failure locked the account or address.
    #[error("wrong e-mail address or password")]
    BadCredentials {
        /// Set when this failure triggered a lock-out.
        locked: Option<Throttled>,
        /// Recent failures for this account, this one included (answers slow down as it grows).
        failures: i32,
    },
    /// The link is unknown, used or expired.
    #[error("invalid or expired link")]
    InvalidToken,
    /// The account no longer exists.
    #[error("no such account")]
    NoSuchUser,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

impl From<ThrottleError> for AccountError {
    fn from(e: ThrottleError) -> Self {
        match e {
            ThrottleError::Throttled(t) => Self::Throttled(t),
            ThrottleError::Db(d) => Self::Db(d),
        }
    }
}

/// Where links in mails point.
#[derive(Clone, Debug)]
pub struct Links {
    /// The site's public origin, with a trailing slash.
    pub base_url: url::Url,
}

impl Links {
    fn link(&self, path: &str, token: &str) -> String {
        let mut url = self.base_url.clone();
        url.set_path(path);
        url.query_pairs_mut().clear().append_pair("token", token);
        url.to_string()
    }
}

/// A validated registration.
#[derive(Clone, Debug)]
pub struct Registration {
    /// Lower-cased address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// argon2id hash of the chosen password.
    pub password_hash: String,
    /// Declared type.
    pub stakeholder_type: StakeholderType,
    /// Language of the pages the user registered in.
    pub locale: Locale,
}

/// A new session: the cookie value and the user.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// Who is signed in.
    pub user: User,
}

fn create_session(
    conn: &mut DbConnection,
    user: User,
    now: NaiveDateTime,
) -> Result<NewSession, AccountError> {
    let token = Token::generate();
    q::insert_session(
        conn,
        user.id,
        &token.hash,
        now,
        now + Duration::days(SESSION_DAYS),
    )?;
    Ok(NewSession {
        token: token.plain,
        user,
    })
}

fn send_verification(
    conn: &mut DbConnection,
    user: &User,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    q::expire_tokens(conn, user.id, "verify", now)?;
    let token = Token::generate();
    q::insert_token(
        conn,
        user.id,
        "verify",
        &token.hash,
        now,
        now + Duration::hours(VERIFY_HOURS),
    )?;
    let link = links.link("/verify", &token.plain);
    let outgoing = mails::verification(user, &link, &token.hash);
    mail::enqueue(conn, &outgoing, now)?;
    Ok(())
}

/// Creates an account, queues its verification mail and signs it in, all in one transaction.
pub fn register(
    conn: &mut DbConnection,
    reg: &Registration,
    client: &str,
    links: &Links,
    now: NaiveDateTime,
) -> Result<NewSession, AccountError> {
    db::transaction(conn, |conn| {
        throttle::check(conn, &throttle::REGISTER_ADDRESS, client, now)?;
        if q::email_taken(conn, &reg.email)? {
            return Err(AccountError::EmailTaken);
        }
        throttle::hit(conn, &throttle::REGISTER_ADDRESS, client, now)?;
        let id = q::insert_user(
            conn,
            &NewUserRow {
                email: &reg.email,
                display_name: &reg.display_name,
                password_hash: &reg.password_hash,
                stakeholder_type: reg.stakeholder_type.as_str(),
                locale: reg.locale.tag(),
                is_admin: false,
                created_at: now,
            },
        )?;
        let user = User::try_from(q::user_by_id(conn, id)?.ok_or(AccountError::NoSuchUser)?)?;
        send_verification(conn, &user, links, now)?;
        create_session(conn, user, now)
    })
}

/// Sends a fresh verification link, within the per-recipient mail limit.
pub fn resend_verification(
    conn: &mut DbConnection,
    user: &User,
    client: &str,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    db::transaction(conn, |conn| {
        throttle::check(conn, &throttle::MAIL_RECIPIENT, &user.email, now)?;
        throttle::check(conn, &throttle::MAIL_ADDRESS, client, now)?;
        throttle::hit(conn, &throttle::MAIL_RECIPIENT, &user.email, now)?;
        throttle::hit(conn, &throttle::MAIL_ADDRESS, client, now)?;
        send_verification(conn, user, links, now)
    })
}

/// Confirms the address a verification link was sent to.
pub fn verify_email(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    db::transaction(conn, |conn| {
        let (token_id, row) = q::token_user(conn, "verify", &token_hash(token), now)?
            .ok_or(AccountError::InvalidToken)?;
        if !q::use_token(conn, token_id, now)? {
            return Err(AccountError::InvalidToken);
        }
        q::mark_verified(conn, row.id, now)?;
        Ok(User::try_from(
            q::user_by_id(conn, row.id)?.ok_or(AccountError::NoSuchUser)?,
        )?)
    })
}

/// What a log-in attempt needs from the database before the password is checked.
#[derive(Clone, Debug)]
pub struct LoginTarget {
    /// The account, if the address has one.
    pub user: Option<User>,
    /// Its password hash.
    pub password_hash: Option<String>,
}

/// Refuses a locked-out account or address, else returns the account to check the password against.
pub fn begin_login(
    conn: &mut DbConnection,
    email: &str,
    client: &str,
    now: NaiveDateTime,
) -> Result<LoginTarget, AccountError> {
    throttle::check(conn, &throttle::LOGIN_ADDRESS, client, now)?;
    throttle::check(conn, &throttle::LOGIN_ACCOUNT, email, now)?;
    match q::user_by_email(conn, email)? {
        Some(row) => {
            let hash = row.password_hash.clone();
            Ok(LoginTarget {
                user: Some(User::try_from(row)?),
                password_hash: Some(hash),
            })
        }
        None => Ok(LoginTarget {
            user: None,
            password_hash: None,
        }),
    }
}

/// Records the outcome of the password check: a failure counts against account and address; a
/// success clears the account's count and opens a session.
pub fn finish_login(
    conn: &mut DbConnection,
    email: &str,
    user: Option<User>,
    password_ok: bool,
    client: &str,
    now: NaiveDateTime,
) -> Result<NewSession, AccountError> {
    match user {
        Some(user) if password_ok => db::transaction(conn, |conn| {
            throttle::reset(conn, &throttle::LOGIN_ACCOUNT, email)?;
            create_session(conn, user, now)
        }),
        _ => {
            // The failure is counted in a transaction of its own that commits, then reported.
            let (locked, failures) = db::transaction(conn, |conn| {
                let account = throttle::hit(conn, &throttle::LOGIN_ACCOUNT, email, now)?;
                let address = throttle::hit(conn, &throttle::LOGIN_ADDRESS, client, now)?;
                Ok::<_, AccountError>((
                    account.locked.or(address.locked),
                    account.count.max(address.count / 4),
                ))
            })?;
            Err(AccountError::BadCredentials { locked, failures })
        }
    }
}

/// The user behind a session cookie, if it is live.
pub fn session_user(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    q::session_user(conn, &token_hash(token), now)?
        .map(User::try_from)
        .transpose()
}

/// Ends the session behind a cookie.
pub fn logout(conn: &mut DbConnection, token: &str) -> Result<(), DbError> {
    Ok(q::delete_session(conn, &token_hash(token))?)
}

/// Queues a reset link when the address has an account; says nothing either way, so the answer
/// does not tell whether an address is registered.
pub fn request_password_reset(
    conn: &mut DbConnection,
    email: &str,
    client: &str,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    db::transaction(conn, |conn| {
        throttle::check(conn, &throttle::MAIL_ADDRESS, client, now)?;
        throttle::hit(conn, &throttle::MAIL_ADDRESS, client, now)?;
        let Some(row) = q::user_by_email(conn, email)? else {
            return Ok(());
        };
        // Over the per-recipient limit the request is dropped silently: saying so would reveal the account.
        if throttle::check(conn, &throttle::MAIL_RECIPIENT, email, now).is_err() {
            return Ok(());
        }
        throttle::hit(conn, &throttle::MAIL_RECIPIENT, email, now)?;
        let user = User::try_from(row)?;
        q::expire_tokens(conn, user.id, "reset", now)?;
        let token = Token::generate();
        q::insert_token(
            conn,
            user.id,
            "reset",
            &token.hash,
            now,
            now + Duration::hours(RESET_HOURS),
        )?;
        let link = links.link("/password-reset/confirm", &token.plain);
        mail::enqueue(conn, &mails::password_reset(&user, &link, &token.hash), now)?;
        Ok(())
    })
}

/// The account a reset link belongs to, if the link is usable.
pub fn reset_token_user(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    q::token_user(conn, "reset", &token_hash(token), now)?
        .map(|(_, row)| User::try_from(row))
        .transpose()
}

/// Sets a new password from a reset link and ends every session of the account.
pub fn complete_password_reset(
    conn: &mut DbConnection,
    token: &str,
    new_hash: &str,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    db::transaction(conn, |conn| {
        let (token_id, row) = q::token_user(conn, "reset", &token_hash(token), now)?
            .ok_or(AccountError::InvalidToken)?;
        if !q::use_token(conn, token_id, now)? {
            return Err(AccountError::InvalidToken);
        }
        q::set_password_hash(conn, row.id, new_hash)?;
        q::delete_sessions_of(conn, row.id)?;
        // Following the link proves the address too.
        q::mark_verified(conn, row.id, now)?;
        Ok(())
    })
}

/// The stored password hash of a user, to check the current password before a sensitive change.
pub fn password_hash_of(conn: &mut DbConnection, user_id: i32) -> Result<Option<String>, DbError> {
    Ok(q::user_by_id(conn, user_id)?.map(|r| r.password_hash))
}

/// Changes display name and stakeholder type.
pub fn update_profile(
    conn: &mut DbConnection,
    user_id: i32,
    display_name: &str,
    stakeholder_type: StakeholderType,
) -> Result<(), DbError> {
    Ok(q::update_profile(
        conn,
        user_id,
        display_name,
        stakeholder_type.as_str(),
    )?)
}

/// Sets a new password, ends every session and opens a fresh one for the browser that asked.
pub fn change_password(
    conn: &mut DbConnection,
    user: User,
    new_hash: &str,
    now: NaiveDateTime,
) -> Result<NewSession, AccountError> {
    db::transaction(conn, |conn| {
        q::set_password_hash(conn, user.id, new_hash)?;
        q::delete_sessions_of(conn, user.id)?;
        create_session(conn, user, now)
    })
}

/// Everything yijian holds about one person, as they can download it.
#[derive(Clone, Debug, Serialize)]
pub struct PersonalData {
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Declared stakeholder type.
    pub stakeholder_type: StakeholderType,
    /// Language for mails.
    pub locale: &'static str,
    /// Administrator.
    pub is_admin: bool,
    /// Created (UTC).
    pub created_at: NaiveDateTime,
    /// Address confirmed (UTC).
    pub verified_at: Option<NaiveDateTime>,
    /// Open sessions: created and expiring (UTC).
    pub sessions: Vec<SessionInfo>,
}

/// One session in the personal data export.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    /// When it was opened.
    pub created_at: NaiveDateTime,
    /// When it ends.
    pub expires_at: NaiveDateTime,
}

/// Collects a user's personal data.
pub fn export(conn: &mut DbConnection, user: &User) -> Result<PersonalData, DbError> {
    let sessions = q::sessions_of(conn, user.id)?
        .into_iter()
        .map(|(created_at, expires_at)| SessionInfo {
            created_at,
            expires_at,
        })
        .collect();
    Ok(PersonalData {
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        stakeholder_type: user.stakeholder_type,
        locale: user.locale.tag(),
        is_admin: user.is_admin,
        created_at: user.created_at,
        verified_at: user.verified_at,
        sessions,
    })
}

/// Deletes an account under 个人信息保护法: personal data goes, the row stays so that what the
/// person posted remains in the public record as "已注销用户".
pub fn delete_account(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    db::transaction(conn, |conn| {
        // Digests would keep going to the address the account had: its subscriptions go too.
        crate::db::subscriptions::delete_for_user(conn, user_id)?;
        Ok(q::anonymize(conn, user_id, now)?)
    })
}

/// Creates an administrator, or promotes an existing account; returns whether it was created.
pub fn create_or_promote_admin(
    conn: &mut DbConnection,
    email: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<bool, AccountError> {
    db::transaction(conn, |conn| {
        if let Some(row) = q::user_by_email(conn, email)? {
            q::set_admin(conn, row.id)?;
            return Ok(false);
        }
        let id = q::insert_user(
            conn,
            &NewUserRow {
                email,
                display_name: email.split('@').next().unwrap_or(email),
                password_hash,
                stakeholder_type: StakeholderType::Government.as_str(),
                locale: Locale::ZhCn.tag(),
                is_admin: true,
                created_at: now,
            },
        )?;
        q::mark_verified(conn, id, now)?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            parse_email("  Li.Ming@Example.COM ").as_deref(),
            Ok("li.ming@example.com")
        );
        for bad in [
            "",
            "no-at-sign",
            "a@",
            "@b.cn",
            &format!("{}@x.cn", "a".repeat(260)),
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(parse_display_name(" 李明 ").as_deref(), Ok("李明"));
        assert_eq!(
            parse_display_name("").map_err(|e| e.message),
            Err("field-required")
        );
        assert_eq!(
            parse_display_name(&"名".repeat(51)).map_err(|e| e.message),
            Err("name-too-long")
        );
        assert_eq!(
            parse_display_name("a\u{7}b").map_err(|e| e.message),
            Err("text-control-chars")
        );
    }

    #[test]
    fn stakeholder_types_round_trip() {
        for t in StakeholderType::ALL {
            assert_eq!(StakeholderType::parse(t.as_str()), Some(t));
        }
        assert_eq!(StakeholderType::parse("alien"), None);
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a.plain, b.plain);
        assert_eq!(a.hash, token_hash(&a.plain));
        assert_ne!(a.hash, a.plain);
        assert_eq!(a.plain.len(), 64);
    }
}
