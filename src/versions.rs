//! Revised versions: which article of a newly imported text continues which article of the
//! previous version, so a reader can follow an article (and its comments) across versions.

pub mod links;

use std::collections::HashMap;

use similar::TextDiff;

use chrono::NaiveDateTime;

use crate::comments::diff::{self, Segment, mostly_cjk};
use crate::consultations::{Consultation, parse_day};
use crate::db::{self, DbConnection, DbError};
use crate::drafts::import::{ImportError, ParsedArticle, ParsedDraft, parse_draft};
use crate::drafts::{Article, DraftVersion};
use crate::ledger::{self, Event};

/// Below this similarity two articles are treated as a deletion and an insertion, not an edit.
///
/// `similar`'s ratio is 2·(shared units)/(total units), characters for Chinese, words for English.
/// At 0.5 half of the text survives: revisions that reword a clause, add a list of duties or
/// change figures stay well above it (the edits in the tests score 0.81–0.87), while two different
/// articles of the same law share only boilerplate such as 应当/物业管理 and score 0.07–0.39.
/// A pairing the threshold gets wrong is one the drafter corrects before publishing.
pub const SIMILARITY_THRESHOLD: f32 = 0.5;

/// The parts of an article that matching looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleText {
    /// Article number (五 in 第五条).
    pub number: i32,
    /// Text, one 款 or 项 per line, each line trimmed.
    pub body: String,
}

impl ArticleText {
    /// An article from its number and lines; blank lines and surrounding spaces do not count.
    pub fn new<'a>(number: i32, lines: impl IntoIterator<Item = &'a str>) -> Self {
        let body = lines
            .into_iter()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Self { number, body }
    }
}

impl From<&Article> for ArticleText {
    fn from(a: &Article) -> Self {
        Self::new(a.head.number, a.body.lines())
    }
}

impl From<&ParsedArticle> for ArticleText {
    fn from(a: &ParsedArticle) -> Self {
        Self::new(a.number, a.body.iter().map(String::as_str))
    }
}

/// How an article of the new version relates to the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Same number, same text.
    Unchanged,
    /// Same number, similar text.
    Edited,
    /// Another number; `edited` when the text changed as well.
    Renumbered {
        /// Whether the text differs.
        edited: bool,
    },
    /// Only in the new version.
    Inserted,
    /// Only in the previous version.
    Deleted,
}

impl Change {
    /// A stable name, for templates and message keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchanged => "unchanged",
            Self::Edited => "edited",
            Self::Renumbered { edited: false } => "renumbered",
            Self::Renumbered { edited: true } => "renumbered-edited",
            Self::Inserted => "inserted",
            Self::Deleted => "deleted",
        }
    }
}

/// One row of the proposed matching: indexes into the old and the new article lists.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// The previous version's article, absent for an insertion.
    pub old: Option<usize>,
    /// The new version's article, absent for a deletion.
    pub new: Option<usize>,
    /// The relation.
    pub change: Change,
    /// Text similarity from 0 to 1 (1 for identical, 0 for insertions and deletions).
    pub similarity: f32,
}

/// Text similarity between two article bodies, from 0 to 1.
pub fn similarity(old: &str, new: &str) -> f32 {
    if old == new {
        return 1.0;
    }
    if mostly_cjk(old) || mostly_cjk(new) {
        TextDiff::from_chars(old, new).ratio()
    } else {
        TextDiff::from_words(old, new).ratio()
    }
}

/// The characters of a text, sorted, for [`similarity_bound`].
fn bag(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = text.chars().collect();
    chars.sort_unstable();
    chars
}

/// An upper bound of [`similarity`], to skip hopeless comparisons cheaply: a character diff
/// cannot keep more characters than the two texts have in common, counted with repetition.
/// Word diffs count tokens, not characters, so they get no bound.
fn similarity_bound(old: &str, new: &str, old_bag: &[char], new_bag: &[char]) -> f32 {
    let total = old_bag.len() + new_bag.len();
    if total == 0 || !(mostly_cjk(old) || mostly_cjk(new)) {
        return 1.0;
    }
    let shared = {
        let (mut i, mut j, mut shared) = (0, 0, 0usize);
        while let (Some(a), Some(b)) = (old_bag.get(i), new_bag.get(j)) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        shared
    };
    2.0 * shared as f32 / total as f32
}

