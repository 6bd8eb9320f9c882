//! The offline verifier of a downloaded log (`yijian verify-ledger`): every line canonical, the
//! chain unbroken from seq 1, every signature made by the expected key over a head of the chain,
//! and the receipts asked about present. It reads only the file; docs/LEDGER.md says the same
//! rules in prose for anyone writing another verifier.

use std::collections::HashMap;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};

use super::canonical::Json;
use super::{FORMAT_VERSION, GENESIS_PREV, SIGNATURE_TYPE, head_message, kind, sha256_hex};

/// A receipt to look for: a tracking number and either the comment's content hash or the ledger
/// entry's hash, as the receipt shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptClaim {
    /// Tracking number, upper case.
    pub tracking: String,
    /// 64 hex digits, lower case.
    pub hash: String,
}

impl ReceiptClaim {
    /// Parses `TRACKING:HASH`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (tracking, hash) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}': expected TRACKING:HASH"))?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("'{s}': the hash must be 64 hex digits"));
        }
        Ok(Self {
            tracking: tracking.trim().to_ascii_uppercase(),
            hash,
        })
    }
}

/// Parses a public key given as 64 hex digits.
pub fn parse_key(s: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(s.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "the key must be 64 hex digits (32 bytes)".to_owned())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not an Ed25519 public key".to_owned())
}

/// What to check beyond the chain itself.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The key every signature must verify with (from the `/ledger-key` page). Without it the
    /// key of the first signature line is expected of all the others.
    pub key: Option<VerifyingKey>,
    /// Receipts that must be in the log.
    pub receipts: Vec<ReceiptClaim>,
}

/// Where a receipt was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundReceipt {
    /// Tracking number.
    pub tracking: String,
    /// Line number in the file, from 1.
    pub line: usize,
    /// The entry's seq.
    pub seq: i64,
    /// The entry's hash.
    pub hash: String,
}

/// What a log that verifies holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The consultation's slug (none for an empty file).
    pub consultation: Option<String>,
    /// Entries.
    pub entries: i64,
    /// The last entry's hash.
    pub head: Option<String>,
    /// Signature lines, all valid.
    pub signatures: usize,
    /// The newest signed seq.
    pub last_signed: Option<i64>,
    /// The key the signatures verify with (hex).
    pub key: Option<String>,
    /// The receipts asked about, in the order asked.
    pub receipts: Vec<FoundReceipt>,
}

/// Why a log does not verify: the first bad line, or a receipt it does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A line breaks the format, the chain or a signature.
    #[error("line {line}{}: {problem}", seq.map(|s| format!(" (seq {s})")).unwrap_or_default())]
    Line {
        /// Line number, from 1.
        line: usize,
        /// The entry's seq, or the seq a signature line signs, when it could be read.
        seq: Option<i64>,
        /// What is wrong.
        problem: String,
    },
    /// A receipt is not in the log.
    #[error("receipt {tracking}: {problem}")]
    Receipt {
        /// Tracking number.
        tracking: String,
        /// What is wrong.
        problem: String,
    },
}

impl VerifyError {
    /// The line number of a line error.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Line { line, .. } => Some(*line),
            Self::Receipt { .. } => None,
        }
    }

    /// The seq named by a line error.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Self::Line { seq, .. } => *seq,
            Self::Receipt { .. } => None,
        }
    }
}

/// A comment_posted entry, kept for the receipt check.
struct Posted {
    line: usize,
    seq: i64,
    hash: String,
    content_hash: String,
}

