//! Full-text search: a tokenizer for Chinese and Latin text, an inverted index of terms kept in
//! `search_terms` beside the documents, and the search that reads it.
//!
//! Chinese has no spaces, so a run of CJK characters is indexed as every overlapping pair of
//! characters (算法治理 → 算法, 法治, 治理) plus its last character; a run of letters or digits is a
//! lower-cased word. A query is cut the same way; the index gives the documents that contain all
//! its terms, and each is then checked for the query's words themselves (two bigrams can occur
//! apart), which also gives the places to highlight.

use std::ops::Range;

use crate::db::{self, DbConnection, DbError};
use crate::i18n::Locale;
use crate::reading;

/// What kind of document a term belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// An article of a draft version (the row id in `articles`).
    Article,
    /// A comment (the row id in `comments`).
    Comment,
}

impl DocKind {
    /// The value stored in `search_terms.doc_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Comment => "comment",
        }
    }
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Most hits one search returns.
pub const MAX_HITS: usize = 100;

/// Names the tokenizer the stored terms were made with; changing [`terms`] must change it, so that
/// every instance re-indexes on its next start.
pub const TOKENIZER_VERSION: &str = "bigram-2";

/// Most index look-ups one query makes: any subset of a query's terms finds every document that
/// has them all, and the check of the words themselves drops the rest.
const MAX_LOOKUPS: usize = 12;

/// Characters of text around the first match shown in a snippet.
const SNIPPET_CHARS: usize = 160;

/// Characters shown before the first match when a snippet does not start at the beginning.
const SNIPPET_LEAD: usize = 30;

/// Folds one character for matching: full-width ASCII to ASCII, the ideographic space to a space,
/// and letters to lower case when that is one character, so that positions still line up.
fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Han ideographs (with 〇), kana and Hangul: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Which kind of run a character starts, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    /// CJK characters, indexed by pairs.
    Cjk,
    /// Letters and digits, indexed as one word.
    Word,
}

fn script(c: char) -> Option<Script> {
    if is_cjk(c) {
        Some(Script::Cjk)
    } else if is_word_char(c) {
        Some(Script::Word)
    } else {
        None
    }
}

/// A maximal run of one script in folded text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Run {
    script: Script,
    chars: Vec<char>,
}

/// Cuts folded characters into runs; everything else separates them.
fn runs(folded: &[char]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut previous: Option<Script> = None;
    for &c in folded {
        let s = script(c);
        match (s, out.last_mut()) {
            (Some(s), Some(run)) if previous == Some(s) => run.chars.push(c),
            (Some(s), _) => out.push(Run {
                script: s,
                chars: vec![c],
            }),
            (None, _) => {}
        }
        previous = s;
    }
    out
}

fn folded(text: &str) -> Vec<char> {
    text.chars().map(fold).collect()
}

fn push_unique(out: &mut Vec<String>, term: String) {
    if !out.contains(&term) {
        out.push(term);
    }
}

/// The terms of `text`, each once, in order: every overlapping pair of characters of a CJK run
/// (the character itself for a one-character run) and every word of letters or digits, folded
/// (lower case, full-width forms as ASCII).
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in runs(&folded(text)) {
        match run.script {
            Script::Word => push_unique(&mut out, run.chars.iter().collect()),
            Script::Cjk if run.chars.len() == 1 => push_unique(&mut out, run.chars[0].to_string()),
            Script::Cjk => {
                for pair in run.chars.windows(2) {
                    push_unique(&mut out, pair.iter().collect());
                }
            }
        }
    }
    out
}

/// The terms stored for a document: [`terms`], plus the last character of every CJK run, so that
/// each character of the text starts some stored term and a one-character query finds it.
fn index_terms(text: &str) -> Vec<String> {
    let mut out = terms(text);
    for run in runs(&folded(text)) {
        if run.script == Script::Cjk
            && run.chars.len() > 1
            && let Some(last) = run.chars.last()
        {
            push_unique(&mut out, last.to_string());
        }
    }
    out
}

/// One look-up in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Documents that have this term.
    Term(String),
    /// Documents that have a term starting with this character.
    StartsWith(char),
}

/// Why a query cannot be searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    /// Holds no letter, digit or CJK character.
    #[error("the query has nothing to search for")]
    NothingToSearch,
}

