//! Comments: what citizens, organisations and government bodies say about a draft, article by
//! article, with the receipt that proves what was recorded.

pub mod attachments;
pub mod diff;
pub mod mails;
pub mod moderation;
pub mod tracking;
pub mod view;

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::accounts::throttle::Throttled;
use crate::accounts::{StakeholderType, Token, User};
use crate::consultations::Status;
use crate::db::comments::{self as q, CommentRow, NewCommentRow};
use crate::db::{self, DbConnection, DbError};
use crate::ledger::{self, Appended, Event};
use crate::mail;
use crate::search;
use crate::validation::{FieldError, optional_text};

/// Longest comment body, in characters.
pub const MAX_BODY_CHARS: usize = 5000;
/// Longest proposed replacement text, in characters.
pub const MAX_PROPOSED_CHARS: usize = 10000;
/// Comments shown per page.
pub const PAGE_SIZE: i64 = 50;

/// How many comments one account may post in a sliding window.
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Comments allowed in any window.
    pub limit: i32,
    /// The window's length.
    pub window: chrono::Duration,
}

/// Comments one account may post: twenty in any ten minutes. Counted from the comments
/// themselves, which the duplicate check reads anyway, so posting keeps no counter to update.
pub const COMMENT_RATE: RateLimit = RateLimit {
    limit: 20,
    window: chrono::Duration::minutes(10),
};

