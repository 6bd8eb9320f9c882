//! The public record (公开记录) of each consultation: an append-only hash chain of its public
//! events, one canonical JSON line each, whose heads the server signs with an Ed25519 key.
//! docs/LEDGER.md is the format's specification; [`verify`] is the offline verifier.
//!
//! Other features record their events with [`append`] inside their own transaction, so the event
//! and its entry commit or vanish together; a comment's posting, the one frequent event, is
//! stored with the comment as [`Waiting`] and chained moments later by [`sequence`].

pub mod canonical;
pub mod scheduler;
pub mod verify;

use chrono::NaiveDateTime;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};

use crate::consultations::Consultation;
use crate::db::ledger::{self as q, HeadRow, NewEntry, SignatureRow};
use crate::db::{self, DbConnection, DbError};
use canonical::Json;

/// The `v` of every line this version writes.
pub const FORMAT_VERSION: i64 = 1;
/// The `prev` of the first entry: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The `type` of a signature line.
pub const SIGNATURE_TYPE: &str = "head_signature";
/// The settings key of the signing key's 32-byte seed (hex).
const SIGNING_KEY_SETTING: &str = "ledger_signing_key";

/// Event type names, as written in the `type` field.
pub mod kind {
    /// A comment or reply was recorded.
    pub const COMMENT_POSTED: &str = "comment_posted";
    /// A moderator hid a comment.
    pub const COMMENT_HIDDEN: &str = "comment_hidden";
    /// Someone said "this was not me" about a comment.
    pub const DISPUTE_RECORDED: &str = "dispute_recorded";
    /// The drafters published a response.
    pub const RESPONSE_PUBLISHED: &str = "response_published";
    /// A draft version was published.
    pub const VERSION_PUBLISHED: &str = "version_published";
    /// A revised version opened a new comment round.
    pub const COMMENT_ROUND_OPENED: &str = "comment_round_opened";
    /// The comment window opened.
    pub const CONSULTATION_OPENED: &str = "consultation_opened";
    /// The comment window closed.
    pub const CONSULTATION_CLOSED: &str = "consultation_closed";
    /// The drafters concluded the consultation.
    pub const CONSULTATION_CONCLUDED: &str = "consultation_concluded";
}

/// A public event of a consultation. Texts appear only as hashes, except a moderator's public
/// reason, so that a comment's body can later be redacted without breaking the chain.
#[derive(Clone, Debug)]
pub enum Event<'a> {
    /// A comment or reply was recorded.
    CommentPosted {
        /// Row id (not published; lets the receipt find its entry).
        comment_id: i32,
        /// Tracking number.
        tracking: &'a str,
        /// Article label, empty for the draft as a whole.
        article: &'a str,
        /// Tracking number of the comment answered, empty for a comment.
        reply_to: &'a str,
        /// Visibility: named, anonymous or drafters.
        visibility: &'a str,
        /// The receipt's content hash (see `comments::content_hash`).
        content_hash: &'a str,
    },
    /// A moderator hid a comment with a public reason.
    CommentHidden {
        /// Row id.
        comment_id: i32,
        /// Tracking number.
        tracking: &'a str,
        /// The public reason.
        reason: &'a str,
    },
    /// The author's mailbox said "this was not me".
    DisputeRecorded {
        /// Row id.
        comment_id: i32,
        /// Tracking number.
        tracking: &'a str,
    },
    /// The drafters published a response to an article (or the whole draft).
    ResponsePublished {
        /// Article label, empty for the whole draft.
        article: &'a str,
        /// adopted, partly, not_adopted or noted.
        decision: &'a str,
        /// SHA-256 (hex) of the response's text.
        text_hash: &'a str,
    },
    /// A draft version was published.
    VersionPublished {
        /// The version's number within the consultation (1 is the first text).
        version: i32,
        /// SHA-256 (hex) of the version's text.
        text_hash: &'a str,
    },
    /// A revised version was published with a new comment window. `consultation_opened` and
    /// `consultation_closed` stay once per record (a unique index holds them to it), so this
    /// entry carries the new round's window itself.
    CommentRoundOpened {
        /// The version commented on in this round.
        version: i32,
        /// The new window's start.
        opens_at: NaiveDateTime,
        /// The new window's end.
        closes_at: NaiveDateTime,
    },
    /// The comment window opened (recorded when first noticed, `time` may be later).
    ConsultationOpened {
        /// The window's start.
        opens_at: NaiveDateTime,
    },
    /// The comment window closed.
    ConsultationClosed {
        /// The window's end.
        closes_at: NaiveDateTime,
    },
    /// The drafters concluded the consultation.
    ConsultationConcluded,
}

