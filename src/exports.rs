//! Exports of a consultation's comments for its drafters: every comment, drafters-only and hidden
//! ones included (hidden ones marked, with the reason), as CSV or JSON.
//!
//! Comments are read in pages by id and each page is encoded and handed on before the next is
//! read, so an export of millions of comments holds one page in memory, never all of them.

use std::collections::HashMap;

use serde::Serialize;

use crate::comments::Visibility;
use crate::db::exports::{ExportRow, Scope};
use crate::db::{self, DbConnection, DbError};

/// Comments read per query.
pub const PAGE_SIZE: i64 = 5_000;

/// The CSV columns, in the order of [`Record`]'s fields.
pub const COLUMNS: [&str; 15] = [
    "tracking",
    "article",
    "parent",
    "stance",
    "stakeholder_type",
    "organization",
    "author",
    "visibility",
    "state",
    "hidden_reason",
    "body",
    "proposed_text",
    "endorsements",
    "created_at",
    "content_hash",
];

/// Excel takes a CSV file without it for the local code page and garbles Chinese.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One comment as exported.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Record {
    /// Tracking number.
    pub tracking: String,
    /// The article's label (第五条); `None` for a chapter or the draft as a whole.
    pub article: Option<String>,
    /// The tracking number of the comment it answers.
    pub parent: Option<String>,
    /// Stance (`support`, `oppose`, `amend`, `other`); replies have none.
    pub stance: Option<String>,
    /// Stakeholder type when posted.
    pub stakeholder_type: String,
    /// Organisation when posted.
    pub organization: Option<String>,
    /// The author's display name; empty for anonymous comments.
    pub author: String,
    /// `named`, `anonymous` or `drafters`.
    pub visibility: String,
    /// `published`, `pending` or `hidden`.
    pub state: String,
    /// The public reason a hidden comment was hidden.
    pub hidden_reason: Option<String>,
    /// The text.
    pub body: String,
    /// The proposed wording.
    pub proposed_text: Option<String>,
    /// Endorsements.
    pub endorsements: i32,
    /// When posted, UTC, ISO 8601.
    pub created_at: String,
    /// The content hash the receipt and the ledger carry.
    pub content_hash: String,
}

/// Reads every comment of `consultation_id` in pages of `page_size` by id and hands each page to
/// `sink`, which answers whether to go on (false: the reader has gone away).
pub fn each_page(
    conn: &mut DbConnection,
    consultation_id: i32,
    page_size: i64,
    mut sink: impl FnMut(Vec<Record>) -> bool,
) -> Result<(), DbError> {
    let mut after = 0;
    loop {
        let rows = db::exports::page(conn, consultation_id, Scope::All, after, page_size)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id;
        let full = rows.len() as i64 == page_size;
        let parents = parent_trackings(conn, &rows)?;
        let records = rows
            .into_iter()
            .map(|r| Record {
                parent: r.parent_id.and_then(|p| parents.get(&p).cloned()),
                tracking: r.tracking,
                article: r.article_label,
                stance: r.stance,
                stakeholder_type: r.stakeholder_type,
                organization: r.organization_name,
                author: if Visibility::parse(&r.visibility) == Some(Visibility::Anonymous) {
                    String::new()
                } else {
                    r.author_name
                },
                visibility: r.visibility,
                state: r.state,
                hidden_reason: r.hidden_reason,
                body: r.body,
                proposed_text: r.proposed_text,
                endorsements: r.endorsements,
                created_at: iso(r.created_at),
                content_hash: r.content_hash,
            })
            .collect();
        if !sink(records) || !full {
            return Ok(());
        }
    }
}

