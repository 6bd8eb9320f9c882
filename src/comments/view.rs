//! Comments as an article page shows them: one page of threads, filtered and sorted, with the
//! counts per stance and per stakeholder type above them — a fixed number of indexed queries.

use crate::accounts::{StakeholderType, User};
use crate::db::attachments::AttachmentRow;
use crate::db::comments::{self as q, ArticleQuery};
use crate::db::{DbConnection, DbError};

use super::{Comment, PAGE_SIZE, Stance};

/// How the list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Most endorsed first.
    Endorsed,
}

impl Sort {
    /// The URL form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Endorsed => "endorsed",
        }
    }

    /// Parses the URL form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Newest, Self::Endorsed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Which comments a reader asked to see.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter {
    /// Only this stance.
    pub stance: Option<Stance>,
    /// Only this stakeholder type.
    pub stakeholder: Option<StakeholderType>,
    /// Order.
    pub sort: Sort,
    /// 1-based page.
    pub page: i64,
}

/// One comment in the flattened thread, with its depth (0 for a comment, 1 and 2 for replies).
#[derive(Clone, Debug)]
pub struct Entry {
    /// The comment.
    pub comment: Comment,
    /// Nesting depth.
    pub depth: usize,
    /// Whether the reader endorses it.
    pub endorsed: bool,
    /// Its attachments.
    pub attachments: Vec<AttachmentRow>,
}

/// What the comment section of an article page shows.
#[derive(Clone, Debug)]
pub struct ArticleComments {
    /// Comments and their replies, in display order.
    pub entries: Vec<Entry>,
    /// Top-level comments matching the filter.
    pub total: i64,
    /// Pages in all.
    pub pages: i64,
    /// The page shown.
    pub page: i64,
    /// Top-level comments per stance (every stance, zero included).
    pub by_stance: Vec<(Stance, i64)>,
    /// Top-level comments per stakeholder type (those present).
    pub by_type: Vec<(StakeholderType, i64)>,
}

/// Loads the comment section of article `article_id` for `viewer`; `drafters_view` includes
/// comments meant for the drafters only.
pub fn for_article(
    conn: &mut DbConnection,
    article_id: i32,
    filter: Filter,
    viewer: Option<&User>,
    drafters_view: bool,
) -> Result<ArticleComments, DbError> {
    let query = ArticleQuery {
        article_id,
        drafters_view,
        stance: filter.stance.map(Stance::as_str),
        stakeholder_type: filter.stakeholder.map(StakeholderType::as_str),
        by_endorsements: filter.sort == Sort::Endorsed,
    };
    let page = filter.page.max(1);
    let (rows, total) = q::article_page(conn, &query, (page - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let top: Vec<Comment> = rows
        .into_iter()
        .map(Comment::try_from)
        .collect::<Result<_, _>>()?;
    let top_ids: Vec<i32> = top.iter().map(|c| c.id).collect();
    let level1: Vec<Comment> = q::replies(conn, &top_ids, drafters_view)?
        .into_iter()
        .map(Comment::try_from)
        .collect::<Result<_, _>>()?;
    let level1_ids: Vec<i32> = level1.iter().map(|c| c.id).collect();
    // Deeper answers are shown at the second level, under the reply they answer.
    let level2: Vec<Comment> = q::replies(conn, &level1_ids, drafters_view)?
        .into_iter()
        .map(Comment::try_from)
        .collect::<Result<_, _>>()?;
    let all_ids: Vec<i32> = top_ids
        .iter()
        .chain(&level1_ids)
        .chain(level2.iter().map(|c| &c.id))
        .copied()
        .collect();
    let files = crate::db::attachments::of_comments(conn, &all_ids)?;
    let endorsed: Vec<i32> = match viewer {
        Some(u) => {
            let ids: Vec<i32> = top_ids
                .iter()
                .chain(&level1_ids)
                .chain(level2.iter().map(|c| &c.id))
                .copied()
                .collect();
            q::endorsed_by(conn, u.id, &ids)?
        }
        None => Vec::new(),
    };
    let entry = |comment: Comment, depth: usize| Entry {
        endorsed: endorsed.contains(&comment.id),
        attachments: files
            .iter()
            .filter(|f| f.comment_id == comment.id)
            .cloned()
            .collect(),
        comment,
        depth,
    };
    let mut entries = Vec::with_capacity(top.len() + level1.len() + level2.len());
    for c in top {
        let id = c.id;
        entries.push(entry(c, 0));
        for r in level1.iter().filter(|r| r.parent_id == Some(id)) {
            entries.push(entry(r.clone(), 1));
            for rr in level2.iter().filter(|rr| rr.parent_id == Some(r.id)) {
                entries.push(entry(rr.clone(), 2));
            }
        }
    }
    let stance_counts = q::article_counts(conn, article_id, drafters_view, true)?;
    let by_stance = Stance::ALL
        .iter()
        .map(|s| {
            let n = stance_counts
                .iter()
                .find(|(k, _)| k.as_deref() == Some(s.as_str()))
                .map_or(0, |(_, n)| *n);
            (*s, n)
        })
        .collect();
    let by_type = q::article_counts(conn, article_id, drafters_view, false)?
        .into_iter()
        .filter_map(|(k, n)| {
            k.as_deref()
                .and_then(StakeholderType::parse)
                .map(|t| (t, n))
        })
        .collect::<Vec<_>>();
    let mut by_type = by_type;
    by_type.sort_by_key(|(t, _)| StakeholderType::ALL.iter().position(|x| x == t));
    Ok(ArticleComments {
        entries,
        total,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        page,
        by_stance,
        by_type,
    })
}

/// The newest comments on the draft as a whole, or on one of its divisions (one page), for the
/// consultation's front page and the chapter pages.
pub fn for_part(
    conn: &mut DbConnection,
    consultation_id: i32,
    division_id: Option<i32>,
    drafters_view: bool,
) -> Result<Vec<Comment>, DbError> {
    q::draft_level(conn, consultation_id, division_id, drafters_view, PAGE_SIZE)?
        .into_iter()
        .map(Comment::try_from)
        .collect()
}