impl Event<'_> {
    /// The `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CommentPosted { .. } => kind::COMMENT_POSTED,
            Self::CommentHidden { .. } => kind::COMMENT_HIDDEN,
            Self::DisputeRecorded { .. } => kind::DISPUTE_RECORDED,
            Self::ResponsePublished { .. } => kind::RESPONSE_PUBLISHED,
            Self::VersionPublished { .. } => kind::VERSION_PUBLISHED,
            Self::CommentRoundOpened { .. } => kind::COMMENT_ROUND_OPENED,
            Self::ConsultationOpened { .. } => kind::CONSULTATION_OPENED,
            Self::ConsultationClosed { .. } => kind::CONSULTATION_CLOSED,
            Self::ConsultationConcluded => kind::CONSULTATION_CONCLUDED,
        }
    }

    fn comment_id(&self) -> Option<i32> {
        match self {
            Self::CommentPosted { comment_id, .. }
            | Self::CommentHidden { comment_id, .. }
            | Self::DisputeRecorded { comment_id, .. } => Some(*comment_id),
            _ => None,
        }
    }

    /// The entry's content, without its place in the chain.
    fn record(&self) -> Record<'static> {
        Record {
            kind: self.kind(),
            comment_id: self.comment_id(),
            payload: self.payload(),
        }
    }

    /// The `payload` object.
    fn payload(&self) -> Json {
        match self {
            Self::CommentPosted {
                tracking,
                article,
                reply_to,
                visibility,
                content_hash,
                ..
            } => Json::obj([
                ("article", Json::str(*article)),
                ("content_hash", Json::str(*content_hash)),
                ("reply_to", Json::str(*reply_to)),
                ("tracking", Json::str(*tracking)),
                ("visibility", Json::str(*visibility)),
            ]),
            Self::CommentHidden {
                tracking, reason, ..
            } => Json::obj([
                ("reason", Json::str(*reason)),
                ("tracking", Json::str(*tracking)),
            ]),
            Self::DisputeRecorded { tracking, .. } => {
                Json::obj([("tracking", Json::str(*tracking))])
            }
            Self::ResponsePublished {
                article,
                decision,
                text_hash,
            } => Json::obj([
                ("article", Json::str(*article)),
                ("decision", Json::str(*decision)),
                ("text_hash", Json::str(*text_hash)),
            ]),
            Self::VersionPublished { version, text_hash } => Json::obj([
                ("text_hash", Json::str(*text_hash)),
                ("version", Json::Int(i64::from(*version))),
            ]),
            Self::CommentRoundOpened {
                version,
                opens_at,
                closes_at,
            } => Json::obj([
                ("closes_at", Json::str(timestamp(closes_at))),
                ("opens_at", Json::str(timestamp(opens_at))),
                ("version", Json::Int(i64::from(*version))),
            ]),
            Self::ConsultationOpened { opens_at } => {
                Json::obj([("opens_at", Json::str(timestamp(opens_at)))])
            }
            Self::ConsultationClosed { closes_at } => {
                Json::obj([("closes_at", Json::str(timestamp(closes_at)))])
            }
            Self::ConsultationConcluded => Json::obj([]),
        }
    }
}

/// What an entry says, whether it comes from an [`Event`] or from a waiting row.
struct Record<'a> {
    kind: &'a str,
    comment_id: Option<i32>,
    payload: Json,
}

impl Record<'_> {
    /// The canonical line of this record as entry `seq` after `prev`.
    fn line(&self, slug: &str, seq: i64, time: &NaiveDateTime, prev: &str) -> String {
        Json::obj([
            ("consultation", Json::str(slug)),
            ("payload", self.payload.clone()),
            ("prev", Json::str(prev)),
            ("seq", Json::Int(seq)),
            ("time", Json::str(timestamp(time))),
            ("type", Json::str(self.kind)),
            ("v", Json::Int(FORMAT_VERSION)),
        ])
        .to_canonical()
    }
}