/// Verifies a whole `.jsonl` log.
pub fn verify(text: &str, options: &Options) -> Result<Report, VerifyError> {
    let mut report = Report::default();
    // hashes[i] is the hash of seq i + 1, with the line it came from.
    let mut hashes: Vec<(String, usize)> = Vec::new();
    let mut expected_key: Option<VerifyingKey> = options.key;
    let mut posted: HashMap<String, Posted> = HashMap::new();
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.is_empty() {
        return check_receipts(report, &posted, options);
    }
    for (i, line) in body.split('\n').enumerate() {
        let n = i + 1;
        let fail = |seq: Option<i64>, problem: String| VerifyError::Line {
            line: n,
            seq,
            problem,
        };
        let json = Json::parse_canonical(line).map_err(|e| fail(None, e.to_string()))?;
        let seq = json.get_int("seq");
        let field = |name: &str| {
            json.get_str(name)
                .ok_or_else(|| fail(seq, format!("the string field \"{name}\" is missing")))
        };
        let seq_value =
            seq.ok_or_else(|| fail(None, "the integer field \"seq\" is missing".into()))?;
        if json.get_int("v") != Some(FORMAT_VERSION) {
            return Err(fail(seq, format!("\"v\" must be {FORMAT_VERSION}")));
        }
        let consultation = field("consultation")?;
        match &report.consultation {
            None => report.consultation = Some(consultation.to_owned()),
            Some(c) if c != consultation => {
                return Err(fail(
                    seq,
                    format!("belongs to consultation '{consultation}', the file to '{c}'"),
                ));
            }
            Some(_) => {}
        }
        let kind_name = field("type")?;
        if kind_name == SIGNATURE_TYPE {
            let head = field("head")?;
            let Some((signed_hash, signed_line)) = seq_value
                .checked_sub(1)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| hashes.get(i))
            else {
                return Err(fail(
                    seq,
                    format!("signs seq {seq_value}, which no earlier line holds"),
                ));
            };
            if head != signed_hash {
                return Err(fail(
                    seq,
                    format!(
                        "signs head {head}, but seq {seq_value} (line {signed_line}) hashes to {signed_hash}"
                    ),
                ));
            }
            let key = parse_key(field("key")?).map_err(|e| fail(seq, e))?;
            match expected_key {
                Some(k) if k != key => {
                    return Err(fail(
                        seq,
                        format!(
                            "signed with key {}, not the expected {}",
                            hex::encode(key.as_bytes()),
                            hex::encode(k.as_bytes())
                        ),
                    ));
                }
                Some(_) => {}
                None => expected_key = Some(key),
            }
            let signature = hex::decode(field("signature")?)
                .ok()
                .and_then(|b| <[u8; 64]>::try_from(b).ok())
                .map(|b| Signature::from_bytes(&b))
                .ok_or_else(|| fail(seq, "the signature must be 128 hex digits".into()))?;
            key.verify(&head_message(consultation, seq_value, head), &signature)
                .map_err(|_| fail(seq, "the signature does not verify".into()))?;
            report.signatures += 1;
            report.last_signed = Some(report.last_signed.map_or(seq_value, |s| s.max(seq_value)));
            continue;
        }
        let expected_seq = report.entries + 1;
        if seq_value != expected_seq {
            return Err(fail(
                seq,
                format!("seq {seq_value} where seq {expected_seq} was expected"),
            ));
        }
        let prev = field("prev")?;
        match hashes.last() {
            None if prev != GENESIS_PREV => {
                return Err(fail(seq, "the first entry's prev must be 64 zeros".into()));
            }
            Some((h, l)) if prev != h => {
                return Err(fail(
                    seq,
                    format!(
                        "prev is not the hash of line {l} (seq {}): that entry or this one was changed",
                        seq_value - 1
                    ),
                ));
            }
            _ => {}
        }
        field("time")?;
        let Some(payload @ Json::Obj(_)) = json.get("payload") else {
            return Err(fail(seq, "the object field \"payload\" is missing".into()));
        };
        let hash = sha256_hex(line.as_bytes());
        if kind_name == kind::COMMENT_POSTED {
            let get = |name: &str| {
                payload.get_str(name).ok_or_else(|| {
                    fail(
                        seq,
                        format!("the payload's string field \"{name}\" is missing"),
                    )
                })
            };
            let tracking = get("tracking")?.to_owned();
            let content_hash = get("content_hash")?.to_owned();
            if options.receipts.iter().any(|r| r.tracking == tracking) {
                posted.insert(
                    tracking,
                    Posted {
                        line: n,
                        seq: seq_value,
                        hash: hash.clone(),
                        content_hash,
                    },
                );
            }
        }
        hashes.push((hash, n));
        report.entries = seq_value;
    }
    report.head = hashes.last().map(|(h, _)| h.clone());
    report.key = expected_key.map(|k| hex::encode(k.as_bytes()));
    check_receipts(report, &posted, options)
}

fn check_receipts(
    mut report: Report,
    posted: &HashMap<String, Posted>,
    options: &Options,
) -> Result<Report, VerifyError> {
    for claim in &options.receipts {
        let fail = |problem: String| VerifyError::Receipt {
            tracking: claim.tracking.clone(),
            problem,
        };
        let p = posted
            .get(&claim.tracking)
            .ok_or_else(|| fail("no comment_posted entry has this tracking number".into()))?;
        if claim.hash != p.hash && claim.hash != p.content_hash {
            return Err(fail(format!(
                "line {} (seq {}) records it, but {} is neither that entry's hash {} nor its content hash {}",
                p.line, p.seq, claim.hash, p.hash, p.content_hash
            )));
        }
        report.receipts.push(FoundReceipt {
            tracking: claim.tracking.clone(),
            line: p.line,
            seq: p.seq,
            hash: p.hash.clone(),
        });
    }
    Ok(report)
}