impl RateLimit {
    /// When one more comment is allowed, given the times of the author's comments within the
    /// window before `now`; `None` when it is allowed now.
    fn refused_until(&self, mut recent: Vec<NaiveDateTime>) -> Option<NaiveDateTime> {
        let limit = usize::try_from(self.limit).unwrap_or(0);
        if recent.len() < limit {
            return None;
        }
        recent.sort_unstable();
        // Allowed again once all but limit − 1 of them have left the window.
        Some(recent[recent.len() - limit] + self.window)
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored and form value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Parses the stored form, refusing anything else.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

text_enum! {
    /// Where a comment stands on the text.
    Stance {
        /// 支持.
        Support => "support",
        /// 反对.
        Oppose => "oppose",
        /// 修改建议.
        Amend => "amend",
        /// 其他.
        Other => "other",
    }
}

text_enum! {
    /// Who may read a comment.
    Visibility {
        /// Public, with the author's name.
        Named => "named",
        /// Public, without the author's name.
        Anonymous => "anonymous",
        /// Only the consultation's drafters.
        Drafters => "drafters",
    }
}

text_enum! {
    /// Where a comment stands with the moderators.
    CommentState {
        /// Shown.
        Published => "published",
        /// Held for review (reported by several users).
        Pending => "pending",
        /// Hidden with a public reason; a placeholder stays.
        Hidden => "hidden",
    }
}

/// A comment as readers and drafters see it.
#[derive(Clone, Debug)]
pub struct Comment {
    /// Row id.
    pub id: i32,
    /// The receipt's tracking number.
    pub tracking: String,
    /// The article it is about (`None`: a chapter or the draft as a whole).
    pub article_id: Option<i32>,
    /// The chapter or section (章/节) it is about, if any.
    pub division_id: Option<i32>,
    /// The comment it answers.
    pub parent_id: Option<i32>,
    /// The author's account, unless deleted.
    pub author_id: Option<i32>,
    /// The author's display name when posted (empty when the account has been deleted).
    pub author_name: String,
    /// The author's stakeholder type when posted.
    pub stakeholder_type: StakeholderType,
    /// The verified organisation the author spoke for when posting.
    pub organization_name: Option<String>,
    /// The stance (replies have none).
    pub stance: Option<Stance>,
    /// What was said.
    pub body: String,
    /// A proposed replacement text for the article.
    pub proposed_text: Option<String>,
    /// Who may read it.
    pub visibility: Visibility,
    /// Moderation state.
    pub state: CommentState,
    /// SHA-256 of the recorded content (hex).
    pub content_hash: String,
    /// How many users endorse it.
    pub endorsements: i32,
    /// Why it was hidden.
    pub hidden_reason: Option<String>,
    /// When it was hidden.
    pub hidden_at: Option<NaiveDateTime>,
    /// When it was posted (UTC).
    pub created_at: NaiveDateTime,
}

impl TryFrom<CommentRow> for Comment {
    type Error = DbError;

    fn try_from(r: CommentRow) -> Result<Self, DbError> {
        let bad = |what: &str, v: &str| {
            DbError::Query(diesel::result::Error::DeserializationError(
                format!("unknown {what} '{v}'").into(),
            ))
        };
        Ok(Self {
            stakeholder_type: StakeholderType::parse(&r.stakeholder_type)
                .ok_or_else(|| bad("stakeholder type", &r.stakeholder_type))?,
            stance: match r.stance.as_deref() {
                Some(s) => Some(Stance::parse(s).ok_or_else(|| bad("stance", s))?),
                None => None,
            },
            visibility: Visibility::parse(&r.visibility)
                .ok_or_else(|| bad("visibility", &r.visibility))?,
            state: CommentState::parse(&r.state).ok_or_else(|| bad("comment state", &r.state))?,
            id: r.id,
            tracking: r.tracking,
            article_id: r.article_id,
            division_id: r.division_id,
            parent_id: r.parent_id,
            author_id: r.author_id,
            author_name: r.author_name,
            organization_name: r.organization_name,
            body: r.body,
            proposed_text: r.proposed_text,
            content_hash: r.content_hash,
            endorsements: r.endorsements,
            hidden_reason: r.hidden_reason,
            hidden_at: r.hidden_at,
            created_at: r.created_at,
        })
    }
}

impl Comment {
    /// Whether the text is shown (not hidden or held).
    pub fn is_visible(&self) -> bool {
        self.state == CommentState::Published
    }

    /// Whether the author's name is shown.
    pub fn is_named(&self) -> bool {
        self.visibility != Visibility::Anonymous
    }
}

/// The comment form as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CommentInput {
    /// Stance (required for a comment, absent for a reply).
    pub stance: String,
    /// What the person says.
    pub body: String,
    /// An optional replacement text for the article.
    pub proposed_text: String,
    /// Who may read it.
    pub visibility: String,
    /// The comment this answers, by tracking number.
    pub reply_to: String,
}

/// A validated comment.
#[derive(Clone, Debug)]
pub struct ValidComment {
    /// Stance, for comments.
    pub stance: Option<Stance>,
    /// Body.
    pub body: String,
    /// Proposed text.
    pub proposed_text: Option<String>,
    /// Visibility.
    pub visibility: Visibility,
    /// Tracking number of the comment answered.
    pub reply_to: Option<String>,
}

impl CommentInput {
    /// Validates the form, collecting every field's error.
    pub fn validate(&self) -> Result<ValidComment, Vec<FieldError>> {
        let mut errors = Vec::new();
        let reply_to = Some(self.reply_to.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let stance = if reply_to.is_some() {
            None
        } else {
            let s = Stance::parse(&self.stance);
            if s.is_none() {
                errors.push(FieldError::new("stance", "stance-required"));
            }
            s
        };
        let body = match optional_text("body", &self.body, MAX_BODY_CHARS) {
            Ok(Some(b)) => Some(b),
            Ok(None) => {
                errors.push(FieldError::new("body", "field-required"));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let proposed_text = if reply_to.is_some() {
            None
        } else {
            optional_text("proposed_text", &self.proposed_text, MAX_PROPOSED_CHARS)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten()
        };
        let visibility = if reply_to.is_some() && self.visibility.is_empty() {
            Some(Visibility::Named)
        } else {
            Visibility::parse(&self.visibility)
        };
        if visibility.is_none() {
            errors.push(FieldError::new("visibility", "visibility-required"));
        }
        match (body, visibility) {
            (Some(body), Some(visibility)) if errors.is_empty() => Ok(ValidComment {
                stance,
                body,
                proposed_text,
                visibility,
                reply_to,
            }),
            _ => Err(errors),
        }
    }
}

/// The SHA-256 of what a receipt certifies, over a canonical, documented serialisation:
/// `yijian-comment-v1`, then consultation slug, article label, stance, body and proposed text,
/// each on its own line after its length in bytes (so no field can be confused with another).
pub fn content_hash(slug: &str, article_label: &str, c: &ValidComment) -> String {
    let mut h = Sha256::new();
    h.update(b"yijian-comment-v1\n");
    for field in [
        slug,
        article_label,
        c.stance.map(Stance::as_str).unwrap_or(""),
        &c.body,
        c.proposed_text.as_deref().unwrap_or(""),
    ] {
        h.update(format!("{}\n", field.len()).as_bytes());
        h.update(field.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Why a comment was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    /// No such consultation, article or comment to answer.
    #[error("not found")]
    NotFound,
    /// The consultation is not open for comments.
    #[error("the consultation is not open for comments")]
    NotOpen(Status),
    /// The account has not confirmed its e-mail address.
    #[error("the account's e-mail address is not verified")]
    Unverified,
    /// The same person said the same thing about the same article already.
    #[error("the same comment was posted already")]
    Duplicate(String),
    /// The comment answered belongs elsewhere.
    #[error("the comment answered belongs to another article or consultation")]
    WrongThread,
    /// Too many comments in a short time.
    #[error(transparent)]
    Throttled(#[from] Throttled),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for CommentError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// What a comment is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The draft as a whole.
    Draft,
    /// A chapter or section (章/节), by its place in the document.
    Division(i32),
    /// An article, by number.
    Article(i32),
}

/// What was recorded.
#[derive(Clone, Debug)]
pub struct Posted {
    /// The receipt's tracking number.
    pub tracking: String,
}

/// Records a comment on `target` in consultation `slug` and queues its receipt mail, in one
/// transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub fn post(
    conn: &mut DbConnection,
    slug: &str,
    target: Target,
    comment: &ValidComment,
    files: &[attachments::Stored],
    author: &User,
    organization: Option<String>,
    base_url: &url::Url,
    now: NaiveDateTime,
) -> Result<Posted, CommentError> {
    if !author.is_verified() {
        return Err(CommentError::Unverified);
    }
    // A tracking number has 40 random bits: at a million comments a repeat becomes likely. Rather
    // than look each new number up first (a round trip on every post), the unique index refuses a
    // repeat and the whole transaction runs again with fresh numbers.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = db::transaction(conn, |conn| {
            record(
                conn,
                slug,
                target,
                comment,
                files,
                author,
                organization.as_deref(),
                base_url,
                now,
            )
        });
        match result {
            Err(CommentError::Db(DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )))) if attempts < 3 => continue,
            other => return other,
        }
    }
}

/// The transaction of [`post`].
#[expect(
    clippy::too_many_arguments,
    reason = "the arguments of post, passed through"
)]
fn record(
    conn: &mut DbConnection,
    slug: &str,
    target: Target,
    comment: &ValidComment,
    files: &[attachments::Stored],
    author: &User,
    organization: Option<&str>,
    base_url: &url::Url,
    now: NaiveDateTime,
) -> Result<Posted, CommentError> {
    // A comment on an article, the common case, finds its consultation and article in one query;
    // without the article, the consultation alone tells a closed window from a wrong number.
    let (consultation, article) = match target {
        Target::Article(n) => match db::consultations::with_article(conn, slug, n)? {
            Some((c, id, label)) => (Some(c), Some((id, label))),
            None => (db::consultations::by_slug(conn, slug)?, None),
        },
        Target::Division(_) | Target::Draft => (db::consultations::by_slug(conn, slug)?, None),
    };
    let consultation = consultation.ok_or(CommentError::NotFound)?;
    let status = consultation.status(now);
    if status != Status::Open {
        return Err(CommentError::NotOpen(status));
    }
    let version_id = consultation
        .current_version_id
        .ok_or(CommentError::NotFound)?;
    let (article_id, division_id, article_label) = match target {
        Target::Article(_) => {
            let (id, label) = article.ok_or(CommentError::NotFound)?;
            (Some(id), None, label)
        }
        Target::Division(p) => {
            let (id, label) =
                db::drafts::division_ref(conn, version_id, p)?.ok_or(CommentError::NotFound)?;
            (None, Some(id), label)
        }
        Target::Draft => (None, None, String::new()),
    };
    let (parent_id, parent_tracking) = match &comment.reply_to {
        Some(t) => {
            let parent =
                q::by_tracking(conn, &tracking::normalize(t).ok_or(CommentError::NotFound)?)?
                    .ok_or(CommentError::NotFound)?;
            if parent.consultation_id != consultation.id
                || parent.article_id != article_id
                || parent.division_id != division_id
            {
                return Err(CommentError::WrongThread);
            }
            (Some(parent.id), parent.tracking)
        }
        None => (None, String::new()),
    };
    let hash = content_hash(slug, &article_label, comment);
    let since = now - COMMENT_RATE.window;
    let own = q::own_recent_or_same(conn, author.id, &hash, since)?;
    if let Some(same) = own.iter().find(|c| {
        c.content_hash == hash && c.article_id == article_id && c.division_id == division_id
    }) {
        return Err(CommentError::Duplicate(same.tracking.clone()));
    }
    let recent = own
        .iter()
        .filter(|c| c.created_at > since)
        .map(|c| c.created_at)
        .collect();
    if let Some(until) = COMMENT_RATE.refused_until(recent) {
        return Err(CommentError::Throttled(Throttled { until }));
    }
    let dispute = Token::generate();
    let tracking = tracking::generate(now);
    let terms = if comment.visibility == Visibility::Drafters {
        Vec::new()
    } else {
        search::comment_terms(&comment.body, comment.proposed_text.as_deref())
    };
    let waiting = ledger::posting(
        &tracking,
        &article_label,
        &parent_tracking,
        comment.visibility.as_str(),
        &hash,
    );
    let comment_id = q::insert_posted(
        conn,
        &NewCommentRow {
            tracking: &tracking,
            consultation_id: consultation.id,
            version_id,
            article_id,
            parent_id,
            author_id: Some(author.id),
            author_name: &author.display_name,
            stakeholder_type: author.stakeholder_type.as_str(),
            organization_name: organization,
            stance: comment.stance.map(Stance::as_str),
            body: &comment.body,
            proposed_text: comment.proposed_text.as_deref(),
            visibility: comment.visibility.as_str(),
            state: CommentState::Published.as_str(),
            content_hash: &hash,
            dispute_token_hash: &dispute.hash,
            endorsements: 0,
            created_at: now,
            division_id,
        },
        &terms,
        waiting.kind,
        &waiting.payload,
    )?;
    for f in files {
        let size = i64::try_from(f.size).unwrap_or(i64::MAX);
        db::attachments::insert(
            conn,
            comment_id,
            &f.sha256,
            size,
            f.kind.mime(),
            &f.file_name,
            now,
        )?;
    }
    let receipt = mails::Receipt {
        user: author,
        consultation_title: consultation.title_in(author.locale),
        article_label: &article_label,
        tracking: &tracking,
        content_hash: &hash,
        stance: comment.stance,
        visibility: comment.visibility,
        posted_at: now,
        receipt_url: link(base_url, &format!("/receipt/{tracking}"), None),
        dispute_url: link(base_url, "/dispute", Some(&dispute.plain)),
    };
    mail::enqueue(conn, &receipt.render(), now)?;
    Ok(Posted { tracking })
}

