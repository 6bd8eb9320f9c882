//! The drafters' working notes on comments, never shown to the public: triage (未读 / 已读 /
//! 已研究 with an internal note) and themes (free tags per consultation), with themes suggested
//! from the words of an article's comments.

use chrono::NaiveDateTime;

use crate::accounts::User;
use crate::analysis::keywords;
use crate::comments::Comment;
use crate::db::themes::WorkspaceQuery;
use crate::db::{self, DbConnection, DbError};
use crate::validation::{FieldError, optional_text, required_text};

/// Longest theme name, in characters.
pub const MAX_THEME_CHARS: usize = 40;
/// Longest internal note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Comments per workspace page.
pub const PAGE_SIZE: i64 = 50;
/// Themes suggested per article.
pub const SUGGESTIONS: usize = 8;

/// How far the drafters are with a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Triage {
    /// 未读: nobody has marked it.
    Unread,
    /// 已读.
    Read,
    /// 已研究: studied, ready to be answered.
    Studied,
}

impl Triage {
    /// Every status, in workflow order.
    pub const ALL: [Self; 3] = [Self::Unread, Self::Read, Self::Studied];

    /// The stored and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unread => "unread",
            Self::Read => "read",
            Self::Studied => "studied",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The i18n key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Unread => "triage-unread",
            Self::Read => "triage-read",
            Self::Studied => "triage-studied",
        }
    }
}

/// A theme of a consultation.
#[derive(Clone, Debug)]
pub struct Theme {
    /// Row id.
    pub id: i32,
    /// Name as the drafters typed it.
    pub name: String,
    /// Comments tagged with it.
    pub count: i64,
}

/// Checks a theme name: one line, 1 to [`MAX_THEME_CHARS`] characters.
pub fn parse_theme_name(raw: &str) -> Result<String, FieldError> {
    let name = required_text("theme", raw, MAX_THEME_CHARS)?;
    if name.contains(['\n', '\r', '\t']) {
        return Err(FieldError::new("theme", "text-control-chars"));
    }
    Ok(name)
}

/// Checks an internal note: at most [`MAX_NOTE_CHARS`] characters, may be empty.
pub fn parse_note(raw: &str) -> Result<String, FieldError> {
    Ok(optional_text("note", raw, MAX_NOTE_CHARS)?.unwrap_or_default())
}

/// Why a working note could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    /// No comment of this consultation has that tracking number, or no theme that id.
    #[error("not found")]
    NotFound,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for NoteError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

fn comment_of(
    conn: &mut DbConnection,
    consultation_id: i32,
    tracking: &str,
) -> Result<Comment, NoteError> {
    let row = db::comments::by_tracking(conn, tracking)?
        .filter(|r| r.consultation_id == consultation_id)
        .ok_or(NoteError::NotFound)?;
    Ok(Comment::try_from(row)?)
}

/// Records the triage status and note of a comment; returns the comment's article id.
pub fn set_triage(
    conn: &mut DbConnection,
    consultation_id: i32,
    tracking: &str,
    status: Triage,
    note: &str,
    drafter: &User,
    now: NaiveDateTime,
) -> Result<Option<i32>, NoteError> {
    db::transaction(conn, |conn| {
        let c = comment_of(conn, consultation_id, tracking)?;
        db::themes::set_triage(conn, c.id, status.as_str(), note, drafter.id, now)?;
        Ok(c.article_id)
    })
}

/// Tags a comment with theme `name`, creating the theme when new; returns the comment's article id.
pub fn tag(
    conn: &mut DbConnection,
    consultation_id: i32,
    tracking: &str,
    name: &str,
    now: NaiveDateTime,
) -> Result<Option<i32>, NoteError> {
    db::transaction(conn, |conn| {
        let c = comment_of(conn, consultation_id, tracking)?;
        let theme = db::themes::find_or_create(conn, consultation_id, name, now)?;
        db::themes::tag(conn, c.id, theme)?;
        Ok(c.article_id)
    })
}

