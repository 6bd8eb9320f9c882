//! What a reader sees: the list of consultations, one consultation's outline, an article in its
//! context, the whole text. Each loads with a fixed number of queries, whatever the draft's size.

use chrono::NaiveDateTime;

use crate::consultations::{Consultation, ListFilter};
use crate::db::{self, DbConnection, DbError};
use crate::drafts::{self, Article, ArticleHead, Division, DraftVersion, Language, Section};
use crate::i18n::Locale;

/// Most consultations one listing shows.
pub const LIST_LIMIT: i64 = 200;

/// The consultations matching `filter`.
pub fn list(
    conn: &mut DbConnection,
    filter: ListFilter,
    now: NaiveDateTime,
) -> Result<Vec<Consultation>, DbError> {
    Ok(db::consultations::list(conn, filter, now, LIST_LIMIT)?)
}

/// A consultation with the version of its text shown to a reader in `locale`.
#[derive(Clone, Debug)]
pub struct Shown {
    /// The consultation.
    pub consultation: Consultation,
    /// The authoritative current version.
    pub original: DraftVersion,
    /// A reference translation into the reader's language, when one exists.
    pub translation: Option<DraftVersion>,
}

impl Shown {
    /// The version whose text is displayed.
    pub fn displayed(&self) -> &DraftVersion {
        self.translation.as_ref().unwrap_or(&self.original)
    }
}

/// The language of the text shown to a reader in `locale`.
pub(crate) fn language_of(locale: Locale) -> Language {
    match locale {
        Locale::ZhCn => Language::Chinese,
        Locale::En => Language::English,
    }
}

/// Finds consultation `slug` and the text to show in `locale`; `None` when either is missing.
fn shown(conn: &mut DbConnection, slug: &str, locale: Locale) -> Result<Option<Shown>, DbError> {
    let Some(consultation) = db::consultations::by_slug(conn, slug)? else {
        return Ok(None);
    };
    let Some(original) = consultation
        .current_version_id
        .map(|id| db::drafts::version(conn, id))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let wanted = language_of(locale);
    let translation = if original.language == wanted {
        None
    } else {
        db::drafts::translation(conn, original.id, wanted)?
    };
    Ok(Some(Shown {
        consultation,
        original,
        translation,
    }))
}

/// A consultation's front page: its outline of divisions and article labels.
#[derive(Clone, Debug)]
pub struct Overview {
    /// Consultation and versions.
    pub shown: Shown,
    /// Divisions and articles in document order.
    pub sections: Vec<Section<ArticleHead>>,
    /// How many articles the draft has.
    pub article_count: usize,
    /// Public comments per article number.
    pub comment_counts: std::collections::HashMap<i32, i64>,
}

impl Overview {
    /// Public comments on article `number`.
    pub fn comments_on(&self, number: &i32) -> i64 {
        self.comment_counts.get(number).copied().unwrap_or(0)
    }
}

/// Loads the front page of consultation `slug`.
pub fn overview(
    conn: &mut DbConnection,
    slug: &str,
    locale: Locale,
) -> Result<Option<Overview>, DbError> {
    let Some(shown) = shown(conn, slug, locale)? else {
        return Ok(None);
    };
    let version_id = shown.displayed().id;
    let divisions = db::drafts::divisions(conn, version_id)?;
    let heads = db::drafts::article_heads(conn, version_id)?;
    let article_count = heads.len();
    let comment_counts = db::comments::per_article_number(conn, shown.consultation.id)?
        .into_iter()
        .collect();
    Ok(Some(Overview {
        comment_counts,
        sections: drafts::outline(&divisions, heads),
        shown,
        article_count,
    }))
}

/// The whole text of consultation `slug`.
#[derive(Clone, Debug)]
pub struct FullText {
    /// Consultation and versions.
    pub shown: Shown,
    /// Divisions and articles with their text.
    pub sections: Vec<Section<Article>>,
}