fn link(base: &url::Url, path: &str, token: Option<&str>) -> String {
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(None);
    if let Some(t) = token {
        url.query_pairs_mut().append_pair("token", t);
    }
    url.to_string()
}

/// What a receipt page shows.
#[derive(Clone, Debug)]
pub struct ReceiptView {
    /// The comment.
    pub comment: Comment,
    /// The consultation's slug.
    pub slug: String,
    /// The consultation.
    pub consultation: crate::consultations::Consultation,
    /// Number and label of the article, when the comment is about one.
    pub article: Option<(i32, String)>,
    /// Position and label of the chapter or section, when the comment is about one.
    pub division: Option<(i32, String)>,
    /// The entry that recorded it in the public record (none for demonstration comments).
    pub ledger: Option<Appended>,
    /// Whether its entry is still on its way into the public record.
    pub ledger_pending: bool,
}

/// Loads the receipt for `tracking`.
pub fn receipt(
    conn: &mut DbConnection,
    raw_tracking: &str,
) -> Result<Option<ReceiptView>, DbError> {
    let Some(t) = tracking::normalize(raw_tracking) else {
        return Ok(None);
    };
    let Some(row) = q::by_tracking(conn, &t)? else {
        return Ok(None);
    };
    let consultation_id = row.consultation_id;
    let comment = Comment::try_from(row)?;
    let Some(consultation) = db::consultations::by_id(conn, consultation_id)? else {
        return Ok(None);
    };
    let article = match comment.article_id {
        Some(id) => db::drafts::article_number_label(conn, id)?,
        None => None,
    };
    let division = match comment.division_id {
        Some(id) => db::drafts::division_position_label(conn, id)?,
        None => None,
    };
    let ledger = ledger::comment_entry(conn, comment.id)?;
    let ledger_pending = ledger.is_none() && ledger::comment_pending(conn, comment.id)?;
    Ok(Some(ReceiptView {
        ledger,
        ledger_pending,
        division,
        slug: consultation.slug.clone(),
        consultation,
        article,
        comment,
    }))
}