/// Proposes which new article continues which old one, in the new version's order with each
/// deletion placed where it stood.
///
/// Identical texts pair first (same number before any other), so an insertion that shifts
/// the numbers cannot steal a number from the article that merely moved; then the remaining
/// articles pair by descending similarity above [`SIMILARITY_THRESHOLD`], same number first on ties.
pub fn match_articles(old: &[ArticleText], new: &[ArticleText]) -> Vec<Pair> {
    let mut old_to_new: Vec<Option<(usize, f32)>> = vec![None; old.len()];
    let mut new_taken = vec![false; new.len()];

    let mut by_body: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in old.iter().enumerate() {
        by_body.entry(a.body.as_str()).or_default().push(i);
    }
    for same_number in [true, false] {
        for (j, b) in new.iter().enumerate() {
            if new_taken[j] {
                continue;
            }
            let Some(candidates) = by_body.get(b.body.as_str()) else {
                continue;
            };
            let found = candidates
                .iter()
                .copied()
                .find(|&i| old_to_new[i].is_none() && (!same_number || old[i].number == b.number));
            if let Some(i) = found {
                old_to_new[i] = Some((j, 1.0));
                new_taken[j] = true;
            }
        }
    }

    let new_bags: Vec<Option<Vec<char>>> = new
        .iter()
        .zip(&new_taken)
        .map(|(b, taken)| (!taken).then(|| bag(&b.body)))
        .collect();
    let mut candidates: Vec<(f32, bool, usize, usize, usize)> = Vec::new();
    for (i, a) in old.iter().enumerate() {
        if old_to_new[i].is_some() {
            continue;
        }
        let old_bag = bag(&a.body);
        for (j, b) in new.iter().enumerate() {
            let Some(new_bag) = &new_bags[j] else {
                continue;
            };
            if similarity_bound(&a.body, &b.body, &old_bag, new_bag) < SIMILARITY_THRESHOLD {
                continue;
            }
            let s = similarity(&a.body, &b.body);
            if s >= SIMILARITY_THRESHOLD {
                candidates.push((s, a.number != b.number, i.abs_diff(j), i, j));
            }
        }
    }
    candidates.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(x.1.cmp(&y.1))
            .then(x.2.cmp(&y.2))
            .then((x.3, x.4).cmp(&(y.3, y.4)))
    });
    for (s, _, _, i, j) in candidates {
        if old_to_new[i].is_none() && !new_taken[j] {
            old_to_new[i] = Some((j, s));
            new_taken[j] = true;
        }
    }

    let mut new_to_old: Vec<Option<(usize, f32)>> = vec![None; new.len()];
    for (i, m) in old_to_new.iter().enumerate() {
        if let Some((j, s)) = *m {
            new_to_old[j] = Some((i, s));
        }
    }
    arrange(old, new, &new_to_old)
}

/// The pairs of a matching given as, for each new article, the old one it continues with their
/// similarity; in the new version's order with each deletion placed where it stood.
fn arrange(
    old: &[ArticleText],
    new: &[ArticleText],
    new_to_old: &[Option<(usize, f32)>],
) -> Vec<Pair> {
    let mut old_to_new: Vec<Option<usize>> = vec![None; old.len()];
    for (j, m) in new_to_old.iter().enumerate() {
        if let Some((i, _)) = *m {
            old_to_new[i] = Some(j);
        }
    }
    let mut pairs = Vec::with_capacity(old.len().max(new.len()));
    let mut next_old = 0usize;
    let mut flush_deleted = |pairs: &mut Vec<Pair>, until: usize| {
        while next_old < until {
            if old_to_new[next_old].is_none() {
                pairs.push(Pair {
                    old: Some(next_old),
                    new: None,
                    change: Change::Deleted,
                    similarity: 0.0,
                });
            }
            next_old += 1;
        }
    };
    for (j, m) in new_to_old.iter().enumerate() {
        match *m {
            Some((i, s)) => {
                flush_deleted(&mut pairs, i);
                let edited = old[i].body != new[j].body;
                let change = match (old[i].number == new[j].number, edited) {
                    (true, false) => Change::Unchanged,
                    (true, true) => Change::Edited,
                    (false, edited) => Change::Renumbered { edited },
                };
                pairs.push(Pair {
                    old: Some(i),
                    new: Some(j),
                    change,
                    similarity: s,
                });
            }
            None => pairs.push(Pair {
                old: None,
                new: Some(j),
                change: Change::Inserted,
                similarity: 0.0,
            }),
        }
    }
    flush_deleted(&mut pairs, old.len());
    pairs
}