/// A query as typed, checked and cut into the words every hit must contain.
#[derive(Clone, Debug)]
pub struct SearchQuery {
    text: String,
    words: Vec<Run>,
}

impl SearchQuery {
    /// Checks `input` (trimmed) and cuts it into words.
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        let text = input.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut words: Vec<Run> = Vec::new();
        for run in runs(&folded(text)) {
            if !words.contains(&run) {
                words.push(run);
            }
        }
        if words.is_empty() {
            return Err(QueryError::NothingToSearch);
        }
        Ok(Self {
            text: text.to_owned(),
            words,
        })
    }

    /// The query as typed, trimmed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The index look-ups whose documents are the candidates: a word's term; pairs of a CJK
    /// run that cover it (every second pair and the last), or its character when it is alone.
    pub fn lookups(&self) -> Vec<Lookup> {
        let mut out: Vec<Lookup> = Vec::new();
        let mut add = |l: Lookup| {
            if !out.contains(&l) {
                out.push(l);
            }
        };
        for word in &self.words {
            let chars = &word.chars;
            match word.script {
                Script::Word => add(Lookup::Term(chars.iter().collect())),
                Script::Cjk if chars.len() == 1 => add(Lookup::StartsWith(chars[0])),
                Script::Cjk => {
                    let last = chars.len() - 2;
                    for i in (0..last).step_by(2).chain(std::iter::once(last)) {
                        add(Lookup::Term(chars[i..i + 2].iter().collect()));
                    }
                }
            }
        }
        out.truncate(MAX_LOOKUPS);
        out
    }

    /// Where each word occurs in `text`: one list of character ranges per word, in the order of
    /// the words; a word of letters or digits only counts as a whole word.
    fn occurrences(&self, text: &str) -> Vec<Vec<Range<usize>>> {
        let hay = folded(text);
        self.words.iter().map(|w| find_all(&hay, w)).collect()
    }

    /// Marks the query's words in `fields`, or `None` when one of the words occurs in none of them.
    fn highlight(&self, fields: &[&str]) -> Option<Vec<Vec<Range<usize>>>> {
        let found: Vec<Vec<Vec<Range<usize>>>> =
            fields.iter().map(|f| self.occurrences(f)).collect();
        let every_word_found =
            (0..self.words.len()).all(|w| found.iter().any(|per_field| !per_field[w].is_empty()));
        every_word_found.then(|| {
            found
                .into_iter()
                .map(|per_word| merge(per_word.concat()))
                .collect()
        })
    }
}

fn find_all(hay: &[char], word: &Run) -> Vec<Range<usize>> {
    let needle = &word.chars;
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| hay[i..i + needle.len()] == needle[..])
        .filter(|&i| {
            word.script == Script::Cjk
                || (i.checked_sub(1).is_none_or(|b| !is_word_char(hay[b]))
                    && hay.get(i + needle.len()).is_none_or(|&c| !is_word_char(c)))
        })
        .map(|i| i..i + needle.len())
        .collect()
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Text cut into pieces, each marked as a match of the query or not.
pub type Segments = Vec<(String, bool)>;

/// `text` (line breaks as spaces) with `matches` marked; a long text is cut to a window around the
/// first match, with an ellipsis where it was cut.
fn snippet(text: &str, matches: &[Range<usize>], width: usize) -> Segments {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let (start, end) = if chars.len() <= width {
        (0, chars.len())
    } else {
        let first = matches.first().map_or(0, |m| m.start);
        let start = first.saturating_sub(SNIPPET_LEAD).min(chars.len() - width);
        (start, start + width)
    };
    let mut out: Segments = Vec::new();
    let mut push = |piece: &[char], marked: bool| {
        if !piece.is_empty() {
            out.push((piece.iter().collect(), marked));
        }
    };
    if start > 0 {
        push(&['…'], false);
    }
    let mut at = start;
    for m in matches {
        let (s, e) = (m.start.max(start), m.end.min(end));
        if s >= e {
            continue;
        }
        push(&chars[at..s], false);
        push(&chars[s..e], true);
        at = e;
    }
    push(&chars[at..end], false);
    if end < chars.len() {
        push(&['…'], false);
    }
    out
}

/// Replaces the terms indexed for one document (call inside the transaction that stores it).
pub fn index_document(
    conn: &mut DbConnection,
    kind: DocKind,
    id: i32,
    text: &str,
) -> Result<(), DbError> {
    db::search::replace_terms(conn, kind.as_str(), &[(id, index_terms(text))])?;
    Ok(())
}

