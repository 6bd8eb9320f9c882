//! Links between the change of an article in a revised version and the comments and responses
//! that motivated it: the drafter records them, the public pages show them both ways.

use std::collections::{BTreeSet, HashMap};

use crate::comments::tracking;
use crate::consultations::Consultation;
use crate::db::{self, DbConnection, DbError};
use crate::drafts::Article;
use crate::responses::{self, Decision, Response};

/// Most comments one change may be linked to.
pub const MAX_LINKED: usize = 500;

/// Most comments the linking form offers as checkboxes for one article.
pub const MAX_CANDIDATES: i64 = 200;

/// A comment linked to a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedComment {
    /// Row id.
    pub id: i32,
    /// Tracking number.
    pub tracking: String,
}

/// A response linked to a change, with where it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedResponse {
    /// Row id.
    pub id: i32,
    /// Its decision.
    pub decision: Decision,
    /// (version number, article number, label) of the article it answers; `None` for the draft
    /// as a whole.
    pub article: Option<(i32, i32, String)>,
}

/// What motivated the change of one article.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Motivation {
    /// Comments linked directly.
    pub comments: Vec<LinkedComment>,
    /// Responses linked.
    pub responses: Vec<LinkedResponse>,
    /// Distinct comments the change answers: the linked ones and those the linked responses answer.
    pub answered: usize,
}

impl Motivation {
    /// Whether nothing is linked.
    pub fn is_empty(&self) -> bool {
        self.comments.is_empty() && self.responses.is_empty()
    }

    /// Whether comment `id` is linked directly.
    pub fn has_comment(&self, id: &i32) -> bool {
        self.comments.iter().any(|c| c.id == *id)
    }

    /// Whether response `id` is linked.
    pub fn has_response(&self, id: &i32) -> bool {
        self.responses.iter().any(|r| r.id == *id)
    }
}

/// Why links could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The article is not a changed or inserted article of that version.
    #[error("the article did not change in this version")]
    NotChanged,
    /// A listed comment or response is not a public one of this consultation, or a tracking
    /// number is malformed.
    #[error("a listed comment or response does not belong to the consultation")]
    Foreign,
    /// More than [`MAX_LINKED`] comments.
    #[error("too many comments")]
    TooMany,
    /// Reading or storing failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for LinkError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// What the drafter sent: checked comment and response ids, and tracking numbers typed in.
#[derive(Clone, Debug, Default)]
pub struct LinkInput {
    /// Checked comments (ids, as sent).
    pub comments: Vec<String>,
    /// Checked responses (ids, as sent).
    pub responses: Vec<String>,
    /// Tracking numbers, separated by spaces, commas or new lines.
    pub trackings: String,
}