/// A time as the ledger writes it: RFC 3339 in UTC with microseconds, `2026-11-25T08:30:00.000000Z`.
pub fn timestamp(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where an event landed in its consultation's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Position, from 1.
    pub seq: i64,
    /// SHA-256 of the entry's line (hex).
    pub hash: String,
}

/// The canonical line of an entry.
pub fn entry_line(slug: &str, seq: i64, time: &NaiveDateTime, event: &Event, prev: &str) -> String {
    event.record().line(slug, seq, time, prev)
}

/// Appends `event` to consultation `consultation_id`'s log; see [`append_to`].
pub fn append(
    conn: &mut DbConnection,
    consultation_id: i32,
    event: &Event,
    now: NaiveDateTime,
) -> Result<Appended, DbError> {
    let consultation = db::consultations::by_id(conn, consultation_id)?
        .ok_or(DbError::Query(diesel::result::Error::NotFound))?;
    append_to(conn, &consultation, event, now)
}

/// Appends `event` to `consultation`'s log, after the events still waiting to be chained (so the
/// chain keeps cause before effect: a comment's posting before its hiding) and after any opening
/// or closing of its window that `now` has passed and the log lacks. Runs inside the caller's
/// transaction (or its own), holding the consultation's head locked until that transaction ends.
pub fn append_to(
    conn: &mut DbConnection,
    consultation: &Consultation,
    event: &Event,
    now: NaiveDateTime,
) -> Result<Appended, DbError> {
    let append = |conn: &mut DbConnection| {
        let mut head = q::lock_head(conn, &empty_head(consultation.id))?;
        chain_pending(conn, consultation, &mut head)?;
        let mut batch = Vec::new();
        catch_up_window(consultation, &mut head, now, &mut batch);
        let appended = push(consultation, &mut head, &event.record(), now, &mut batch);
        write(conn, consultation.id, &batch)?;
        q::set_head(conn, &head)?;
        Ok(appended)
    };
    // Inside the caller's transaction no savepoint is needed: a failure rolls the whole change back.
    if db::in_transaction(conn) {
        append(conn)
    } else {
        db::transaction(conn, append)
    }
}

/// A comment's posting as it waits to be chained: its `type` and canonical `payload`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// The entry's type.
    pub kind: &'static str,
    /// The entry's payload object, canonical JSON.
    pub payload: String,
}

/// What a comment's transaction stores (`db::comments::insert_posted`) for [`sequence`] to chain
/// shortly after, in place of appending at once.
///
/// Appending at once would hold the consultation's head locked from the append to the commit, so
/// that posts to one consultation would commit one after the other; a waiting row locks nothing,
/// and the sequencer chains many of them under one lock. Until then the receipt page says the
/// entry is on its way.
pub fn posting(
    tracking: &str,
    article: &str,
    reply_to: &str,
    visibility: &str,
    content_hash: &str,
) -> Waiting {
    let event = Event::CommentPosted {
        // Not part of the payload: the waiting row names the comment by its own column.
        comment_id: 0,
        tracking,
        article,
        reply_to,
        visibility,
        content_hash,
    };
    Waiting {
        kind: event.kind(),
        payload: event.payload().to_canonical(),
    }
}

/// Chains the waiting events of consultation `consultation_id`; returns how many.
pub fn sequence(conn: &mut DbConnection, consultation_id: i32) -> Result<usize, DbError> {
    let Some(c) = db::consultations::by_id(conn, consultation_id)? else {
        return Ok(0);
    };
    db::transaction(conn, |conn| {
        let mut head = q::lock_head(conn, &empty_head(consultation_id))?;
        let chained = chain_pending(conn, &c, &mut head)?;
        if chained > 0 {
            q::set_head(conn, &head)?;
        }
        Ok(chained)
    })
}

/// Chains every consultation's waiting events; returns how many.
pub fn sequence_all(conn: &mut DbConnection) -> Result<usize, DbError> {
    let mut chained = 0;
    for id in q::consultations_pending(conn)? {
        chained += sequence(conn, id)?;
    }
    Ok(chained)
}

/// How many waiting events one statement reads.
const PENDING_BATCH: i64 = 500;

