//! Draft texts: versions, divisions (编/章/节), articles with their 款 and 项, and the importer.

pub mod import;

use chrono::NaiveDateTime;

use crate::consultations::{RiskTier, Slug};
use crate::db::{self, DbConnection, DbError};
pub use import::{DivisionKind, ImportError, Language, ParsedDraft, is_item};

/// A version of a consultation's draft text, or a reference translation of one.
#[derive(Clone, Debug)]
pub struct DraftVersion {
    /// Row id.
    pub id: i32,
    /// Version number, 1 for the first published draft.
    pub number: i32,
    /// Language of the text.
    pub language: Language,
    /// Title as published.
    pub title: String,
    /// The explanatory note (说明) shown above the draft.
    pub preamble: String,
}

/// A 编, 章 or 节.
#[derive(Clone, Debug)]
pub struct Division {
    /// Row id.
    pub id: i32,
    /// The enclosing division.
    pub parent_id: Option<i32>,
    /// 编, 章 or 节.
    pub kind: DivisionKind,
    /// Label as written, such as 第二章.
    pub label: String,
    /// Heading text, such as 总则.
    pub title: String,
    /// Place in the document, shared with articles.
    pub position: i32,
}

/// An article's identity without its text, for tables of contents and navigation.
#[derive(Clone, Debug)]
pub struct ArticleHead {
    /// Row id.
    pub id: i32,
    /// Article number (五 in 第五条).
    pub number: i32,
    /// Label as written, such as 第五条 or Article 5.
    pub label: String,
    /// The innermost enclosing division.
    pub division_id: Option<i32>,
    /// Place in the document, shared with divisions.
    pub position: i32,
}

/// An article with its text.
#[derive(Clone, Debug)]
pub struct Article {
    /// Number, label, division and position.
    pub head: ArticleHead,
    /// Lines of text: 款 paragraphs and 项 items.
    pub body: String,
    /// Follows the article across versions.
    pub stable_key: String,
}

/// A 款 with the 项 that belong to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    /// The paragraph's own text (empty when a body starts with items).
    pub text: String,
    /// Its items.
    pub items: Vec<String>,
}

impl Article {
    /// The body as paragraphs, each with its items.
    pub fn paragraphs(&self) -> Vec<Paragraph> {
        let mut out: Vec<Paragraph> = Vec::new();
        for line in self.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if is_item(line)
                && let Some(last) = out.last_mut()
            {
                last.items.push(line.to_owned());
                continue;
            }
            if is_item(line) {
                out.push(Paragraph {
                    text: String::new(),
                    items: vec![line.to_owned()],
                });
            } else {
                out.push(Paragraph {
                    text: line.to_owned(),
                    items: Vec::new(),
                });
            }
        }
        out
    }
}

/// A run of the document under one heading: the heading (if any) and the articles directly in it.
#[derive(Clone, Debug)]
pub struct Section<A> {
    /// Nesting depth of the heading: 0 for the outermost division.
    pub depth: usize,
    /// The division that opens this run; `None` for articles before any heading.
    pub heading: Option<Division>,
    /// Articles in document order.
    pub articles: Vec<A>,
}

/// Something placed in the document order shared by divisions and articles.
pub trait Positioned {
    /// Place in the document.
    fn position(&self) -> i32;
}

impl Positioned for ArticleHead {
    fn position(&self) -> i32 {
        self.position
    }
}

impl Positioned for Article {
    fn position(&self) -> i32 {
        self.head.position
    }
}

/// Lays divisions and articles out in document order as headed runs.
pub fn outline<A: Positioned>(divisions: &[Division], articles: Vec<A>) -> Vec<Section<A>> {
    let mut sections: Vec<Section<A>> = Vec::new();
    let mut divs = divisions.iter().peekable();
    for article in articles {
        while let Some(d) = divs.next_if(|d| d.position < article.position()) {
            sections.push(Section {
                depth: depth(divisions, d),
                heading: Some(d.clone()),
                articles: Vec::new(),
            });
        }
        match sections.last_mut() {
            Some(s) => s.articles.push(article),
            None => sections.push(Section {
                depth: 0,
                heading: None,
                articles: vec![article],
            }),
        }
    }
    for d in divs {
        sections.push(Section {
            depth: depth(divisions, d),
            heading: Some(d.clone()),
            articles: Vec::new(),
        });
    }
    sections
}