/// Why a revised text could not be matched or published.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    /// The text itself was refused by the importer.
    #[error(transparent)]
    Parse(#[from] ImportError),
    /// The consultation has no text to revise.
    #[error("the consultation has no published text")]
    NoText,
    /// The revised text is article for article the current one.
    #[error("the revised text does not change any article")]
    Unchanged,
    /// The drafter's corrected matching names an article that does not exist, uses an old
    /// article twice as a continuation, or records a split or merge that is none.
    #[error("the corrected matching is not valid")]
    BadMatching,
    /// The new comment window is incomplete, unreadable, empty or already over.
    #[error("the new comment window is not valid")]
    BadWindow,
    /// A concluded consultation cannot open a new comment round.
    #[error("the consultation is concluded")]
    Concluded,
    /// Another drafter published a version at the same moment; the matching must be reviewed
    /// against that one.
    #[error("another version was published at the same moment")]
    Concurrent,
    /// Reading or storing failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for VersionError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// A revised text matched against the current version, as the drafter reviews it.
#[derive(Clone, Debug)]
pub struct Proposal {
    /// The version being revised.
    pub current: DraftVersion,
    /// Its articles, which `pairs` index as `old`.
    pub old: Vec<Article>,
    /// The revised text, whose articles `pairs` index as `new`.
    pub draft: ParsedDraft,
    /// The proposed matching.
    pub pairs: Vec<Pair>,
    /// Splits and merges: (new article, old article) indexes beyond the continuations.
    pub lineage: Vec<(usize, usize, LineageKind)>,
}

impl Proposal {
    /// Whether any article was edited, moved, inserted, deleted, split or merged.
    pub fn changes_anything(&self) -> bool {
        !self.lineage.is_empty() || self.pairs.iter().any(|p| p.change != Change::Unchanged)
    }

    /// The old article (index) that new article `j` continues.
    pub fn continues(&self, j: usize) -> Option<usize> {
        self.pairs
            .iter()
            .find(|p| p.new == Some(j))
            .and_then(|p| p.old)
    }

    /// Replaces the proposed matching by the drafter's.
    pub fn apply(&mut self, correction: &Correction) -> Result<(), VersionError> {
        let n = self.draft.articles.len();
        if correction.continues.len() != n || correction.also.len() != n {
            return Err(VersionError::BadMatching);
        }
        let index: HashMap<i32, usize> = self
            .old
            .iter()
            .enumerate()
            .map(|(i, a)| (a.head.number, i))
            .collect();
        let find = |number: Option<i32>| -> Result<Option<usize>, VersionError> {
            number
                .map(|n| index.get(&n).copied().ok_or(VersionError::BadMatching))
                .transpose()
        };
        let old_texts: Vec<ArticleText> = self.old.iter().map(ArticleText::from).collect();
        let new_texts: Vec<ArticleText> =
            self.draft.articles.iter().map(ArticleText::from).collect();
        let mut used = vec![false; self.old.len()];
        let mut new_to_old = Vec::with_capacity(n);
        for (j, &number) in correction.continues.iter().enumerate() {
            let chosen = find(number)?;
            if let Some(i) = chosen
                && std::mem::replace(&mut used[i], true)
            {
                return Err(VersionError::BadMatching);
            }
            new_to_old
                .push(chosen.map(|i| (i, similarity(&old_texts[i].body, &new_texts[j].body))));
        }
        let mut lineage = Vec::new();
        for (j, &number) in correction.also.iter().enumerate() {
            let Some(i) = find(number)? else {
                continue;
            };
            let continued = new_to_old[j].map(|(c, _)| c);
            // Text taken from an article that lives on elsewhere is a split; from one that ends
            // here, a merge into an article that continues another.
            let kind = match (used[i], continued) {
                (_, Some(c)) if c == i => return Err(VersionError::BadMatching),
                (true, _) => LineageKind::Split,
                (false, Some(_)) => LineageKind::Merge,
                (false, None) => return Err(VersionError::BadMatching),
            };
            lineage.push((j, i, kind));
        }
        self.pairs = arrange(&old_texts, &new_texts, &new_to_old);
        self.lineage = lineage;
        Ok(())
    }
}

/// How a new article takes text from an old one it does not continue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineageKind {
    /// The old article continues elsewhere; part of it became this article.
    Split,
    /// The old article ends here, merged into this one.
    Merge,
}