/// Chains the waiting events after `head`, oldest first, each after the window events its own
/// time had passed; `head` must be locked, and the caller stores it.
fn chain_pending(
    conn: &mut DbConnection,
    c: &Consultation,
    head: &mut HeadRow,
) -> Result<usize, DbError> {
    let mut chained = 0;
    loop {
        let rows = q::pending(conn, c.id, PENDING_BATCH)?;
        let mut batch = Vec::with_capacity(rows.len() + 2);
        for row in &rows {
            let payload = Json::parse_canonical(&row.payload).map_err(|e| {
                DbError::Query(diesel::result::Error::DeserializationError(
                    format!("ledger_pending {}: {e}", row.id).into(),
                ))
            })?;
            catch_up_window(c, head, row.created_at, &mut batch);
            let record = Record {
                kind: &row.kind,
                comment_id: row.comment_id,
                payload,
            };
            push(c, head, &record, row.created_at, &mut batch);
        }
        write(conn, c.id, &batch)?;
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        q::delete_pending(conn, &ids)?;
        chained += rows.len();
        if rows.len() < usize::try_from(PENDING_BATCH).unwrap_or(usize::MAX) {
            return Ok(chained);
        }
    }
}

/// The head of a chain without entries.
fn empty_head(consultation_id: i32) -> HeadRow {
    HeadRow {
        consultation_id,
        seq: 0,
        hash: GENESIS_PREV.to_owned(),
        opened: false,
        closed: false,
    }
}

/// The window events that `now` has passed and the chain ending at `head` lacks, in order.
fn missing_window_events(
    c: &Consultation,
    head: &HeadRow,
    now: NaiveDateTime,
) -> Vec<Event<'static>> {
    let mut missing = Vec::new();
    if !head.opened && c.opens_at <= now {
        missing.push(Event::ConsultationOpened {
            opens_at: c.opens_at,
        });
    }
    if !head.closed && c.closes_at <= now {
        missing.push(Event::ConsultationClosed {
            closes_at: c.closes_at,
        });
    }
    missing
}

/// Adds to `batch` the window events `now` has passed that the chain ending at `head` lacks.
fn catch_up_window(
    c: &Consultation,
    head: &mut HeadRow,
    now: NaiveDateTime,
    batch: &mut Vec<OwnedEntry>,
) -> usize {
    let missing = missing_window_events(c, head, now);
    for event in &missing {
        push(c, head, &event.record(), now, batch);
    }
    missing.len()
}

/// An entry computed under the head's lock, to be written with the others of its batch.
struct OwnedEntry {
    seq: i64,
    kind: String,
    comment_id: Option<i32>,
    line: String,
    hash: String,
    created_at: NaiveDateTime,
}

/// Adds the entry after `head` to `batch` and moves `head` to it (the caller writes the batch and
/// stores `head`).
fn push(
    c: &Consultation,
    head: &mut HeadRow,
    record: &Record,
    time: NaiveDateTime,
    batch: &mut Vec<OwnedEntry>,
) -> Appended {
    let seq = head.seq + 1;
    let line = record.line(&c.slug, seq, &time, &head.hash);
    let hash = sha256_hex(line.as_bytes());
    head.seq = seq;
    head.hash.clone_from(&hash);
    match record.kind {
        kind::CONSULTATION_OPENED => head.opened = true,
        kind::CONSULTATION_CLOSED => head.closed = true,
        _ => {}
    }
    batch.push(OwnedEntry {
        seq,
        kind: record.kind.to_owned(),
        comment_id: record.comment_id,
        line,
        hash: hash.clone(),
        created_at: time,
    });
    Appended { seq, hash }
}

/// Writes a batch of entries.
fn write(
    conn: &mut DbConnection,
    consultation_id: i32,
    batch: &[OwnedEntry],
) -> Result<(), DbError> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewEntry<'_>> = batch
        .iter()
        .map(|e| NewEntry {
            consultation_id,
            seq: e.seq,
            kind: &e.kind,
            comment_id: e.comment_id,
            line: &e.line,
            hash: &e.hash,
            created_at: e.created_at,
        })
        .collect();
    q::insert_many(conn, &rows)?;
    Ok(())
}