fn depth(divisions: &[Division], d: &Division) -> usize {
    chain(divisions, d.parent_id).len()
}

/// The divisions enclosing `division_id`, outermost first.
pub fn chain(divisions: &[Division], division_id: Option<i32>) -> Vec<Division> {
    let mut out = Vec::new();
    let mut next = division_id;
    // Bounded by the number of divisions, so a corrupt cycle cannot loop forever.
    while let Some(id) = next {
        if out.len() > divisions.len() {
            break;
        }
        let Some(d) = divisions.iter().find(|d| d.id == id) else {
            break;
        };
        out.push(d.clone());
        next = d.parent_id;
    }
    out.reverse();
    out
}

/// What a new consultation is, apart from its text.
#[derive(Clone, Debug)]
pub struct NewConsultation {
    /// URL name.
    pub slug: Slug,
    /// Title; when `None` the draft's first line is used.
    pub title: Option<String>,
    /// Title in English.
    pub title_en: Option<String>,
    /// Issuing body.
    pub issuer: String,
    /// Issuing body in English.
    pub issuer_en: Option<String>,
    /// Summary.
    pub summary: String,
    /// Summary in English.
    pub summary_en: Option<String>,
    /// Risk tier.
    pub risk_tier: RiskTier,
    /// Topic tags.
    pub topics: Vec<String>,
    /// A demonstration.
    pub is_demo: bool,
    /// Start of the comment window (UTC).
    pub opens_at: NaiveDateTime,
    /// End of the comment window (UTC).
    pub closes_at: NaiveDateTime,
}

/// Why a draft could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportDraftError {
    /// The text itself was refused.
    #[error(transparent)]
    Parse(#[from] ImportError),
    /// The slug is not a valid URL name.
    #[error("slug '{0}' {1}")]
    InvalidSlug(String, String),
    /// The slug is taken.
    #[error("a consultation with slug '{0}' already exists")]
    SlugTaken(String),
    /// The consultation to translate does not exist or has no text.
    #[error("no consultation with slug '{0}' and a published draft")]
    NoSuchConsultation(String),
    /// The window ends before it starts.
    #[error("the comment window closes before it opens")]
    EmptyWindow,
    /// A translation whose articles do not match the original's.
    #[error("the translation's articles do not match the original: {0}")]
    TranslationMismatch(String),
    /// Storing failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ImportDraftError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// What an import stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// The consultation's id.
    pub consultation_id: i32,
    /// Divisions stored.
    pub divisions: usize,
    /// Articles stored.
    pub articles: usize,
}

/// Parses `bytes` and stores a new consultation with it as version 1, all in one transaction.
pub fn import_new_consultation(
    conn: &mut DbConnection,
    bytes: &[u8],
    file_name: &str,
    meta: &NewConsultation,
    now: NaiveDateTime,
) -> Result<ImportSummary, ImportDraftError> {
    let draft = import::parse_draft(bytes, file_name, meta.title.as_deref())?;
    if meta.closes_at <= meta.opens_at {
        return Err(ImportDraftError::EmptyWindow);
    }
    db::transaction(conn, |conn| {
        if db::consultations::by_slug(conn, meta.slug.as_str())?.is_some() {
            return Err(ImportDraftError::SlugTaken(meta.slug.as_str().to_owned()));
        }
        let consultation_id = db::consultations::insert(conn, meta, &draft.title, now)?;
        let version_id = db::drafts::insert_version(conn, consultation_id, 1, None, &draft, now)?;
        db::consultations::set_current_version(conn, consultation_id, version_id)?;
        crate::search::index_version(conn, version_id)?;
        Ok(ImportSummary {
            consultation_id,
            divisions: draft.divisions.len(),
            articles: draft.articles.len(),
        })
    })
}