impl LineageKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Split => "split",
            Self::Merge => "merge",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Split, Self::Merge]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The drafter's matching, one entry per article of the revised text in order: the number of the
/// old article it continues (`None`: new) and of one more it takes text from (split or merge).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Correction {
    /// Old article continued, per new article.
    pub continues: Vec<Option<i32>>,
    /// Old article split from or merged in, per new article.
    pub also: Vec<Option<i32>>,
}

impl Correction {
    /// Parses the form's values: an article number, or empty for none.
    pub fn parse(continues: &[String], also: &[String]) -> Result<Self, VersionError> {
        let numbers = |values: &[String]| {
            values
                .iter()
                .map(|v| match v.trim() {
                    "" => Ok(None),
                    n => n
                        .parse::<i32>()
                        .map(Some)
                        .map_err(|_| VersionError::BadMatching),
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            continues: numbers(continues)?,
            also: numbers(also)?,
        })
    }
}

/// Parses a revised text for `consultation` and matches it against the current version.
pub fn propose(
    conn: &mut DbConnection,
    consultation: &Consultation,
    bytes: &[u8],
    file_name: &str,
) -> Result<Proposal, VersionError> {
    let draft = parse_draft(bytes, file_name, None)?;
    let current_id = consultation
        .current_version_id
        .ok_or(VersionError::NoText)?;
    let current = db::drafts::version(conn, current_id)?.ok_or(VersionError::NoText)?;
    let old = db::drafts::articles(conn, current_id)?;
    let old_texts: Vec<ArticleText> = old.iter().map(ArticleText::from).collect();
    let new_texts: Vec<ArticleText> = draft.articles.iter().map(ArticleText::from).collect();
    let pairs = match_articles(&old_texts, &new_texts);
    Ok(Proposal {
        current,
        old,
        draft,
        pairs,
        lineage: Vec::new(),
    })
}

/// A new comment round's window, opened with a revised version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Start (UTC).
    pub opens_at: NaiveDateTime,
    /// End (UTC).
    pub closes_at: NaiveDateTime,
}

impl Window {
    /// Parses the form's two days (Beijing time, the last one included); both empty means no
    /// new round. The window must end after it starts and after `now`.
    pub fn parse(
        opens: &str,
        closes: &str,
        now: NaiveDateTime,
    ) -> Result<Option<Self>, VersionError> {
        match (opens.trim(), closes.trim()) {
            ("", "") => Ok(None),
            (o, c) => {
                let opens_at = parse_day(o, false).map_err(|_| VersionError::BadWindow)?;
                let closes_at = parse_day(c, true).map_err(|_| VersionError::BadWindow)?;
                if closes_at <= opens_at || closes_at <= now {
                    return Err(VersionError::BadWindow);
                }
                Ok(Some(Self {
                    opens_at,
                    closes_at,
                }))
            }
        }
    }
}

/// What the drafter decided on the review page besides the text.
#[derive(Clone, Debug, Default)]
pub struct Choices {
    /// The corrected matching; `None` publishes the proposed one.
    pub correction: Option<Correction>,
    /// A new comment round on the new version.
    pub window: Option<Window>,
}

