//! Queries on `ledger_entries` and `ledger_signatures`, and the per-consultation append lock.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::DbConnection;
use super::schema::{ledger_entries, ledger_signatures};

/// Namespace of the PostgreSQL advisory locks that serialise appends (the second key is the
/// consultation id), apart from the single-key lock the migrations take.
const APPEND_LOCK_NAMESPACE: i32 = 7_013_276;

/// Takes the consultation's append lock until the transaction ends. On PostgreSQL this is a
/// transaction-scoped advisory lock, so appends from every instance queue here; on SQLite the
/// write transaction (`BEGIN IMMEDIATE`) already excludes every other writer.
pub fn lock_for_append(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<Integer, _>(APPEND_LOCK_NAMESPACE)
                .bind::<Integer, _>(consultation_id)
                .execute(pg)?;
        }
        DbConnection::Sqlite(_) => {}
    }
    Ok(())
}

/// The newest entry of a consultation: (seq, hash).
pub fn head(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Option<(i64, String)>> {
    ledger_entries::table
        .filter(ledger_entries::consultation_id.eq(consultation_id))
        .order(ledger_entries::seq.desc())
        .select((ledger_entries::seq, ledger_entries::hash))
        .first(conn)
        .optional()
}

/// Which of `kinds` a consultation's log holds already.
pub fn kinds_present(
    conn: &mut DbConnection,
    consultation_id: i32,
    kinds: &[&str],
) -> QueryResult<Vec<String>> {
    ledger_entries::table
        .filter(ledger_entries::consultation_id.eq(consultation_id))
        .filter(ledger_entries::kind.eq_any(kinds))
        .select(ledger_entries::kind)
        .load(conn)
}

/// A new entry.
#[derive(Insertable)]
#[diesel(table_name = ledger_entries)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewEntry<'a> {
    /// Consultation.
    pub consultation_id: i32,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// Event type.
    pub kind: &'a str,
    /// The comment concerned, for comment events.
    pub comment_id: Option<i32>,
    /// The canonical JSON line.
    pub line: &'a str,
    /// SHA-256 of the line (hex).
    pub hash: &'a str,
    /// When it was appended.
    pub created_at: NaiveDateTime,
}

/// Stores an entry.
pub fn insert(conn: &mut DbConnection, entry: &NewEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(ledger_entries::table)
        .values(entry)
        .execute(conn)
        .map(drop)
}

/// The entry recording that comment `comment_id` was posted: (seq, hash).
pub fn comment_entry(
    conn: &mut DbConnection,
    comment_id: i32,
    kind: &str,
) -> QueryResult<Option<(i64, String)>> {
    ledger_entries::table
        .filter(ledger_entries::comment_id.eq(comment_id))
        .filter(ledger_entries::kind.eq(kind))
        .select((ledger_entries::seq, ledger_entries::hash))
        .first(conn)
        .optional()
}

/// Up to `limit` entries after `after_seq`, in order: (seq, line).
pub fn lines_after(
    conn: &mut DbConnection,
    consultation_id: i32,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<(i64, String)>> {
    ledger_entries::table
        .filter(ledger_entries::consultation_id.eq(consultation_id))
        .filter(ledger_entries::seq.gt(after_seq))
        .order(ledger_entries::seq)
        .limit(limit)
        .select((ledger_entries::seq, ledger_entries::line))
        .load(conn)
}

/// A signed head as stored.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_signatures)]
pub struct SignatureRow {
    /// Consultation.
    pub consultation_id: i32,
    /// The signed entry's seq.
    pub seq: i64,
    /// The signed entry's hash (hex).
    pub head: String,
    /// Ed25519 public key (hex).
    pub public_key: String,
    /// Ed25519 signature (hex).
    pub signature: String,
    /// When it was signed.
    pub created_at: NaiveDateTime,
}

/// Stores a signature unless that head is signed already (another instance may have just done it).
pub fn insert_signature(conn: &mut DbConnection, row: &SignatureRow) -> QueryResult<()> {
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(ledger_signatures::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(ledger_signatures::table)
            .values(row)
            .execute(lite)?,
    };
    Ok(())
}

/// The seq of the newest signed head.
pub fn last_signed(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Option<i64>> {
    ledger_signatures::table
        .filter(ledger_signatures::consultation_id.eq(consultation_id))
        .order(ledger_signatures::seq.desc())
        .select(ledger_signatures::seq)
        .first(conn)
        .optional()
}

/// The signatures of heads `from..=to`, in order.
pub fn signatures_between(
    conn: &mut DbConnection,
    consultation_id: i32,
    from: i64,
    to: i64,
) -> QueryResult<Vec<SignatureRow>> {
    ledger_signatures::table
        .filter(ledger_signatures::consultation_id.eq(consultation_id))
        .filter(ledger_signatures::seq.between(from, to))
        .order(ledger_signatures::seq)
        .select(SignatureRow::as_select())
        .load(conn)
}