/// Loads the whole text of consultation `slug`.
pub fn full_text(
    conn: &mut DbConnection,
    slug: &str,
    locale: Locale,
) -> Result<Option<FullText>, DbError> {
    let Some(shown) = shown(conn, slug, locale)? else {
        return Ok(None);
    };
    let version_id = shown.displayed().id;
    let divisions = db::drafts::divisions(conn, version_id)?;
    let articles = db::drafts::articles(conn, version_id)?;
    Ok(Some(FullText {
        sections: drafts::outline(&divisions, articles),
        shown,
    }))
}

/// One article with where it stands in the draft.
#[derive(Clone, Debug)]
pub struct ArticleView {
    /// Consultation and versions.
    pub shown: Shown,
    /// The article.
    pub article: Article,
    /// The divisions enclosing it, outermost first.
    pub divisions: Vec<Division>,
    /// The article before it.
    pub prev: Option<ArticleHead>,
    /// The article after it.
    pub next: Option<ArticleHead>,
    /// The authoritative article comments attach to and proposals are compared with (the shown
    /// one may be a translation).
    pub original: Article,
}

/// Loads article `number` of consultation `slug`.
pub fn article(
    conn: &mut DbConnection,
    slug: &str,
    number: i32,
    locale: Locale,
) -> Result<Option<ArticleView>, DbError> {
    let Some(shown) = shown(conn, slug, locale)? else {
        return Ok(None);
    };
    let version_id = shown.displayed().id;
    let Some(article) = db::drafts::article(conn, version_id, number)? else {
        return Ok(None);
    };
    let all = db::drafts::divisions(conn, version_id)?;
    let (prev, next) = db::drafts::neighbours(conn, version_id, article.head.position)?;
    let original = if shown.translation.is_some() {
        match db::drafts::article(conn, shown.original.id, number)? {
            Some(a) => a,
            None => return Ok(None),
        }
    } else {
        article.clone()
    };
    Ok(Some(ArticleView {
        original,
        divisions: drafts::chain(&all, article.head.division_id),
        shown,
        article,
        prev,
        next,
    }))
}

/// A chapter or section (章/节) with every article under it, for reading a draft part by part.
#[derive(Clone, Debug)]
pub struct DivisionView {
    /// Consultation and versions.
    pub shown: Shown,
    /// The division shown.
    pub division: Division,
    /// The divisions enclosing it, outermost first.
    pub enclosing: Vec<Division>,
    /// Its articles and nested divisions, in document order.
    pub sections: Vec<Section<Article>>,
    /// The division of the authoritative version that comments attach to (the shown one may
    /// belong to a translation).
    pub original_id: i32,
}

/// Loads the division at `position` of consultation `slug`.
pub fn division(
    conn: &mut DbConnection,
    slug: &str,
    position: i32,
    locale: Locale,
) -> Result<Option<DivisionView>, DbError> {
    let Some(shown) = shown(conn, slug, locale)? else {
        return Ok(None);
    };
    let version_id = shown.displayed().id;
    let all = db::drafts::divisions(conn, version_id)?;
    let Some(at) = all.iter().position(|d| d.position == position) else {
        return Ok(None);
    };
    let division = all[at].clone();
    // The division runs until the next one that is not nested inside it.
    let inside = |d: &Division| {
        drafts::chain(&all, d.parent_id)
            .iter()
            .any(|p| p.id == division.id)
    };
    let nested: Vec<Division> = all[at..]
        .iter()
        .take_while(|d| d.id == division.id || inside(d))
        .cloned()
        .collect();
    let end = all.get(at + nested.len()).map_or(i32::MAX, |d| d.position);
    let articles = db::drafts::articles_between(conn, version_id, position, end)?;
    let original_id = if shown.translation.is_some() {
        match db::drafts::division_ref(conn, shown.original.id, position)? {
            Some((id, _)) => id,
            None => return Ok(None),
        }
    } else {
        division.id
    };
    Ok(Some(DivisionView {
        enclosing: drafts::chain(&all, division.parent_id),
        sections: drafts::outline(&nested, articles),
        division,
        shown,
        original_id,
    }))
}