/// Parses `bytes` as a reference translation of the current version of consultation `slug`.
/// Its articles must carry the same numbers as the original's.
pub fn import_translation(
    conn: &mut DbConnection,
    bytes: &[u8],
    file_name: &str,
    slug: &str,
    now: NaiveDateTime,
) -> Result<ImportSummary, ImportDraftError> {
    let draft = import::parse_draft(bytes, file_name, None)?;
    db::transaction(conn, |conn| {
        let missing = || ImportDraftError::NoSuchConsultation(slug.to_owned());
        let consultation = db::consultations::by_slug(conn, slug)?.ok_or_else(missing)?;
        let original_id = consultation.current_version_id.ok_or_else(missing)?;
        let original = db::drafts::version(conn, original_id)?.ok_or_else(missing)?;
        if original.language == draft.language {
            return Err(ImportDraftError::TranslationMismatch(
                "it is in the same language as the original".into(),
            ));
        }
        let numbers: Vec<i32> = db::drafts::article_heads(conn, original_id)?
            .iter()
            .map(|a| a.number)
            .collect();
        let translated: Vec<i32> = draft.articles.iter().map(|a| a.number).collect();
        if numbers != translated {
            let first = numbers
                .iter()
                .zip(&translated)
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("article {b} stands where the original has {a}"))
                .unwrap_or_else(|| {
                    format!(
                        "the original has {} articles, the translation {}",
                        numbers.len(),
                        translated.len()
                    )
                });
            return Err(ImportDraftError::TranslationMismatch(first));
        }
        let version_id = db::drafts::insert_version(
            conn,
            consultation.id,
            original.number,
            Some(original_id),
            &draft,
            now,
        )?;
        crate::search::index_version(conn, version_id)?;
        Ok(ImportSummary {
            consultation_id: consultation.id,
            divisions: draft.divisions.len(),
            articles: draft.articles.len(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(body: &str) -> Article {
        Article {
            head: ArticleHead {
                id: 1,
                number: 5,
                label: "第五条".into(),
                division_id: None,
                position: 1,
            },
            body: body.into(),
            stable_key: "v1-5".into(),
        }
    }

    #[test]
    fn items_belong_to_the_paragraph_before_them() {
        let a = article(
            "提供者应当履行下列义务：\n（一）建立制度；\n（二）开展评估。\n违反前款规定的，依法处理。",
        );
        let p = a.paragraphs();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].items, vec!["（一）建立制度；", "（二）开展评估。"]);
        assert_eq!(p[1].text, "违反前款规定的，依法处理。");
        assert!(p[1].items.is_empty());
    }

    fn division(id: i32, parent_id: Option<i32>, position: i32) -> Division {
        Division {
            id,
            parent_id,
            kind: DivisionKind::Chapter,
            label: format!("第{id}章"),
            title: String::new(),
            position,
        }
    }

    fn head(number: i32, position: i32) -> ArticleHead {
        ArticleHead {
            id: number,
            number,
            label: format!("第{number}条"),
            division_id: None,
            position,
        }
    }

    #[test]
    fn outline_interleaves_headings_and_articles_in_document_order() {
        let divisions = [
            division(1, None, 1),
            division(2, Some(1), 3),
            division(3, None, 5),
        ];
        let articles = vec![head(1, 0), head(2, 2), head(3, 4), head(4, 6)];
        let s = outline(&divisions, articles);
        let shape: Vec<(usize, Option<i32>, Vec<i32>)> = s
            .iter()
            .map(|s| {
                (
                    s.depth,
                    s.heading.as_ref().map(|h| h.id),
                    s.articles.iter().map(|a| a.number).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (0, None, vec![1]),
                (0, Some(1), vec![2]),
                (1, Some(2), vec![3]),
                (0, Some(3), vec![4]),
            ]
        );
        assert_eq!(
            chain(&divisions, Some(2))
                .iter()
                .map(|d| d.id)
                .collect::<Vec<_>>(),
            vec![1, 2]
        );
    }
}