fn ids(raw: &[String]) -> Result<Vec<i32>, LinkError> {
    let mut out = raw
        .iter()
        .map(|s| match s.trim().parse::<i32>() {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(LinkError::Foreign),
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The tracking numbers typed in, normalised; a malformed one refuses the whole input.
fn trackings(raw: &str) -> Result<Vec<String>, LinkError> {
    let mut out = raw
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .map(|s| tracking::normalize(s).ok_or(LinkError::Foreign))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The article `number` of version `version` with the article it continues in the version
/// before, when it was edited, renumbered or inserted there; `None` otherwise.
pub fn changed_article(
    conn: &mut DbConnection,
    consultation_id: i32,
    version: i32,
    number: i32,
) -> Result<Option<(Article, Option<Article>)>, DbError> {
    let (Some(new), Some(old)) = (
        super::version_articles(conn, consultation_id, version)?,
        super::version_articles(conn, consultation_id, version - 1)?,
    ) else {
        return Ok(None);
    };
    let Some(article) = new.into_iter().find(|a| a.head.number == number) else {
        return Ok(None);
    };
    let before = old.into_iter().find(|a| a.stable_key == article.stable_key);
    let unchanged = before
        .as_ref()
        .is_some_and(|b| b.head.number == article.head.number && b.body == article.body);
    Ok((!unchanged).then_some((article, before)))
}

/// Replaces what motivated the change of article `number` in version `version`; every comment
/// must be a public one and every response one of this consultation.
pub fn set(
    conn: &mut DbConnection,
    consultation: &Consultation,
    version: i32,
    number: i32,
    input: &LinkInput,
) -> Result<(), LinkError> {
    let mut comment_ids = ids(&input.comments)?;
    let response_ids = ids(&input.responses)?;
    let typed = trackings(&input.trackings)?;
    if comment_ids.len() + typed.len() > MAX_LINKED || response_ids.len() > MAX_LINKED {
        return Err(LinkError::TooMany);
    }
    db::transaction(conn, |conn| {
        let (article, _) = changed_article(conn, consultation.id, version, number)?
            .ok_or(LinkError::NotChanged)?;
        let found = db::versions::public_comments_among(conn, consultation.id, &comment_ids)?;
        if found.len() != comment_ids.len() {
            return Err(LinkError::Foreign);
        }
        let by_tracking = db::versions::public_comments_by_tracking(conn, consultation.id, &typed)?;
        if by_tracking.len() != typed.len() {
            return Err(LinkError::Foreign);
        }
        comment_ids.extend(by_tracking.into_iter().map(|(_, id)| id));
        comment_ids.sort_unstable();
        comment_ids.dedup();
        let found = db::versions::responses_among(conn, consultation.id, &response_ids)?;
        if found.len() != response_ids.len() {
            return Err(LinkError::Foreign);
        }
        db::versions::set_links(conn, article.head.id, &comment_ids, &response_ids)?;
        Ok(())
    })
}

/// What motivated the changes of `article_ids` (articles of a revised version), by article id;
/// articles without links are absent.
pub fn motivations(
    conn: &mut DbConnection,
    article_ids: &[i32],
) -> Result<HashMap<i32, Motivation>, DbError> {
    let comments = db::versions::linked_comments(conn, article_ids)?;
    let responses = db::versions::linked_responses(conn, article_ids)?;
    let response_ids: Vec<i32> = responses.iter().map(|r| r.1).collect();
    let answered_by = db::versions::comments_answered_by(conn, &response_ids)?;
    let answered_articles: Vec<i32> = responses.iter().filter_map(|r| r.3).collect();
    let places: HashMap<i32, (i32, i32, String)> =
        db::versions::article_places(conn, &answered_articles)?
            .into_iter()
            .map(|(id, version, number, label)| (id, (version, number, label)))
            .collect();
    let mut out: HashMap<i32, Motivation> = HashMap::new();
    let mut answered: HashMap<i32, BTreeSet<i32>> = HashMap::new();
    for (article_id, id, tracking) in comments {
        answered.entry(article_id).or_default().insert(id);
        out.entry(article_id)
            .or_default()
            .comments
            .push(LinkedComment { id, tracking });
    }
    for (article_id, id, decision, answers) in responses {
        let decision = Decision::parse(&decision).ok_or_else(|| {
            DbError::Query(diesel::result::Error::DeserializationError(
                format!("unknown decision '{decision}'").into(),
            ))
        })?;
        let set = answered.entry(article_id).or_default();
        set.extend(
            answered_by
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, c)| *c),
        );
        out.entry(article_id)
            .or_default()
            .responses
            .push(LinkedResponse {
                id,
                decision,
                article: answers.and_then(|a| places.get(&a).cloned()),
            });
    }
    for (article_id, m) in &mut out {
        m.answered = answered.get(article_id).map_or(0, BTreeSet::len);
    }
    Ok(out)
}

/// (version number, article number) of the changes comment `id` led to, oldest first.
pub type LedTo = Vec<(i32, i32)>;

/// The changes that comments among `ids` led to, by comment id.
pub fn changes_led_by(
    conn: &mut DbConnection,
    ids: &[i32],
) -> Result<HashMap<i32, LedTo>, DbError> {
    let mut out: HashMap<i32, LedTo> = HashMap::new();
    for (comment, version, number) in db::versions::changes_led_by(conn, ids)? {
        out.entry(comment).or_default().push((version, number));
    }
    Ok(out)
}

/// What the linking form offers for one changed article: the public comments on the article it
/// continues and the responses to it.
#[derive(Clone, Debug, Default)]
pub struct Candidates {
    /// The comments, oldest first.
    pub comments: Vec<db::versions::CandidateRow>,
    /// The response to the article it continues, if any.
    pub response: Option<Response>,
}

/// The candidates for the change of `article` continuing `before` (none for an insertion).
pub fn candidates(
    conn: &mut DbConnection,
    consultation_id: i32,
    before: Option<&Article>,
) -> Result<Candidates, DbError> {
    let Some(before) = before else {
        return Ok(Candidates::default());
    };
    Ok(Candidates {
        comments: db::versions::public_comments_on(conn, before.head.id, MAX_CANDIDATES)?,
        response: responses::published(conn, consultation_id, Some(before.head.id))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_tracking_numbers_may_be_separated_by_chinese_or_latin_punctuation() {
        let typed = trackings("yj-2026-7q4m-k2xd，YJ20267Q4MK2XE\nYJ-2026-7Q4M-K2XD").ok();
        assert_eq!(
            typed,
            Some(vec!["YJ-2026-7Q4M-K2XD".into(), "YJ-2026-7Q4M-K2XE".into()])
        );
        assert_eq!(trackings(" ").ok(), Some(Vec::new()));
        assert!(matches!(trackings("not a number"), Err(LinkError::Foreign)));
    }

    #[test]
    fn ids_must_be_positive_numbers() {
        assert_eq!(
            ids(&["3".into(), "1".into(), "3".into()]).ok(),
            Some(vec![1, 3])
        );
        assert!(matches!(ids(&["-1".into()]), Err(LinkError::Foreign)));
        assert!(matches!(ids(&["x".into()]), Err(LinkError::Foreign)));
    }
}