/// The terms under which a new comment is found (stored with it by
/// `db::comments::insert_posted`, in one statement on PostgreSQL).
pub fn comment_terms(body: &str, proposed: Option<&str>) -> Vec<String> {
    index_terms(&comment_text(body, proposed))
}

/// Indexes many documents of one kind at once, in batched statements.
pub fn index_documents(
    conn: &mut DbConnection,
    kind: DocKind,
    docs: &[(i32, String)],
) -> Result<(), DbError> {
    let terms: Vec<(i32, Vec<String>)> = docs
        .iter()
        .map(|(id, text)| (*id, index_terms(text)))
        .collect();
    db::search::replace_terms(conn, kind.as_str(), &terms)?;
    Ok(())
}

/// Removes a document from the index (e.g. a hidden comment).
pub fn remove_document(conn: &mut DbConnection, kind: DocKind, id: i32) -> Result<(), DbError> {
    db::search::remove_terms(conn, kind.as_str(), &[id])?;
    Ok(())
}

/// The text of an article as indexed: its label, then its body.
fn article_text(label: &str, body: &str) -> String {
    format!("{label}\n{body}")
}

/// Indexes every article of draft version `version_id` and returns how many there are (call
/// inside the transaction that stores the version; only current versions and their translations
/// are searched).
pub fn index_version(conn: &mut DbConnection, version_id: i32) -> Result<usize, DbError> {
    let indexed = store_version_terms(conn, version_id)?;
    db::search::refresh_statistics(conn)?;
    Ok(indexed)
}

fn store_version_terms(conn: &mut DbConnection, version_id: i32) -> Result<usize, DbError> {
    let articles = db::search::article_texts(conn, version_id)?;
    let docs: Vec<(i32, Vec<String>)> = articles
        .iter()
        .map(|a| (a.id, index_terms(&article_text(&a.label, &a.body))))
        .collect();
    db::search::replace_terms(conn, DocKind::Article.as_str(), &docs)?;
    Ok(docs.len())
}

/// Makes the index match the tokenizer: when the stored terms were made by another
/// [`TOKENIZER_VERSION`] (or before search existed), indexes again the articles of every current
/// version and its translations, and every published public comment. Returns how many articles
/// were indexed. Run at start.
pub fn ensure_index(conn: &mut DbConnection) -> Result<usize, DbError> {
    db::transaction(conn, |conn| {
        db::search::lock_index(conn)?;
        if db::search::tokenizer_version(conn)?.as_deref() == Some(TOKENIZER_VERSION) {
            return Ok(0);
        }
        db::search::clear_kind(conn, DocKind::Article.as_str())?;
        let mut indexed = 0;
        for version_id in db::search::current_version_ids(conn)? {
            indexed += store_version_terms(conn, version_id)?;
        }
        db::search::clear_kind(conn, DocKind::Comment.as_str())?;
        let comments: Vec<(i32, Vec<String>)> = db::search::public_comment_texts(conn)?
            .into_iter()
            .map(|(id, text)| (id, index_terms(&text)))
            .collect();
        db::search::replace_terms(conn, DocKind::Comment.as_str(), &comments)?;
        db::search::refresh_statistics(conn)?;
        db::search::set_tokenizer_version(conn, TOKENIZER_VERSION)?;
        Ok(indexed)
    })
}

/// One article that matched, as the reader's language displays it.
#[derive(Clone, Debug)]
pub struct ArticleHit {
    /// Article number, for the link.
    pub number: i32,
    /// Its label (第五条, Article 5) with matches marked.
    pub label: Segments,
    /// Its text around the first match, with matches marked (empty when only comments matched).
    pub snippet: Segments,
    /// Public comments on it that match.
    pub comments: Vec<CommentHit>,
}

/// A public comment that matched.
#[derive(Clone, Debug)]
pub struct CommentHit {
    /// Its tracking number.
    pub tracking: String,
    /// Its text around the first match, with matches marked.
    pub snippet: Segments,
}

/// The hits within one consultation, in document order.
#[derive(Clone, Debug)]
pub struct ConsultationGroup {
    /// URL name of the consultation.
    pub slug: String,
    /// Its title in the reader's language.
    pub title: String,
    /// Matching articles.
    pub articles: Vec<ArticleHit>,
}