/// Records that the person a receipt was mailed to says they did not write the comment; the
/// comment goes to the moderators' queue. Returns the tracking number, or `None` for a bad link.
pub fn dispute(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, DbError> {
    db::transaction(conn, |conn| {
        let Some((id, tracking)) = q::by_dispute_token(conn, &crate::accounts::token_hash(token))?
        else {
            return Ok(None);
        };
        q::insert_dispute(conn, id, now)?;
        let consultation_id = q::consultation_of(conn, id)?;
        ledger::append(
            conn,
            consultation_id,
            &Event::DisputeRecorded {
                comment_id: id,
                tracking: &tracking,
            },
            now,
        )?;
        Ok(Some(tracking))
    })
}

/// Adds or withdraws `user`'s endorsement (附议) of a comment; returns whether it is now endorsed.
pub fn toggle_endorsement(
    conn: &mut DbConnection,
    raw_tracking: &str,
    user: &User,
    now: NaiveDateTime,
) -> Result<(String, bool), CommentError> {
    if !user.is_verified() {
        return Err(CommentError::Unverified);
    }
    db::transaction(conn, |conn| {
        let t = tracking::normalize(raw_tracking).ok_or(CommentError::NotFound)?;
        let row = q::by_tracking(conn, &t)?.ok_or(CommentError::NotFound)?;
        if row.state != CommentState::Published.as_str()
            || row.visibility == Visibility::Drafters.as_str()
        {
            return Err(CommentError::NotFound);
        }
        let endorsed = q::toggle_endorsement(conn, row.id, user.id, now)?;
        Ok((row.tracking, endorsed))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_refuses_the_twenty_first_comment_until_the_oldest_of_the_last_twenty_leaves_the_window()
     {
        let start = NaiveDateTime::parse_from_str("2026-11-25 08:00:00", "%Y-%m-%d %H:%M:%S")
            .expect("time");
        let minute = |m: i64| start + chrono::Duration::minutes(m);
        let nineteen: Vec<_> = (0..19).map(|i| minute(i / 4)).collect();
        assert_eq!(COMMENT_RATE.refused_until(nineteen.clone()), None);
        let mut twenty = nineteen;
        twenty.push(minute(6));
        assert_eq!(COMMENT_RATE.refused_until(twenty.clone()), Some(minute(10)));
        let mut twenty_two = twenty;
        twenty_two.extend([minute(7), minute(8)]);
        // The newest twenty run from minute 0 (the third of the four at minute 0) onwards.
        assert_eq!(COMMENT_RATE.refused_until(twenty_two), Some(minute(10)));
    }
}