/// Publishes a revised text as the next version of `consultation` and returns its number.
///
/// Matched articles keep the stable key of the article they continue, the previous version
/// stays stored (with its comments) and the public record gains the publication, all in one
/// transaction; the matching is recomputed here so that what is stored is what the drafter saw,
/// or replaced by the drafter's corrected matching, splits and merges included. A new window in
/// `choices` opens a comment round on the new version, recorded in the public record.
pub fn publish(
    conn: &mut DbConnection,
    consultation: &Consultation,
    bytes: &[u8],
    file_name: &str,
    choices: &Choices,
    now: NaiveDateTime,
) -> Result<i32, VersionError> {
    let published = db::transaction(conn, |conn| {
        // Re-read inside the transaction: a concurrent publication must not reuse a number.
        let consultation =
            db::consultations::by_id(conn, consultation.id)?.ok_or(VersionError::NoText)?;
        if choices.window.is_some() && consultation.concluded_at.is_some() {
            return Err(VersionError::Concluded);
        }
        let mut proposal = propose(conn, &consultation, bytes, file_name)?;
        if let Some(c) = &choices.correction {
            proposal.apply(c)?;
        }
        if !proposal.changes_anything() {
            return Err(VersionError::Unchanged);
        }
        let number = proposal.current.number + 1;
        let version_id =
            db::drafts::insert_version(conn, consultation.id, number, None, &proposal.draft, now)?;
        for pair in &proposal.pairs {
            if let (Some(i), Some(j)) = (pair.old, pair.new) {
                db::versions::set_stable_key(
                    conn,
                    version_id,
                    proposal.draft.articles[j].number,
                    &proposal.old[i].stable_key,
                )?;
            }
        }
        if !proposal.lineage.is_empty() {
            let ids: HashMap<i32, i32> = db::drafts::articles(conn, version_id)?
                .into_iter()
                .map(|a| (a.head.number, a.head.id))
                .collect();
            for &(j, i, kind) in &proposal.lineage {
                let new_id = ids
                    .get(&proposal.draft.articles[j].number)
                    .copied()
                    .ok_or(VersionError::BadMatching)?;
                db::versions::insert_lineage(conn, new_id, proposal.old[i].head.id, kind.as_str())?;
            }
        }
        db::consultations::set_current_version(conn, consultation.id, version_id)?;
        crate::search::index_version(conn, version_id)?;
        let text_hash = ledger::sha256_hex(bytes);
        ledger::append_to(
            conn,
            &consultation,
            &Event::VersionPublished {
                version: number,
                text_hash: &text_hash,
            },
            now,
        )?;
        if let Some(w) = choices.window {
            db::consultations::set_window(conn, consultation.id, w.opens_at, w.closes_at)?;
            let reopened =
                db::consultations::by_id(conn, consultation.id)?.ok_or(VersionError::NoText)?;
            ledger::append_to(
                conn,
                &reopened,
                &Event::CommentRoundOpened {
                    version: number,
                    opens_at: w.opens_at,
                    closes_at: w.closes_at,
                },
                now,
            )?;
        }
        Ok(number)
    });
    // On PostgreSQL two publications can read the same current version; the unique version
    // number lets one through and refuses the other, which must review the new text again.
    match published {
        Err(VersionError::Db(DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )))) => Err(VersionError::Concurrent),
        other => other,
    }
}

/// An article that changed between two versions, with its inline diff.
#[derive(Clone, Debug)]
pub struct ChangedArticle {
    /// The article in the previous version, absent for an insertion.
    pub old: Option<Article>,
    /// The article in this version, absent for a deletion.
    pub new: Option<Article>,
    /// How it changed.
    pub change: Change,
    /// The previous text against this one (all added or all removed for insertions and deletions).
    pub diff: Vec<Segment>,
    /// The comments and responses the drafters linked to this change.
    pub motivation: links::Motivation,
    /// Labels of the old articles this one was split from.
    pub split_from: Vec<String>,
    /// Labels of the old articles merged into this one (the one it continues included).
    pub merged_from: Vec<String>,
    /// For a deleted article, the label of the new article it was merged into.
    pub merged_into: Option<String>,
}

/// One row of a side-by-side diff: a paragraph (款 or 项) before and after, each marked against
/// the other; an empty side is a paragraph that only the other version has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideRow {
    /// The paragraph before, its removed runs marked.
    pub before: Vec<Segment>,
    /// The paragraph after, its added runs marked.
    pub after: Vec<Segment>,
}

/// Compares two article texts paragraph by paragraph for a two-column view: paragraphs pair by a
/// line diff, and paired paragraphs are compared character by character (word by word in English).
pub fn side_by_side(old: &str, new: &str) -> Vec<SideRow> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let whole = |text: &str, mark| {
        if text.is_empty() {
            Vec::new()
        } else {
            vec![Segment {
                mark,
                text: text.to_owned(),
            }]
        }
    };
    let mut rows = Vec::new();
    let diff = similar::capture_diff_slices(similar::Algorithm::Myers, &old_lines, &new_lines);
    for op in diff {
        let (old_range, new_range) = (op.old_range(), op.new_range());
        if op.tag() == similar::DiffTag::Equal {
            for line in &old_lines[old_range] {
                rows.push(SideRow {
                    before: whole(line, diff::Mark::Same),
                    after: whole(line, diff::Mark::Same),
                });
            }
            continue;
        }
        let (before, after) = (&old_lines[old_range], &new_lines[new_range]);
        for k in 0..before.len().max(after.len()) {
            let row = match (before.get(k), after.get(k)) {
                (Some(b), Some(a)) => {
                    let segments = diff::compare(b, a);
                    SideRow {
                        before: segments.iter().filter(|s| !s.is_added()).cloned().collect(),
                        after: segments.into_iter().filter(|s| !s.is_removed()).collect(),
                    }
                }
                (Some(b), None) => SideRow {
                    before: whole(b, diff::Mark::Removed),
                    after: Vec::new(),
                },
                (None, Some(a)) => SideRow {
                    before: Vec::new(),
                    after: whole(a, diff::Mark::Added),
                },
                (None, None) => continue,
            };
            rows.push(row);
        }
    }
    rows
}