/// Records the window events of consultation `consultation_id` that `now` has passed, unless
/// recorded already (by an append or by another instance); returns how many it added.
pub fn record_window(
    conn: &mut DbConnection,
    consultation_id: i32,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let Some(c) = db::consultations::by_id(conn, consultation_id)? else {
        return Ok(0);
    };
    // Looked at first without the lock: at nearly every tick nothing is missing, and on SQLite
    // the lock is the database's one write lock.
    let seen = q::head(conn, consultation_id)?.unwrap_or_else(|| empty_head(consultation_id));
    if missing_window_events(&c, &seen, now).is_empty() {
        return Ok(0);
    }
    db::transaction(conn, |conn| {
        let mut head = q::lock_head(conn, &empty_head(consultation_id))?;
        // Comments posted before the window closed are chained before its closing.
        chain_pending(conn, &c, &mut head)?;
        let mut batch = Vec::new();
        let added = catch_up_window(&c, &mut head, now, &mut batch);
        write(conn, c.id, &batch)?;
        q::set_head(conn, &head)?;
        Ok(added)
    })
}

/// The entry that recorded comment `comment_id`'s posting.
pub fn comment_entry(
    conn: &mut DbConnection,
    comment_id: i32,
) -> Result<Option<Appended>, DbError> {
    Ok(q::comment_entry(conn, comment_id, kind::COMMENT_POSTED)?
        .map(|(seq, hash)| Appended { seq, hash }))
}

/// Whether comment `comment_id`'s posting is still waiting to be chained.
pub fn comment_pending(conn: &mut DbConnection, comment_id: i32) -> Result<bool, DbError> {
    Ok(q::comment_pending(conn, comment_id)?)
}

