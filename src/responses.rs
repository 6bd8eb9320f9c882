//! Responses: the drafters' public answer per article (or to the draft as a whole) — a decision,
//! its reasoning and the comments it answers — and the rule for concluding a consultation.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::accounts::User;
use crate::consultations::{Consultation, Status};
use crate::dashboard::Matrix;
use crate::db::responses::ResponseRow;
use crate::db::{self, DbConnection, DbError};
use crate::ledger::{self, Event};
use crate::validation::{FieldError, required_text};

/// Longest reasoning, in characters.
pub const MAX_REASONING_CHARS: usize = 10_000;
/// Most comments one response may list as answered.
pub const MAX_ANSWERED: usize = 500;

/// What the drafters decided about the comments on an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// 采纳.
    Adopted,
    /// 部分采纳.
    PartlyAdopted,
    /// 未采纳.
    NotAdopted,
    /// 说明: explained, no change asked or possible.
    Explained,
}

impl Decision {
    /// Every decision, in display order.
    pub const ALL: [Self; 4] = [
        Self::Adopted,
        Self::PartlyAdopted,
        Self::NotAdopted,
        Self::Explained,
    ];

    /// The stored and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Adopted => "adopted",
            Self::PartlyAdopted => "partly-adopted",
            Self::NotAdopted => "not-adopted",
            Self::Explained => "explained",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The i18n key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Adopted => "decision-adopted",
            Self::PartlyAdopted => "decision-partly-adopted",
            Self::NotAdopted => "decision-not-adopted",
            Self::Explained => "decision-explained",
        }
    }
}

/// A published response.
#[derive(Clone, Debug)]
pub struct Response {
    /// Row id.
    pub id: i32,
    /// Article answered (`None`: the draft as a whole).
    pub article_id: Option<i32>,
    /// Decision.
    pub decision: Decision,
    /// Reasoning, as written.
    pub reasoning: String,
    /// First published (UTC).
    pub published_at: NaiveDateTime,
    /// Last changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl TryFrom<ResponseRow> for Response {
    type Error = DbError;

    fn try_from(r: ResponseRow) -> Result<Self, DbError> {
        let decision = Decision::parse(&r.decision).ok_or_else(|| {
            DbError::Query(diesel::result::Error::DeserializationError(
                format!("unknown decision '{}'", r.decision).into(),
            ))
        })?;
        Ok(Self {
            id: r.id,
            article_id: r.article_id,
            decision,
            reasoning: r.reasoning,
            published_at: r.published_at,
            updated_at: r.updated_at,
        })
    }
}

/// A validated response form.
#[derive(Clone, Debug)]
pub struct ResponseInput {
    /// Decision.
    pub decision: Decision,
    /// Reasoning.
    pub reasoning: String,
    /// Ids of the comments answered.
    pub answers: Vec<i32>,
}