impl ChangedArticle {
    /// The anchor of this change on the changes page when it concerns the article with stable
    /// key `key` (its continuation keeps the key; a deleted article keeps its own).
    pub fn anchor_if_follows(&self, key: &str) -> Option<String> {
        match (&self.new, &self.old) {
            (Some(new), _) if new.stable_key == key => Some(format!("change-{}", new.head.number)),
            (None, Some(old)) if old.stable_key == key => {
                Some(format!("deleted-{}", old.head.number))
            }
            _ => None,
        }
    }
}

/// What changed in one version against the one before it.
#[derive(Clone, Debug)]
pub struct VersionChanges {
    /// The version's number.
    pub number: i32,
    /// Every changed, inserted and deleted article, in this version's order with deletions
    /// after the articles they followed.
    pub articles: Vec<ChangedArticle>,
}

/// A consultation's versions as (number, title, published at), oldest first.
pub fn history(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> Result<Vec<(i32, String, NaiveDateTime)>, DbError> {
    Ok(db::versions::history(conn, consultation_id)?)
}

/// The articles of version `number` (for old versions kept readable); `None` when there is none.
pub fn version_articles(
    conn: &mut DbConnection,
    consultation_id: i32,
    number: i32,
) -> Result<Option<Vec<Article>>, DbError> {
    match db::versions::version_id(conn, consultation_id, number)? {
        Some(id) => Ok(Some(db::drafts::articles(conn, id)?)),
        None => Ok(None),
    }
}

/// Where an article of an older version stands in the current text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InCurrent {
    /// This is the current version.
    IsCurrent,
    /// The article continues as (number, label) in the current text.
    Continues(i32, String),
    /// No article of the current text continues it.
    Gone,
}

/// Where `article` of version `number` stands in the consultation's current text.
pub fn in_current(
    conn: &mut DbConnection,
    consultation: &Consultation,
    number: i32,
    article: &Article,
) -> Result<InCurrent, DbError> {
    let Some(current) = consultation.current_version_id else {
        return Ok(InCurrent::Gone);
    };
    if db::versions::version_id(conn, consultation.id, number)? == Some(current) {
        return Ok(InCurrent::IsCurrent);
    }
    Ok(
        match db::versions::article_by_key(conn, current, &article.stable_key)? {
            Some((number, label)) => InCurrent::Continues(number, label),
            None => InCurrent::Gone,
        },
    )
}