/// The tracking numbers of the comments `rows` answer, by id.
fn parent_trackings(
    conn: &mut DbConnection,
    rows: &[ExportRow],
) -> Result<HashMap<i32, String>, DbError> {
    let mut ids: Vec<i32> = rows.iter().filter_map(|r| r.parent_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(db::exports::trackings(conn, &ids)?.into_iter().collect())
}

/// The most comments one page of the public API returns.
pub const API_MAX_LIMIT: i64 = 200;

/// A published comment as the public API shows it: what the public pages show, nothing more.
#[derive(Clone, Debug, Serialize)]
pub struct PublicComment {
    /// Row id, the pagination cursor.
    pub id: i32,
    /// Tracking number.
    pub tracking: String,
    /// The article's label; `None` for a chapter or the draft as a whole.
    pub article: Option<String>,
    /// The tracking number of the comment it answers.
    pub parent: Option<String>,
    /// Stance; replies have none.
    pub stance: Option<String>,
    /// Stakeholder type when posted.
    pub stakeholder_type: String,
    /// Organisation when posted, for named comments only.
    pub organization: Option<String>,
    /// The author's public display name; `None` for anonymous comments.
    pub author: Option<String>,
    /// The text.
    pub body: String,
    /// The proposed wording.
    pub proposed_text: Option<String>,
    /// Endorsements.
    pub endorsements: i32,
    /// When posted, UTC, ISO 8601.
    pub created_at: String,
}

/// Up to `limit` published, public comments of `consultation_id` with ids above `after`.
pub fn public_comments(
    conn: &mut DbConnection,
    consultation_id: i32,
    after: i32,
    limit: i64,
) -> Result<Vec<PublicComment>, DbError> {
    let rows = db::exports::page(conn, consultation_id, Scope::Public, after, limit)?;
    let parents = parent_trackings(conn, &rows)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let named = Visibility::parse(&r.visibility) == Some(Visibility::Named);
            PublicComment {
                id: r.id,
                parent: r.parent_id.and_then(|p| parents.get(&p).cloned()),
                tracking: r.tracking,
                article: r.article_label,
                stance: r.stance,
                stakeholder_type: r.stakeholder_type,
                organization: r.organization_name.filter(|_| named),
                author: Some(r.author_name).filter(|n| named && !n.is_empty()),
                body: r.body,
                proposed_text: r.proposed_text,
                endorsements: r.endorsements,
                created_at: iso(r.created_at),
            }
        })
        .collect())
}

/// A time as the exports and the API write it: UTC, ISO 8601.
pub fn iso(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A published response as the public API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PublicResponse {
    /// The article's label; `None` for the draft as a whole.
    pub article: Option<String>,
    /// `adopted`, `partly-adopted`, `not-adopted` or `explained`.
    pub decision: String,
    /// The drafters' reasoning.
    pub reasoning: String,
    /// The tracking numbers of the comments it answers.
    pub comments: Vec<String>,
    /// First published, UTC.
    pub published_at: String,
    /// Last changed, UTC.
    pub updated_at: String,
}

/// Every response of `consultation_id` with the comments it answers.
pub fn public_responses(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> Result<Vec<PublicResponse>, DbError> {
    let responses = crate::responses::of_consultation(conn, consultation_id)?;
    let ids: Vec<i32> = responses.iter().filter_map(|r| r.article_id).collect();
    let labels: HashMap<i32, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        db::exports::article_labels(conn, &ids)?
            .into_iter()
            .collect()
    };
    responses
        .into_iter()
        .map(|r| {
            let comments = db::responses::answered(conn, r.id, true)?
                .into_iter()
                .map(|(_, tracking)| tracking)
                .collect();
            Ok(PublicResponse {
                article: r.article_id.and_then(|a| labels.get(&a).cloned()),
                decision: r.decision.as_str().to_owned(),
                reasoning: r.reasoning,
                comments,
                published_at: iso(r.published_at),
                updated_at: iso(r.updated_at),
            })
        })
        .collect()
}

/// The file formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 CSV with a byte-order mark and a header line.
    Csv,
    /// One JSON array of objects.
    Json,
}

/// Encoding failed: a bug for CSV and JSON (every field is a string or a number); for XLSX also
/// more rows than a sheet holds, a failing temporary file or a client that went away.
#[derive(Debug, thiserror::Error)]
#[error("export encoding failed: {0}")]
pub struct EncodeError(String);

/// An export that could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the comments failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Writing the file failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

impl From<rust_xlsxwriter::XlsxError> for EncodeError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self(e.to_string())
    }
}