/// The instance's signing key, created and stored on first use; instances that start together
/// agree on one.
pub fn signing_key(conn: &mut DbConnection) -> Result<SigningKey, DbError> {
    let fresh = hex::encode(rand::random::<[u8; 32]>());
    let stored = db::settings::get_or_insert(conn, SIGNING_KEY_SETTING, &fresh)?;
    let seed: [u8; 32] = hex::decode(&stored)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            DbError::Query(diesel::result::Error::DeserializationError(
                format!("settings.{SIGNING_KEY_SETTING} is not 32 bytes of hex").into(),
            ))
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The public key that verifies the signed heads (hex of its 32 bytes).
pub fn public_key_hex(conn: &mut DbConnection) -> Result<String, DbError> {
    Ok(hex::encode(signing_key(conn)?.verifying_key().as_bytes()))
}

/// The bytes a head signature covers.
pub fn head_message(slug: &str, seq: i64, head: &str) -> Vec<u8> {
    format!("yijian-ledger-head-v1\n{slug}\n{seq}\n{head}\n").into_bytes()
}

/// Signs consultation `consultation_id`'s head if it moved since the last signature; returns
/// whether it signed.
pub fn sign_head(
    conn: &mut DbConnection,
    key: &SigningKey,
    consultation_id: i32,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let Some(HeadRow {
        seq, hash: head, ..
    }) = q::head(conn, consultation_id)?.filter(|h| h.seq > 0)
    else {
        return Ok(false);
    };
    if q::last_signed(conn, consultation_id)?.is_some_and(|s| s >= seq) {
        return Ok(false);
    }
    let Some(c) = db::consultations::by_id(conn, consultation_id)? else {
        return Ok(false);
    };
    let signature = key.sign(&head_message(&c.slug, seq, &head));
    q::insert_signature(
        conn,
        &SignatureRow {
            consultation_id,
            seq,
            head,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(signature.to_bytes()),
            created_at: now,
        },
    )?;
    Ok(true)
}

/// The canonical line of a signed head.
pub fn signature_line(slug: &str, s: &SignatureRow) -> String {
    Json::obj([
        ("consultation", Json::str(slug)),
        ("head", Json::str(&s.head)),
        ("key", Json::str(&s.public_key)),
        ("seq", Json::Int(s.seq)),
        ("signature", Json::str(&s.signature)),
        ("time", Json::str(timestamp(&s.created_at))),
        ("type", Json::str(SIGNATURE_TYPE)),
        ("v", Json::Int(FORMAT_VERSION)),
    ])
    .to_canonical()
}

/// Up to `limit` entries after seq `after` as `.jsonl` text, each followed by the signature of
/// that head if there is one, and the last seq included; `None` when there are no more.
pub fn export_page(
    conn: &mut DbConnection,
    consultation_id: i32,
    slug: &str,
    after: i64,
    limit: i64,
) -> Result<Option<(String, i64)>, DbError> {
    let lines = q::lines_after(conn, consultation_id, after, limit)?;
    let (Some((first, _)), Some((last, _))) = (lines.first(), lines.last()) else {
        return Ok(None);
    };
    let (first, last) = (*first, *last);
    let mut signatures = q::signatures_between(conn, consultation_id, first, last)?
        .into_iter()
        .peekable();
    let mut out = String::with_capacity(lines.iter().map(|(_, l)| l.len() + 1).sum());
    for (seq, line) in lines {
        out.push_str(&line);
        out.push('\n');
        while let Some(s) = signatures.next_if(|s| s.seq <= seq) {
            out.push_str(&signature_line(slug, &s));
            out.push('\n');
        }
    }
    Ok(Some((out, last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_line_is_canonical_json_with_every_field() {
        let time = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_micro_opt(8, 30, 0, 120))
            .expect("valid time");
        let line = entry_line(
            "ai-service-safety",
            2,
            &time,
            &Event::DisputeRecorded {
                comment_id: 9,
                tracking: "YJ-2026-7Q4M-K2XD",
            },
            GENESIS_PREV,
        );
        assert_eq!(
            line,
            format!(
                "{{\"consultation\":\"ai-service-safety\",\"payload\":{{\"tracking\":\"YJ-2026-7Q4M-K2XD\"}},\
                 \"prev\":\"{GENESIS_PREV}\",\"seq\":2,\"time\":\"2026-11-25T08:30:00.000120Z\",\
                 \"type\":\"dispute_recorded\",\"v\":1}}"
            )
        );
        assert_eq!(
            Json::parse_canonical(&line).map(|j| j.to_canonical()),
            Ok(line)
        );
    }

    /// The example of docs/LEDGER.md, rebuilt from the facts it states and verified as printed.
    #[test]
    fn the_worked_example_in_docs_verifies() {
        use crate::comments::{Stance, ValidComment, Visibility, content_hash};
        let doc = include_str!("../../docs/LEDGER.md");
        let start = doc.find("```jsonl\n").expect("example block") + "```jsonl\n".len();
        let block = &doc[start..start + doc[start..].find("```").expect("block end")];
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").expect("time");
        let key = SigningKey::from_bytes(&[1; 32]);
        let hash = content_hash(
            "example",
            "第五条",
            &ValidComment {
                stance: Some(Stance::Amend),
                body: "建议明确报告时限。".into(),
                proposed_text: None,
                visibility: Visibility::Named,
                reply_to: None,
            },
        );
        let opened = Event::ConsultationOpened {
            opens_at: t("2026-11-30 16:00:00"),
        };
        let first = entry_line(
            "example",
            1,
            &t("2026-11-30 16:00:02.25"),
            &opened,
            GENESIS_PREV,
        );
        let posted = Event::CommentPosted {
            comment_id: 1,
            tracking: "YJ-2026-7Q4M-K2XD",
            article: "第五条",
            reply_to: "",
            visibility: "named",
            content_hash: &hash,
        };
        let prev = sha256_hex(first.as_bytes());
        let second = entry_line(
            "example",
            2,
            &t("2026-12-01 02:15:30.123456"),
            &posted,
            &prev,
        );
        let head = sha256_hex(second.as_bytes());
        let signed = SignatureRow {
            consultation_id: 1,
            seq: 2,
            signature: hex::encode(key.sign(&head_message("example", 2, &head)).to_bytes()),
            head,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            created_at: t("2026-12-01 02:16:00"),
        };
        let rebuilt = format!(
            "{first}\n{second}\n{}\n",
            signature_line("example", &signed)
        );
        assert_eq!(block, rebuilt);
        let options = verify::Options {
            key: Some(key.verifying_key()),
            receipts: vec![
                verify::ReceiptClaim::parse(&format!("YJ-2026-7Q4M-K2XD:{hash}")).expect("claim"),
            ],
        };
        let report = verify::verify(block, &options).expect("the example verifies");
        assert_eq!((report.entries, report.last_signed), (2, Some(2)));
    }
}
