//! Queries on `consultations`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{articles, consultations};
use crate::consultations::{Consultation, ListFilter, RiskTier, Status};
use crate::drafts::NewConsultation;

/// Separates topic tags in the stored column; tags themselves never contain it.
const TOPIC_SEPARATOR: char = '\u{1f}';

#[derive(Queryable, Selectable)]
#[diesel(table_name = consultations)]
struct Row {
    id: i32,
    slug: String,
    title: String,
    title_en: Option<String>,
    issuer: String,
    issuer_en: Option<String>,
    summary: String,
    summary_en: Option<String>,
    risk_tier: String,
    topics: String,
    is_demo: bool,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    current_version_id: Option<i32>,
    concluded_at: Option<NaiveDateTime>,
}

impl TryFrom<Row> for Consultation {
    type Error = diesel::result::Error;

    fn try_from(r: Row) -> Result<Self, Self::Error> {
        let risk_tier = RiskTier::parse(&r.risk_tier).ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("unknown risk tier '{}'", r.risk_tier).into(),
            )
        })?;
        Ok(Self {
            id: r.id,
            slug: r.slug,
            title: r.title,
            title_en: r.title_en,
            issuer: r.issuer,
            issuer_en: r.issuer_en,
            summary: r.summary,
            summary_en: r.summary_en,
            risk_tier,
            topics: r
                .topics
                .split(TOPIC_SEPARATOR)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            is_demo: r.is_demo,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            current_version_id: r.current_version_id,
            concluded_at: r.concluded_at,
        })
    }
}

fn convert(rows: Vec<Row>) -> QueryResult<Vec<Consultation>> {
    rows.into_iter().map(Consultation::try_from).collect()
}

/// Consultations matching `filter` at `now`, the ones closing soonest first, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    filter: ListFilter,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Consultation>> {
    let mut query = consultations::table
        .select(Row::as_select())
        .order((consultations::closes_at.desc(), consultations::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(tier) = filter.tier {
        query = query.filter(consultations::risk_tier.eq(tier.as_str()));
    }
    query = match filter.status {
        None => query,
        Some(Status::Upcoming) => query
            .filter(consultations::opens_at.gt(now))
            .filter(consultations::concluded_at.is_null()),
        Some(Status::Open) => query
            .filter(consultations::opens_at.le(now))
            .filter(consultations::closes_at.gt(now))
            .filter(consultations::concluded_at.is_null()),
        Some(Status::Closed) => query
            .filter(consultations::closes_at.le(now))
            .filter(consultations::concluded_at.is_null()),
        Some(Status::Concluded) => query.filter(consultations::concluded_at.is_not_null()),
    };
    convert(query.load(conn)?)
}

/// The consultation named `slug`.
pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Consultation>> {
    // Every stored slug passed `Slug::parse`; anything else names nothing, and a NUL byte would
    // not even reach PostgreSQL, which refuses it in text.
    if crate::consultations::Slug::parse(slug).is_err() {
        return Ok(None);
    }
    consultations::table
        .filter(consultations::slug.eq(slug))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Consultation::try_from)
        .transpose()
}

/// The consultation `slug` with the id and label of article `number` of its current version, in
/// one query: posting a comment needs both, and each round trip shows in its throughput. `None`
/// when either is missing.
pub fn with_article(
    conn: &mut DbConnection,
    slug: &str,
    number: i32,
) -> QueryResult<Option<(Consultation, i32, String)>> {
    if crate::consultations::Slug::parse(slug).is_err() {
        return Ok(None);
    }
    let found: Option<(Row, i32, String)> = consultations::table
        .inner_join(
            articles::table.on(articles::version_id
                .nullable()
                .eq(consultations::current_version_id)
                .and(articles::number.eq(number))),
        )
        .filter(consultations::slug.eq(slug))
        .select((Row::as_select(), articles::id, articles::label))
        .first(conn)
        .optional()?;
    found
        .map(|(row, id, label)| Ok((Consultation::try_from(row)?, id, label)))
        .transpose()
}

/// The consultation with this id.
pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Consultation>> {
    consultations::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Consultation::try_from)
        .transpose()
}

/// How many consultations exist.
pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    consultations::table.count().get_result(conn)
}

/// Stores a new consultation (without a current version) and returns its id.
pub fn insert(
    conn: &mut DbConnection,
    c: &NewConsultation,
    title: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let topics = join_topics(&c.topics);
    diesel::insert_into(consultations::table)
        .values((
            consultations::slug.eq(c.slug.as_str()),
            consultations::title.eq(title),
            consultations::title_en.eq(c.title_en.as_deref()),
            consultations::issuer.eq(&c.issuer),
            consultations::issuer_en.eq(c.issuer_en.as_deref()),
            consultations::summary.eq(&c.summary),
            consultations::summary_en.eq(c.summary_en.as_deref()),
            consultations::risk_tier.eq(c.risk_tier.as_str()),
            consultations::topics.eq(topics),
            consultations::is_demo.eq(c.is_demo),
            consultations::opens_at.eq(c.opens_at),
            consultations::closes_at.eq(c.closes_at),
            consultations::created_at.eq(now),
        ))
        .returning(consultations::id)
        .get_result(conn)
}

/// Makes `version_id` the version readers see.
pub fn set_current_version(
    conn: &mut DbConnection,
    consultation_id: i32,
    version_id: i32,
) -> QueryResult<()> {
    diesel::update(consultations::table.find(consultation_id))
        .set(consultations::current_version_id.eq(version_id))
        .execute(conn)
        .map(drop)
}

/// Replaces the comment window of a consultation.
pub fn set_window(
    conn: &mut DbConnection,
    consultation_id: i32,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(consultations::table.find(consultation_id))
        .set((
            consultations::opens_at.eq(opens_at),
            consultations::closes_at.eq(closes_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces the descriptive fields and the window of a consultation.
pub fn update(
    conn: &mut DbConnection,
    id: i32,
    c: &crate::consultations::ConsultationEdit,
) -> QueryResult<()> {
    diesel::update(consultations::table.find(id))
        .set((
            consultations::title.eq(&c.title),
            consultations::title_en.eq(c.title_en.as_deref()),
            consultations::issuer.eq(&c.issuer),
            consultations::issuer_en.eq(c.issuer_en.as_deref()),
            consultations::summary.eq(&c.summary),
            consultations::summary_en.eq(c.summary_en.as_deref()),
            consultations::risk_tier.eq(c.risk_tier.as_str()),
            consultations::topics.eq(join_topics(&c.topics)),
            consultations::opens_at.eq(c.opens_at),
            consultations::closes_at.eq(c.closes_at),
        ))
        .execute(conn)
        .map(drop)
}

fn join_topics(topics: &[String]) -> String {
    topics
        .iter()
        .map(|t| t.replace(TOPIC_SEPARATOR, " "))
        .collect::<Vec<_>>()
        .join(&TOPIC_SEPARATOR.to_string())
}

/// Ids of every consultation, oldest first.
pub fn ids(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    consultations::table
        .select(consultations::id)
        .order(consultations::id)
        .load(conn)
}

/// Consultations created in `[start, end)`, oldest first (digests of new consultations).
pub fn created_between(
    conn: &mut DbConnection,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Vec<Consultation>> {
    convert(
        consultations::table
            .filter(consultations::created_at.ge(start))
            .filter(consultations::created_at.lt(end))
            .order((consultations::created_at, consultations::id))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// Marks a consultation concluded at `now`; false when it already was.
pub fn conclude(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        consultations::table
            .find(id)
            .filter(consultations::concluded_at.is_null()),
    )
    .set(consultations::concluded_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}
