//! The drafters' dashboard aggregates: indexed GROUP BY queries over `comments`, never a load of
//! the comments themselves.
//!
//! Why GROUP BY and not counters maintained on write: the counts are read by a handful of
//! drafters, the comments are written by everyone. Counters would add an upsert to every post
//! (one hot row per article and type on PostgreSQL), and moderation, seeding and any later
//! writer would all have to keep them right. The partial index `comments_dashboard` holds every
//! column these queries read, so PostgreSQL answers them from the index alone (an index-only
//! scan once the table has been vacuumed) and SQLite from its covering index.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use super::DbConnection;
use super::comments::CommentRow;
use super::schema::comments;

/// One count of the matrix: (article, stakeholder type, stance, comments).
pub type Cell = (Option<i32>, String, Option<String>, i64);

#[derive(QueryableByName)]
struct CellRow {
    #[diesel(sql_type = Nullable<Integer>)]
    article_id: Option<i32>,
    #[diesel(sql_type = Text)]
    stakeholder_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    stance: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Top-level comments that are not hidden, per (article, stakeholder type, stance).
pub fn matrix(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Vec<Cell>> {
    match conn {
        DbConnection::Postgresql(pg) => comments::table
            .filter(comments::consultation_id.eq(consultation_id))
            .filter(comments::parent_id.is_null())
            .filter(comments::state.ne("hidden"))
            .group_by((
                comments::article_id,
                comments::stakeholder_type,
                comments::stance,
            ))
            .select((
                comments::article_id,
                comments::stakeholder_type,
                comments::stance,
                diesel::dsl::count_star(),
            ))
            .load(pg),
        // SQLite's planner prefers the equality on `parent_id` (comments_parent) and then reads
        // every row; the covering index halves the time.
        DbConnection::Sqlite(lite) => Ok(diesel::sql_query(
            "SELECT article_id, stakeholder_type, stance, COUNT(*) AS n \
             FROM comments INDEXED BY comments_dashboard \
             WHERE consultation_id = ? AND parent_id IS NULL AND state <> 'hidden' \
             GROUP BY article_id, stakeholder_type, stance",
        )
        .bind::<Integer, _>(consultation_id)
        .load::<CellRow>(lite)?
        .into_iter()
        .map(|r| (r.article_id, r.stakeholder_type, r.stance, r.n))
        .collect()),
    }
}

#[derive(QueryableByName)]
struct DayCount {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Top-level comments that are not hidden per day in Beijing time (UTC+8, no daylight saving):
/// (`YYYY-MM-DD`, count), in date order. Each backend has its own date arithmetic.
pub fn per_day(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Vec<(String, i64)>> {
    match conn {
        // Grouped by the date itself, the expression `comments_day`'s statistics describe.
        DbConnection::Postgresql(pg) => Ok(diesel::sql_query(
            "SELECT CAST(d AS TEXT) AS day, n FROM (\
             SELECT CAST(created_at + INTERVAL '8 hours' AS DATE) AS d, COUNT(*) AS n \
             FROM comments WHERE consultation_id = $1 AND parent_id IS NULL \
             AND state <> 'hidden' GROUP BY 1) AS per_day ORDER BY d",
        )
        .bind::<Integer, _>(consultation_id)
        .load::<DayCount>(pg)?
        .into_iter()
        .map(|r| (r.day, r.n))
        .collect()),
        DbConnection::Sqlite(lite) => {
            // Cutting the stored text at the hour costs far less than SQLite's date functions
            // on every row; the hours (at most 24 rows a day) are folded into Beijing days here.
            // The index is named for the reason `matrix` gives.
            let hours: Vec<DayCount> = diesel::sql_query(
                "SELECT substr(created_at, 1, 13) AS day, COUNT(*) AS n \
                 FROM comments INDEXED BY comments_dashboard \
                 WHERE consultation_id = ? AND parent_id IS NULL AND state <> 'hidden' \
                 GROUP BY 1",
            )
            .bind::<Integer, _>(consultation_id)
            .load(lite)?;
            let mut days: std::collections::BTreeMap<String, i64> = Default::default();
            for h in hours {
                let utc = chrono::NaiveDateTime::parse_from_str(
                    &format!("{}:00", h.day),
                    "%Y-%m-%d %H:%M",
                )
                .map_err(|e| {
                    diesel::result::Error::DeserializationError(
                        format!("comment time '{}': {e}", h.day).into(),
                    )
                })?;
                let day = (utc + chrono::Duration::hours(8)).date().to_string();
                *days.entry(day).or_default() += h.n;
            }
            Ok(days.into_iter().collect())
        }
    }
}

/// Top-level comments that are not hidden per verified organisation, most first, at most `limit`.
pub fn organizations(
    conn: &mut DbConnection,
    consultation_id: i32,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let rows: Vec<(Option<String>, i64)> = comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::parent_id.is_null())
        .filter(comments::organization_name.is_not_null())
        .filter(comments::state.ne("hidden"))
        .group_by(comments::organization_name)
        .select((comments::organization_name, diesel::dsl::count_star()))
        .order((
            diesel::dsl::count_star().desc(),
            comments::organization_name,
        ))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, n)| name.map(|name| (name, n)))
        .collect())
}

/// The most endorsed top-level comments that are shown, at most `limit`.
pub fn most_endorsed(
    conn: &mut DbConnection,
    consultation_id: i32,
    limit: i64,
) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::parent_id.is_null())
        .filter(comments::state.eq("published"))
        .order(comments::endorsements.desc())
        .limit(limit)
        .select(CommentRow::as_select())
        .load(conn)
}