/// The changes version `number` made to the one before it, following articles by stable key;
/// `None` when there is no such version or it is the first.
pub fn changes(
    conn: &mut DbConnection,
    consultation_id: i32,
    number: i32,
) -> Result<Option<VersionChanges>, DbError> {
    let (Some(new), Some(old)) = (
        version_articles(conn, consultation_id, number)?,
        version_articles(conn, consultation_id, number - 1)?,
    ) else {
        return Ok(None);
    };
    let old_by_key: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(i, a)| (a.stable_key.as_str(), i))
        .collect();
    let mut continued = vec![false; old.len()];
    let mut out = Vec::new();
    let mut next_old = 0usize;
    let deleted = |out: &mut Vec<ChangedArticle>, a: &Article| {
        out.push(ChangedArticle {
            diff: diff::compare(&a.body, ""),
            old: Some(a.clone()),
            new: None,
            change: Change::Deleted,
            motivation: links::Motivation::default(),
            split_from: Vec::new(),
            merged_from: Vec::new(),
            merged_into: None,
        });
    };
    let mut kept = Vec::new();
    for a in &new {
        match old_by_key.get(a.stable_key.as_str()) {
            Some(&i) => {
                continued[i] = true;
                kept.push((Some(i), a));
            }
            None => kept.push((None, a)),
        }
    }
    for (i, a) in kept {
        let Some(i) = i else {
            out.push(ChangedArticle {
                diff: diff::compare("", &a.body),
                old: None,
                new: Some(a.clone()),
                change: Change::Inserted,
                motivation: links::Motivation::default(),
                split_from: Vec::new(),
                merged_from: Vec::new(),
                merged_into: None,
            });
            continue;
        };
        while next_old < i {
            if !continued[next_old] {
                deleted(&mut out, &old[next_old]);
            }
            next_old += 1;
        }
        next_old = next_old.max(i + 1);
        let before = &old[i];
        let edited = before.body != a.body;
        let change = match (before.head.number == a.head.number, edited) {
            (true, false) => continue,
            (true, true) => Change::Edited,
            (false, edited) => Change::Renumbered { edited },
        };
        out.push(ChangedArticle {
            diff: diff::compare(&before.body, &a.body),
            old: Some(before.clone()),
            new: Some(a.clone()),
            change,
            motivation: links::Motivation::default(),
            split_from: Vec::new(),
            merged_from: Vec::new(),
            merged_into: None,
        });
    }
    for a in old
        .iter()
        .skip(next_old)
        .zip(continued.iter().skip(next_old))
    {
        if !*a.1 {
            deleted(&mut out, a.0);
        }
    }
    let changed: Vec<i32> = out
        .iter()
        .filter_map(|c| c.new.as_ref().map(|a| a.head.id))
        .collect();
    let mut motivations = links::motivations(conn, &changed)?;
    for c in &mut out {
        if let Some(m) = c.new.as_ref().and_then(|a| motivations.remove(&a.head.id)) {
            c.motivation = m;
        }
    }
    let lineage = db::versions::lineage_of(conn, &changed)?;
    if !lineage.is_empty() {
        let old_position: HashMap<i32, usize> = old
            .iter()
            .enumerate()
            .map(|(i, a)| (a.head.id, i))
            .collect();
        let new_label: HashMap<i32, &str> = new
            .iter()
            .map(|a| (a.head.id, a.head.label.as_str()))
            .collect();
        for c in &mut out {
            let Some(a) = &c.new else {
                continue;
            };
            let mut merged: Vec<usize> = Vec::new();
            for (_, source, kind) in lineage.iter().filter(|l| l.0 == a.head.id) {
                let Some(&i) = old_position.get(source) else {
                    continue;
                };
                match LineageKind::parse(kind) {
                    Some(LineageKind::Split) => c.split_from.push(old[i].head.label.clone()),
                    Some(LineageKind::Merge) => merged.push(i),
                    None => {}
                }
            }
            if !merged.is_empty() {
                merged.extend(old_by_key.get(a.stable_key.as_str()));
                merged.sort_unstable();
                c.merged_from = merged.iter().map(|&i| old[i].head.label.clone()).collect();
            }
        }
        for c in &mut out {
            if let (Some(gone), None) = (&c.old, &c.new) {
                c.merged_into = lineage
                    .iter()
                    .find(|l| l.1 == gone.head.id && l.2 == LineageKind::Merge.as_str())
                    .and_then(|l| new_label.get(&l.0))
                    .map(|l| (*l).to_owned());
            }
        }
    }
    Ok(Some(VersionChanges {
        number,
        articles: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drafts::import::parse_draft;

    fn articles(text: &str) -> Vec<ArticleText> {
        match parse_draft(text.as_bytes(), "draft.txt", None) {
            Ok(draft) => draft.articles.iter().map(ArticleText::from).collect(),
            Err(error) => panic!("expected a draft, got: {error}"),
        }
    }

    /// The matching as (old number, new number, change), easy to read in an assertion.
    fn numbered(
        old: &[ArticleText],
        new: &[ArticleText],
    ) -> Vec<(Option<i32>, Option<i32>, Change)> {
        match_articles(old, new)
            .into_iter()
            .map(|p| {
                (
                    p.old.map(|i| old[i].number),
                    p.new.map(|j| new[j].number),
                    p.change,
                )
            })
            .collect()
    }

    const VERSION_1: &str = "\
某某市物业管理条例（草案征求意见稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理活动。
第三条　业主可以成立业主大会，选举产生业主委员会。
第四条　物业服务收费应当遵循合理、公开以及费用与服务水平相适应的原则。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，并接受业主的监督。
第六条　本条例自公布之日起施行。
";

    const VERSION_2: &str = "\
某某市物业管理条例（草案修改稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理及相关监督管理活动。
第三条　市住房城乡建设主管部门负责本市物业管理活动的监督管理工作。
第四条　业主可以成立业主大会，选举产生业主委员会。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，定期公开服务事项，并接受业主和业主委员会的监督。
第六条　本条例自公布之日起施行。
";

    #[test]
    fn a_revised_chinese_draft_pairs_every_article() {
        let (old, new) = (articles(VERSION_1), articles(VERSION_2));
        assert_eq!(
            numbered(&old, &new),
            vec![
                (Some(1), Some(1), Change::Unchanged),
                (Some(2), Some(2), Change::Edited),
                (None, Some(3), Change::Inserted),
                (Some(3), Some(4), Change::Renumbered { edited: false }),
                (Some(4), None, Change::Deleted),
                (Some(5), Some(5), Change::Edited),
                (Some(6), Some(6), Change::Unchanged),
            ]
        );
    }

    #[test]
    fn an_article_both_moved_and_reworded_follows_its_text() {
        let old = vec![
            ArticleText::new(1, ["个人信息处理者应当采取必要措施保障个人信息安全。"]),
            ArticleText::new(2, ["违反本法规定的，由有关部门责令改正，给予警告。"]),
        ];
        let new = vec![
            ArticleText::new(1, ["国家建立个人信息保护工作协调机制。"]),
            ArticleText::new(2, ["个人信息处理者应当采取必要措施保障个人信息安全。"]),
            ArticleText::new(
                3,
                ["违反本法规定的，由有关部门责令改正，给予警告，没收违法所得。"],
            ),
        ];
        assert_eq!(
            numbered(&old, &new),
            vec![
                (None, Some(1), Change::Inserted),
                (Some(1), Some(2), Change::Renumbered { edited: false }),
                (Some(2), Some(3), Change::Renumbered { edited: true }),
            ]
        );
    }

    #[test]
    fn a_rewritten_article_is_a_deletion_and_an_insertion() {
        let old = vec![ArticleText::new(
            1,
            ["业主可以成立业主大会，选举产生业主委员会。"],
        )];
        let new = vec![ArticleText::new(1, ["本条例自公布之日起施行。"])];
        assert_eq!(
            numbered(&old, &new),
            vec![
                (None, Some(1), Change::Inserted),
                (Some(1), None, Change::Deleted),
            ]
        );
    }

    #[test]
    fn the_cheap_bound_never_undercuts_the_similarity() {
        let texts: Vec<String> = articles(VERSION_1)
            .into_iter()
            .chain(articles(VERSION_2))
            .map(|a| a.body)
            .collect();
        for a in &texts {
            for b in &texts {
                let bound = similarity_bound(a, b, &bag(a), &bag(b));
                assert!(bound + 1e-6 >= similarity(a, b), "{a} | {b}");
            }
        }
        let (a, b) = (&texts[0], &texts[3]);
        assert!(
            similarity_bound(a, b, &bag(a), &bag(b)) < 1.0,
            "the bound prunes something"
        );
    }

    #[test]
    fn english_text_is_compared_word_by_word() {
        let s = similarity(
            "Providers shall report within thirty days.",
            "Providers shall report within fifteen days.",
        );
        assert!((0.8..1.0).contains(&s), "similarity {s}");
        assert_eq!(similarity("same", "same"), 1.0);
    }

    #[test]
    fn side_by_side_pairs_paragraphs_and_marks_each_side() {
        let rows = side_by_side(
            "第一款。\n第二款应当公开。\n（一）删去的项；",
            "第一款。\n第二款应当定期公开。",
        );
        let text = |segments: &[Segment]| -> Vec<(bool, bool, String)> {
            segments
                .iter()
                .map(|s| (s.is_removed(), s.is_added(), s.text.clone()))
                .collect()
        };
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].before, rows[0].after, "an unchanged paragraph");
        assert_eq!(
            text(&rows[1].after),
            vec![
                (false, false, "第二款应当".into()),
                (false, true, "定期".into()),
                (false, false, "公开。".into())
            ]
        );
        assert!(rows[1].before.iter().all(|s| !s.is_added()));
        assert_eq!(
            text(&rows[2].before),
            vec![(true, false, "（一）删去的项；".into())]
        );
        assert!(rows[2].after.is_empty(), "only the old version has it");
    }

    #[test]
    fn blank_lines_and_spaces_do_not_make_a_change() {
        let a = ArticleText::new(1, ["  第一款。", "", "（一）项；"]);
        let b = ArticleText::new(1, ["第一款。", "（一）项；  "]);
        assert_eq!(numbered(&[a], &[b])[0].2, Change::Unchanged);
    }
}
