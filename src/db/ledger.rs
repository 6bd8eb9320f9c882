//! Queries on `ledger_entries`, `ledger_pending` and `ledger_signatures`, and the
//! per-consultation append lock.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{ledger_entries, ledger_heads, ledger_pending, ledger_signatures};

/// The newest entry of a consultation's chain (seq 0 and the genesis hash while it is empty) and
/// which window events the chain holds.
#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ledger_heads)]
pub struct HeadRow {
    /// Consultation.
    pub consultation_id: i32,
    /// The newest seq, 0 for none.
    pub seq: i64,
    /// Its hash (the genesis `prev` for none).
    pub hash: String,
    /// Whether `consultation_opened` is recorded.
    pub opened: bool,
    /// Whether `consultation_closed` is recorded.
    pub closed: bool,
}

/// The head of a consultation's chain, read without locking.
pub fn head(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Option<HeadRow>> {
    ledger_heads::table
        .find(consultation_id)
        .select(HeadRow::as_select())
        .first(conn)
        .optional()
}

/// The head of a consultation's chain, created as `empty` if there is none, and locked until the
/// transaction ends: on PostgreSQL the row lock (`FOR UPDATE`) queues every other append to this
/// consultation, from any instance; on SQLite the write transaction (`BEGIN IMMEDIATE`) already
/// excludes every other writer.
pub fn lock_head(conn: &mut DbConnection, empty: &HeadRow) -> QueryResult<HeadRow> {
    fn locked(conn: &mut DbConnection, id: i32) -> QueryResult<Option<HeadRow>> {
        let query = ledger_heads::table.find(id);
        match conn {
            DbConnection::Postgresql(pg) => query
                .select(HeadRow::as_select())
                .for_update()
                .first(pg)
                .optional(),
            DbConnection::Sqlite(lite) => query.select(HeadRow::as_select()).first(lite).optional(),
        }
    }
    if let Some(head) = locked(conn, empty.consultation_id)? {
        return Ok(head);
    }
    // The first append: another instance may be creating the row at this moment, so insert
    // unless present, then lock whichever row won.
    match conn {
        DbConnection::Postgresql(pg) => diesel::insert_into(ledger_heads::table)
            .values(empty)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(ledger_heads::table)
            .values(empty)
            .execute(lite)?,
    };
    locked(conn, empty.consultation_id)?.ok_or(diesel::result::Error::NotFound)
}

/// Moves a consultation's head.
pub fn set_head(conn: &mut DbConnection, head: &HeadRow) -> QueryResult<()> {
    diesel::update(ledger_heads::table.find(head.consultation_id))
        .set(head)
        .execute(conn)
        .map(drop)
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

/// An event waiting to be chained.
#[derive(Insertable)]
#[diesel(table_name = ledger_pending)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewPending<'a> {
    /// Consultation.
    pub consultation_id: i32,
    /// Event type.
    pub kind: &'a str,
    /// The comment concerned, for comment events.
    pub comment_id: Option<i32>,
    /// The entry's payload object, canonical JSON.
    pub payload: &'a str,
    /// When the event happened.
    pub created_at: NaiveDateTime,
}

/// A waiting event, as read back.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = ledger_pending)]
pub struct PendingRow {
    /// Arrival order.
    pub id: i32,
    /// Event type.
    pub kind: String,
    /// The comment concerned, for comment events.
    pub comment_id: Option<i32>,
    /// The entry's payload object, canonical JSON.
    pub payload: String,
    /// When the event happened.
    pub created_at: NaiveDateTime,
}

/// Stores an event to be chained later.
pub fn insert_pending(conn: &mut DbConnection, row: &NewPending<'_>) -> QueryResult<()> {
    diesel::insert_into(ledger_pending::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Up to `limit` waiting events of a consultation, oldest first.
pub fn pending(
    conn: &mut DbConnection,
    consultation_id: i32,
    limit: i64,
) -> QueryResult<Vec<PendingRow>> {
    ledger_pending::table
        .filter(ledger_pending::consultation_id.eq(consultation_id))
        .order(ledger_pending::id)
        .limit(limit)
        .select(PendingRow::as_select())
        .load(conn)
}

/// Removes waiting events once chained.
pub fn delete_pending(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<()> {
    diesel::delete(ledger_pending::table.filter(ledger_pending::id.eq_any(ids)))
        .execute(conn)
        .map(drop)
}

/// The consultations that have events waiting.
pub fn consultations_pending(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    ledger_pending::table
        .select(ledger_pending::consultation_id)
        .distinct()
        .load(conn)
}

/// Whether comment `comment_id`'s posting waits to be chained.
pub fn comment_pending(conn: &mut DbConnection, comment_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        ledger_pending::table.filter(ledger_pending::comment_id.eq(comment_id)),
    ))
    .get_result(conn)
}

/// Stores entries in one statement per chunk.
pub fn insert_many(conn: &mut DbConnection, entries: &[NewEntry<'_>]) -> QueryResult<()> {
    // SQLite binds at most 32,766 parameters; an entry takes 7.
    for chunk in entries.chunks(1000) {
        // MultiConnection cannot compile a multi-row INSERT; each backend's own connection can.
        let insert = diesel::insert_into(ledger_entries::table).values(chunk);
        match conn {
            DbConnection::Postgresql(pg) => insert.execute(pg)?,
            DbConnection::Sqlite(lite) => insert.execute(lite)?,
        };
    }
    Ok(())
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