impl ResponseInput {
    /// Validates the raw form values, collecting every field's error.
    pub fn parse(
        decision: &str,
        reasoning: &str,
        answers: &[String],
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let decision = Decision::parse(decision);
        if decision.is_none() {
            errors.push(FieldError::new("decision", "response-decision-required"));
        }
        let reasoning = required_text("reasoning", reasoning, MAX_REASONING_CHARS)
            .map_err(|e| errors.push(e))
            .ok();
        let mut ids = Vec::with_capacity(answers.len());
        for a in answers {
            match a.parse::<i32>() {
                Ok(id) if id > 0 => ids.push(id),
                _ => {
                    errors.push(FieldError::new("answers", "response-answers-invalid"));
                    break;
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_ANSWERED {
            errors.push(FieldError::new("answers", "response-answers-invalid"));
        }
        match (decision, reasoning) {
            (Some(decision), Some(reasoning)) if errors.is_empty() => Ok(Self {
                decision,
                reasoning,
                answers: ids,
            }),
            _ => Err(errors),
        }
    }
}

/// Why a response could not be published or a consultation concluded.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    /// A listed comment is not a comment on this article of this consultation.
    #[error("a listed comment does not belong to the article")]
    ForeignComment,
    /// The consultation is concluded: its responses are final.
    #[error("the consultation is concluded")]
    Concluded,
    /// The window is still open (or not yet open).
    #[error("the consultation is not closed")]
    NotClosed,
    /// These commented articles (labels) have no response yet.
    #[error("articles without a response: {0:?}")]
    Unanswered(Vec<String>),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ResponseError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// Publishes (or replaces) the response to `article_id` (`None`: the draft as a whole) in one
/// transaction: the decision, the reasoning, the comments it answers and its entry in the public
/// record.
pub fn publish(
    conn: &mut DbConnection,
    consultation: &Consultation,
    article_id: Option<i32>,
    input: &ResponseInput,
    drafter: &User,
    now: NaiveDateTime,
) -> Result<i32, ResponseError> {
    if consultation.concluded_at.is_some() {
        return Err(ResponseError::Concluded);
    }
    db::transaction(conn, |conn| {
        let found = db::responses::comments_on(conn, consultation.id, article_id, &input.answers)?;
        if found.len() != input.answers.len() {
            return Err(ResponseError::ForeignComment);
        }
        let (decision, reasoning) = (input.decision.as_str(), input.reasoning.as_str());
        let id = match db::responses::for_target(conn, consultation.id, article_id)? {
            Some(existing) => {
                db::responses::update(conn, existing.id, decision, reasoning, drafter.id, now)?;
                existing.id
            }
            None => db::responses::insert(
                conn,
                consultation.id,
                article_id,
                decision,
                reasoning,
                drafter.id,
                now,
            )?,
        };
        db::responses::set_comments(conn, id, &input.answers)?;
        let label = match article_id {
            Some(a) => db::drafts::article_number_label(conn, a)?.map(|(_, l)| l),
            None => None,
        };
        let text_hash = hex::encode(Sha256::digest(input.reasoning.as_bytes()));
        ledger::append_to(
            conn,
            consultation,
            &Event::ResponsePublished {
                article: label.as_deref().unwrap_or(""),
                decision,
                text_hash: &text_hash,
            },
            now,
        )?;
        Ok(id)
    })
}

/// Every response of a consultation.
pub fn of_consultation(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> Result<Vec<Response>, DbError> {
    db::responses::of_consultation(conn, consultation_id)?
        .into_iter()
        .map(Response::try_from)
        .collect()
}

/// The response to one article (or the draft as a whole), as the public pages show it.
pub fn published(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
) -> Result<Option<Response>, DbError> {
    db::responses::for_target(conn, consultation_id, article_id)?
        .map(Response::try_from)
        .transpose()
}

/// A response with the comments it answers: (id, tracking number).
pub type Answered = (Response, Vec<(i32, String)>);

/// The response to one article (or the draft as a whole) with the comments it answers.
pub fn for_target(
    conn: &mut DbConnection,
    consultation_id: i32,
    article_id: Option<i32>,
) -> Result<Option<Answered>, DbError> {
    let Some(row) = db::responses::for_target(conn, consultation_id, article_id)? else {
        return Ok(None);
    };
    let answered = db::responses::answered(conn, row.id, false)?;
    Ok(Some((Response::try_from(row)?, answered)))
}

/// Number and label of the current version's articles that received comments (not hidden) but
/// have no response yet, in document order.
pub fn unanswered(
    conn: &mut DbConnection,
    consultation: &Consultation,
) -> Result<Vec<(i32, String)>, DbError> {
    let matrix = crate::dashboard::matrix(conn, consultation)?;
    unanswered_from(conn, consultation, &matrix)
}

/// [`unanswered`], from a matrix already counted.
pub fn unanswered_from(
    conn: &mut DbConnection,
    consultation: &Consultation,
    matrix: &Matrix,
) -> Result<Vec<(i32, String)>, DbError> {
    let answered: Vec<i32> = db::responses::of_consultation(conn, consultation.id)?
        .into_iter()
        .filter_map(|r| r.article_id)
        .collect();
    Ok(matrix
        .rows
        .iter()
        .filter(|r| r.total > 0)
        .filter_map(|r| match (r.article_id, r.number) {
            (Some(id), Some(n)) if !answered.contains(&id) => Some((n, r.label.clone())),
            _ => None,
        })
        .collect())
}

/// Marks a closed consultation concluded, when every article that received comments has a
/// response; otherwise names the ones missing.
pub fn conclude(
    conn: &mut DbConnection,
    consultation: &Consultation,
    now: NaiveDateTime,
) -> Result<(), ResponseError> {
    match consultation.status(now) {
        Status::Concluded => return Err(ResponseError::Concluded),
        Status::Upcoming | Status::Open => return Err(ResponseError::NotClosed),
        Status::Closed => {}
    }
    db::transaction(conn, |conn| {
        let missing = unanswered(conn, consultation)?;
        if !missing.is_empty() {
            return Err(ResponseError::Unanswered(
                missing.into_iter().map(|(_, label)| label).collect(),
            ));
        }
        db::consultations::conclude(conn, consultation.id, now)?;
        ledger::append_to(conn, consultation, &Event::ConsultationConcluded, now)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_round_trip_and_refuse_unknown_values() {
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
        assert_eq!(Decision::parse("maybe"), None);
    }

    #[test]
    fn a_response_needs_a_decision_and_reasoning_and_numeric_answers() {
        let ok = ResponseInput::parse("adopted", " 已采纳 ", &["3".into(), "3".into(), "1".into()])
            .expect("valid");
        assert_eq!(ok.reasoning, "已采纳");
        assert_eq!(ok.answers, vec![1, 3]);
        let errors = ResponseInput::parse("", "", &["x".into()]).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["decision", "reasoning", "answers"]);
    }
}