/// Removes theme `theme_id` from a comment; returns the comment's article id.
pub fn untag(
    conn: &mut DbConnection,
    consultation_id: i32,
    tracking: &str,
    theme_id: i32,
) -> Result<Option<i32>, NoteError> {
    db::transaction(conn, |conn| {
        let c = comment_of(conn, consultation_id, tracking)?;
        if !db::themes::belongs(conn, consultation_id, theme_id)? {
            return Err(NoteError::NotFound);
        }
        db::themes::untag(conn, c.id, theme_id)?;
        Ok(c.article_id)
    })
}

/// Adopts a suggested keyword as theme `name`: creates it and tags the article's recent comments
/// whose text contains it (the same sample the suggestion came from); returns how many.
pub fn adopt(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: i32,
    name: &str,
    now: NaiveDateTime,
) -> Result<usize, NoteError> {
    db::transaction(conn, |conn| {
        let theme = db::themes::find_or_create(conn, consultation_id, name, now)?;
        let needle = name.to_lowercase();
        let texts =
            db::themes::recent_texts(conn, consultation_id, Some(article_id), keywords::SAMPLE)?;
        let mut tagged = 0;
        for (id, body) in texts {
            if body.to_lowercase().contains(&needle) {
                db::themes::tag(conn, id, theme)?;
                tagged += 1;
            }
        }
        Ok(tagged)
    })
}

/// The themes of a consultation, by name.
pub fn of_consultation(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> Result<Vec<Theme>, DbError> {
    Ok(db::themes::of_consultation(conn, consultation_id)?
        .into_iter()
        .map(|(id, name, count)| Theme { id, name, count })
        .collect())
}

/// Suggested themes for an article: its comments' keywords that are not themes yet, best first.
pub fn suggestions(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: i32,
    existing: &[Theme],
) -> Result<Vec<String>, DbError> {
    let article: Vec<String> =
        db::themes::recent_texts(conn, consultation_id, Some(article_id), keywords::SAMPLE)?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
    let corpus: Vec<String> =
        db::themes::recent_texts(conn, consultation_id, None, keywords::SAMPLE)?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
    Ok(
        keywords::top(&article, &corpus, SUGGESTIONS + existing.len())
            .into_iter()
            .map(|(w, _)| w)
            .filter(|w| !existing.iter().any(|t| t.name.to_lowercase() == *w))
            .take(SUGGESTIONS)
            .collect(),
    )
}

/// A comment in the drafters' workspace with its working notes.
#[derive(Clone, Debug)]
pub struct WorkItem {
    /// The comment.
    pub comment: Comment,
    /// Triage status.
    pub triage: Triage,
    /// Internal note.
    pub note: String,
    /// Its themes: (id, name).
    pub themes: Vec<(i32, String)>,
    /// Whether the article's response lists it as answered.
    pub answered: bool,
}

/// What the workspace lists: the filter and page.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkFilter {
    /// Only comments with this theme.
    pub theme_id: Option<i32>,
    /// Only comments with this triage status.
    pub triage: Option<Triage>,
    /// 1-based page.
    pub page: i64,
}

/// One page of an article's comments with their working notes, and the matching total.
pub fn work_items(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
    filter: WorkFilter,
    answered_by: &[i32],
) -> Result<(Vec<WorkItem>, i64), DbError> {
    let page = filter.page.max(1);
    let (rows, total) = db::themes::workspace_page(
        conn,
        WorkspaceQuery {
            consultation_id,
            article_id,
            theme_id: filter.theme_id,
            triage: filter.triage.map(Triage::as_str),
        },
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )?;
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let triage = db::themes::triage_of(conn, &ids)?;
    let themes = db::themes::of_comments(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let comment = Comment::try_from(row)?;
            let (status, note) = triage
                .iter()
                .find(|(id, _, _)| *id == comment.id)
                .map_or((Triage::Unread, String::new()), |(_, s, n)| {
                    (Triage::parse(s).unwrap_or(Triage::Unread), n.clone())
                });
            Ok(WorkItem {
                themes: themes
                    .iter()
                    .filter(|(c, _, _)| *c == comment.id)
                    .map(|(_, id, name)| (*id, name.clone()))
                    .collect(),
                answered: answered_by.contains(&comment.id),
                triage: status,
                note,
                comment,
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok((items, total))
}