/// What a search found.
#[derive(Clone, Debug)]
pub struct SearchResults {
    /// Hits by consultation (the one closing last first) and article.
    pub groups: Vec<ConsultationGroup>,
    /// How many hits `groups` holds.
    pub hits: usize,
    /// True when there were more hits than the limit.
    pub more: bool,
}

/// Searches the articles of every consultation's current text as a reader in `locale` sees it
/// (the reference translation into their language where one exists), at most `limit` hits.
pub fn search(
    conn: &mut DbConnection,
    query: &SearchQuery,
    locale: Locale,
    limit: usize,
) -> Result<SearchResults, DbError> {
    let language = reading::language_of(locale);
    // A few more candidates than hits: the word check drops the rare bigram coincidence.
    let candidates = limit.saturating_mul(3).saturating_add(1);
    let found = db::search::matching_articles(
        conn,
        &query.lookups(),
        language,
        i64::try_from(candidates).unwrap_or(i64::MAX),
    )?;
    let capped = found.len() >= candidates;
    let mut groups: Vec<ConsultationGroup> = Vec::new();
    let mut hits = 0;
    let mut more = capped;
    for a in found {
        let Some(marks) = query.highlight(&[&a.label, &a.body]) else {
            continue;
        };
        if hits == limit {
            more = true;
            break;
        }
        hits += 1;
        let hit = ArticleHit {
            number: a.number,
            label: snippet(&a.label, &marks[0], usize::MAX),
            snippet: snippet(&a.body, &marks[1], SNIPPET_CHARS),
            comments: Vec::new(),
        };
        match groups.last_mut() {
            Some(g) if g.slug == a.slug => g.articles.push(hit),
            _ => groups.push(ConsultationGroup {
                title: match (locale, a.title_en) {
                    (Locale::En, Some(en)) if !en.is_empty() => en,
                    _ => a.title,
                },
                slug: a.slug,
                articles: vec![hit],
            }),
        }
    }
    let comment_candidates = i64::try_from(candidates).unwrap_or(i64::MAX);
    for c in db::search::matching_comments(conn, &query.lookups(), comment_candidates)? {
        let (Some((number, label)), Some(marks)) = (c.article, query.highlight(&[&c.text])) else {
            continue;
        };
        if hits == limit {
            more = true;
            break;
        }
        hits += 1;
        let hit = CommentHit {
            tracking: c.tracking,
            snippet: snippet(&c.text, &marks[0], SNIPPET_CHARS),
        };
        let group = match groups.iter().position(|g| g.slug == c.slug) {
            Some(i) => i,
            None => {
                groups.push(ConsultationGroup {
                    title: match (locale, c.title_en) {
                        (Locale::En, Some(en)) if !en.is_empty() => en,
                        _ => c.title,
                    },
                    slug: c.slug,
                    articles: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let articles = &mut groups[group].articles;
        match articles.iter_mut().find(|a| a.number == number) {
            Some(a) => a.comments.push(hit),
            None => articles.push(ArticleHit {
                number,
                label: vec![(label, false)],
                snippet: Vec::new(),
                comments: vec![hit],
            }),
        }
    }
    Ok(SearchResults { groups, hits, more })
}

/// The text of a comment as the index holds it: what was said, then the proposed text.
pub fn comment_text(body: &str, proposed: Option<&str>) -> String {
    match proposed {
        Some(p) => format!("{body}\n{p}"),
        None => body.to_owned(),
    }
}

/// The database's plan for the query [`search`] sends, one line per step, for checking that
/// the index is used.
pub fn plan(
    conn: &mut DbConnection,
    query: &SearchQuery,
    locale: Locale,
) -> Result<Vec<String>, DbError> {
    let language = reading::language_of(locale);
    Ok(db::search::matching_articles_plan(
        conn,
        &query.lookups(),
        language,
        i64::try_from(MAX_HITS).unwrap_or(i64::MAX),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(segments: &Segments) -> String {
        segments
            .iter()
            .map(|(t, m)| if *m { format!("[{t}]") } else { t.clone() })
            .collect()
    }

    #[test]
    fn a_two_character_word_is_one_bigram() {
        assert_eq!(terms("算法"), vec!["算法"]);
    }

    #[test]
    fn a_cjk_run_gives_every_overlapping_pair() {
        assert_eq!(terms("人工智能"), vec!["人工", "工智", "智能"]);
        assert_eq!(terms("法"), vec!["法"]);
        assert_eq!(terms("数据，数据。"), vec!["数据"]);
    }

    #[test]
    fn latin_words_are_lower_cased_and_split_at_punctuation() {
        assert_eq!(
            terms("Risk-Assessment 2026"),
            vec!["risk", "assessment", "2026"]
        );
        assert_eq!(terms("AI治理v2"), vec!["ai", "治理", "v2"]);
    }

    #[test]
    fn full_width_letters_and_digits_fold_to_ascii() {
        assert_eq!(terms("ＡＩ"), vec!["ai"]);
        assert_eq!(terms("第５条"), vec!["第", "5", "条"]);
    }

    #[test]
    fn stored_terms_add_the_last_character_of_each_cjk_run() {
        assert_eq!(index_terms("办法"), vec!["办法", "法"]);
        assert_eq!(
            index_terms("数据安全 AI"),
            vec!["数据", "据安", "安全", "ai", "全"]
        );
    }

    #[test]
    fn queries_are_checked_for_length_and_content() {
        assert_eq!(
            SearchQuery::parse(&"数".repeat(MAX_QUERY_CHARS + 1)).err(),
            Some(QueryError::TooLong)
        );
        assert!(SearchQuery::parse(&"数".repeat(MAX_QUERY_CHARS)).is_ok());
        assert_eq!(
            SearchQuery::parse(" ！，<> ").err(),
            Some(QueryError::NothingToSearch)
        );
        assert_eq!(
            SearchQuery::parse("  算法 ").map(|q| q.as_str().to_owned()),
            Ok("算法".to_owned())
        );
    }

    #[test]
    fn lookups_cover_each_word_with_few_terms() {
        let q = SearchQuery::parse("人工智能服务 AI 法").expect("valid");
        assert_eq!(
            q.lookups(),
            vec![
                Lookup::Term("人工".into()),
                Lookup::Term("智能".into()),
                Lookup::Term("服务".into()),
                Lookup::Term("ai".into()),
                Lookup::StartsWith('法'),
            ]
        );
        let odd = SearchQuery::parse("安全评估").expect("valid");
        assert_eq!(
            odd.lookups(),
            vec![Lookup::Term("安全".into()), Lookup::Term("评估".into())]
        );
    }

    #[test]
    fn a_hit_needs_every_word_itself_not_just_its_bigrams() {
        let q = SearchQuery::parse("数据安全").expect("valid");
        // 数据, 据安 and 安全 all occur, but never as 数据安全.
        assert!(q.highlight(&["", "数据据安安全"]).is_none());
        let marks = q.highlight(&["", "保障数据安全。"]).expect("found");
        assert_eq!(marks[1], vec![2..6]);
    }

    #[test]
    fn latin_words_match_whole_words_in_any_case_or_width() {
        let q = SearchQuery::parse("ai").expect("valid");
        assert!(q.highlight(&["said"]).is_none());
        let marks = q.highlight(&["AI and ＡＩ-based"]).expect("found");
        assert_eq!(marks[0], vec![0..2, 7..9]);
    }

    #[test]
    fn a_word_may_be_found_in_the_label_or_the_body() {
        let q = SearchQuery::parse("第五条 评估").expect("valid");
        let marks = q.highlight(&["第五条", "开展评估。"]).expect("found");
        assert_eq!(marks, vec![vec![0..3], vec![2..4]]);
    }

    #[test]
    fn snippets_mark_matches_and_cut_long_text_around_the_first() {
        let q = SearchQuery::parse("算法").expect("valid");
        let short = "提供者应当公开算法的基本原理。";
        let marks = q.highlight(&[short]).expect("found");
        assert_eq!(
            text(&snippet(short, &marks[0], SNIPPET_CHARS)),
            "提供者应当公开[算法]的基本原理。"
        );
        let long = format!("{}算法{}\n算法", "甲".repeat(200), "乙".repeat(10));
        let marks = q.highlight(&[&long]).expect("found");
        let cut = text(&snippet(&long, &marks[0], 50));
        assert!(cut.starts_with('…'), "{cut}");
        assert!(cut.contains("[算法]乙乙"), "{cut}");
        assert!(!cut.ends_with('…'), "the window reaches the end: {cut}");
        assert!(
            cut.contains("乙 [算法]"),
            "line breaks become spaces: {cut}"
        );
    }
}