/// Writes every comment of `consultation_id` as an Excel workbook to `out`. The sheet keeps its
/// rows in a temporary file (constant-memory mode) and the zip is written as a stream, so memory
/// stays flat; a sheet holds at most 1,048,575 comments, beyond which the export fails.
pub fn write_xlsx(
    conn: &mut DbConnection,
    consultation_id: i32,
    page_size: i64,
    out: impl std::io::Write + Send,
) -> Result<(), ExportError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(EncodeError::from)?;
    sheet.write_row(0, 0, COLUMNS).map_err(EncodeError::from)?;
    let mut row: u32 = 0;
    let mut failed = None;
    each_page(conn, consultation_id, page_size, |records| {
        for r in &records {
            row += 1;
            if let Err(e) = write_xlsx_row(sheet, row, r) {
                failed = Some(e);
                return false;
            }
        }
        true
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    workbook.save_to_writer(out).map_err(EncodeError::from)?;
    Ok(())
}

fn write_xlsx_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    r: &Record,
) -> Result<(), EncodeError> {
    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or_default()
    }
    let strings: [(u16, &str); 14] = [
        (0, &r.tracking),
        (1, text(&r.article)),
        (2, text(&r.parent)),
        (3, text(&r.stance)),
        (4, &r.stakeholder_type),
        (5, text(&r.organization)),
        (6, &r.author),
        (7, &r.visibility),
        (8, &r.state),
        (9, text(&r.hidden_reason)),
        (10, &r.body),
        (11, text(&r.proposed_text)),
        (13, &r.created_at),
        (14, &r.content_hash),
    ];
    for (col, value) in strings {
        // An empty string cell would be written as a blank one; leaving it out is the same.
        if !value.is_empty() {
            sheet.write_string(row, col, value)?;
        }
    }
    sheet.write_number(row, 12, f64::from(r.endorsements))?;
    Ok(())
}

/// Turns pages of records into the bytes of one file, piece by piece.
#[derive(Debug)]
pub struct Encoder {
    format: Format,
    written: u64,
}

impl Encoder {
    /// An encoder for `format`.
    pub fn new(format: Format) -> Self {
        Self { format, written: 0 }
    }

    /// The bytes that open the file.
    pub fn start(&self) -> Result<Vec<u8>, EncodeError> {
        match self.format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(BOM.to_vec());
                w.write_record(COLUMNS)
                    .map_err(|e| EncodeError(e.to_string()))?;
                w.into_inner().map_err(|e| EncodeError(e.to_string()))
            }
            Format::Json => Ok(b"[".to_vec()),
        }
    }

    /// The bytes of one page of records.
    pub fn page(&mut self, records: &[Record]) -> Result<Vec<u8>, EncodeError> {
        let out = match self.format {
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
                for r in records {
                    w.serialize(r).map_err(|e| EncodeError(e.to_string()))?;
                }
                w.into_inner().map_err(|e| EncodeError(e.to_string()))?
            }
            Format::Json => {
                let mut out = Vec::new();
                for (i, r) in records.iter().enumerate() {
                    if self.written > 0 || i > 0 {
                        out.push(b',');
                    }
                    out.push(b'\n');
                    serde_json::to_writer(&mut out, r).map_err(|e| EncodeError(e.to_string()))?;
                }
                out
            }
        };
        self.written += records.len() as u64;
        Ok(out)
    }

    /// The bytes that close the file.
    pub fn finish(&self) -> Vec<u8> {
        match self.format {
            Format::Csv => Vec::new(),
            Format::Json => b"\n]\n".to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(tracking: &str, body: &str) -> Record {
        Record {
            tracking: tracking.into(),
            article: Some("第五条".into()),
            parent: None,
            stance: Some("amend".into()),
            stakeholder_type: "citizen".into(),
            organization: None,
            author: "李".into(),
            visibility: "named".into(),
            state: "published".into(),
            hidden_reason: None,
            body: body.into(),
            proposed_text: None,
            endorsements: 2,
            created_at: "2026-11-25T08:00:00Z".into(),
            content_hash: "ab".into(),
        }
    }

    #[test]
    fn json_pieces_make_one_array_across_pages() {
        let mut e = Encoder::new(Format::Json);
        let mut out = e.start().expect("start");
        out.extend(e.page(&[record("A1", "一")]).expect("page"));
        out.extend(
            e.page(&[record("A2", "二, \"引号\""), record("A3", "三")])
                .expect("page"),
        );
        out.extend(e.finish());
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out).expect("json");
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1]["body"], "二, \"引号\"");
    }

    #[test]
    fn csv_opens_with_a_bom_and_the_header() {
        let mut e = Encoder::new(Format::Csv);
        let mut out = e.start().expect("start");
        out.extend(e.page(&[record("A1", "多行\n意见, 含逗号")]).expect("page"));
        assert!(out.starts_with(BOM));
        let mut r = csv::Reader::from_reader(&out[BOM.len()..]);
        assert_eq!(r.headers().expect("header"), COLUMNS.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][10], "多行\n意见, 含逗号");
    }
}
