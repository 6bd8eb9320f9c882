//! Queries on `campaign_clusters`, `campaign_members` and `campaign_runs`, and the comment reads
//! clustering needs.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, max};
use diesel::prelude::*;

use super::DbConnection;
use super::comments::CommentRow;
use super::schema::{campaign_clusters, campaign_members, campaign_runs, comments};

/// Ids per DELETE and rows per INSERT: far below either backend's limit of bound values.
const CHUNK: usize = 5000;

/// A cluster row.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = campaign_clusters)]
pub struct ClusterRow {
    /// Row id.
    pub id: i32,
    /// Consultation.
    pub consultation_id: i32,
    /// The member whose text stands for the cluster.
    pub representative_id: i32,
    /// Members.
    pub size: i32,
    /// The first member's posting time.
    pub first_at: NaiveDateTime,
    /// The last member's posting time.
    pub last_at: NaiveDateTime,
    /// When the job last changed it.
    pub updated_at: NaiveDateTime,
}

/// What a cluster stores, new or updated.
#[derive(Clone, Debug, Insertable, AsChangeset)]
#[diesel(table_name = campaign_clusters)]
pub struct ClusterValues {
    /// Consultation.
    pub consultation_id: i32,
    /// Representative member.
    pub representative_id: i32,
    /// Members.
    pub size: i32,
    /// First posting time.
    pub first_at: NaiveDateTime,
    /// Last posting time.
    pub last_at: NaiveDateTime,
    /// Now.
    pub updated_at: NaiveDateTime,
}

/// Per consultation: the highest comment id and the number of comments.
pub fn comment_stats(conn: &mut DbConnection) -> QueryResult<Vec<(i32, Option<i32>, i64)>> {
    comments::table
        .group_by(comments::consultation_id)
        .select((comments::consultation_id, max(comments::id), count_star()))
        .load(conn)
}

/// What the last clustering of each consultation saw: (consultation, highest id, count).
pub fn runs(conn: &mut DbConnection) -> QueryResult<Vec<(i32, i32, i64)>> {
    campaign_runs::table
        .select((
            campaign_runs::consultation_id,
            campaign_runs::max_comment_id,
            campaign_runs::comments,
        ))
        .load(conn)
}

/// What the last clustering of one consultation saw: (highest id, count, when).
pub fn run_of(
    conn: &mut DbConnection,
    consultation_id: i32,
) -> QueryResult<Option<(i32, i64, NaiveDateTime)>> {
    campaign_runs::table
        .find(consultation_id)
        .select((
            campaign_runs::max_comment_id,
            campaign_runs::comments,
            campaign_runs::clustered_at,
        ))
        .first(conn)
        .optional()
}

/// Records what a clustering of a consultation saw.
pub fn set_run(
    conn: &mut DbConnection,
    consultation_id: i32,
    max_comment_id: i32,
    count: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(campaign_runs::table.find(consultation_id)).execute(conn)?;
    diesel::insert_into(campaign_runs::table)
        .values((
            campaign_runs::consultation_id.eq(consultation_id),
            campaign_runs::max_comment_id.eq(max_comment_id),
            campaign_runs::comments.eq(count),
            campaign_runs::clustered_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Up to `limit` comments of a consultation after comment `after_id`, by id: (id, body, posted).
pub fn texts_after(
    conn: &mut DbConnection,
    consultation_id: i32,
    after_id: i32,
    limit: i64,
) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    comments::table
        .filter(comments::consultation_id.eq(consultation_id))
        .filter(comments::id.gt(after_id))
        .order(comments::id)
        .limit(limit)
        .select((comments::id, comments::body, comments::created_at))
        .load(conn)
}

/// Keeps other instances from clustering until the current transaction ends: PostgreSQL takes a
/// transaction-scoped advisory lock; on SQLite the write transaction already excludes them.
pub fn lock(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7013290)").execute(pg)?;
    }
    Ok(())
}

/// Every (comment, cluster) of a consultation.
pub fn memberships(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Vec<(i32, i32)>> {
    campaign_members::table
        .inner_join(campaign_clusters::table)
        .filter(campaign_clusters::consultation_id.eq(consultation_id))
        .select((campaign_members::comment_id, campaign_members::cluster_id))
        .load(conn)
}

/// Every cluster of a consultation.
pub fn clusters_of(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<Vec<ClusterRow>> {
    campaign_clusters::table
        .filter(campaign_clusters::consultation_id.eq(consultation_id))
        .select(ClusterRow::as_select())
        .load(conn)
}

/// Removes clusters (their members with them).
pub fn delete_clusters(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<()> {
    for chunk in ids.chunks(CHUNK) {
        diesel::delete(campaign_members::table.filter(campaign_members::cluster_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(campaign_clusters::table.filter(campaign_clusters::id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// Overwrites a cluster's figures.
pub fn update_cluster(conn: &mut DbConnection, id: i32, values: &ClusterValues) -> QueryResult<()> {
    diesel::update(campaign_clusters::table.find(id))
        .set(values)
        .execute(conn)
        .map(drop)
}

/// Stores new clusters; returns (id, representative) of each, in no particular order.
pub fn insert_clusters(
    conn: &mut DbConnection,
    rows: &[ClusterValues],
) -> QueryResult<Vec<(i32, i32)>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK / 2) {
        // MultiConnection cannot compile a multi-row INSERT; each backend's own connection can.
        let insert = diesel::insert_into(campaign_clusters::table)
            .values(chunk)
            .returning((campaign_clusters::id, campaign_clusters::representative_id));
        out.extend(match conn {
            DbConnection::Postgresql(pg) => insert.get_results::<(i32, i32)>(pg)?,
            DbConnection::Sqlite(lite) => insert.get_results::<(i32, i32)>(lite)?,
        });
    }
    Ok(out)
}

/// Removes the memberships of `comment_ids`.
pub fn delete_members(conn: &mut DbConnection, comment_ids: &[i32]) -> QueryResult<()> {
    for chunk in comment_ids.chunks(CHUNK) {
        diesel::delete(campaign_members::table.filter(campaign_members::comment_id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores memberships (comment, cluster).
pub fn insert_members(conn: &mut DbConnection, rows: &[(i32, i32)]) -> QueryResult<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(comment, cluster)| {
                (
                    campaign_members::comment_id.eq(comment),
                    campaign_members::cluster_id.eq(cluster),
                )
            })
            .collect();
        let insert = diesel::insert_into(campaign_members::table).values(&values);
        match conn {
            DbConnection::Postgresql(pg) => insert.execute(pg)?,
            DbConnection::Sqlite(lite) => insert.execute(lite)?,
        };
    }
    Ok(())
}

/// Clusters of a consultation, largest first, with their representative comments.
pub fn clusters_page(
    conn: &mut DbConnection,
    consultation_id: i32,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<(ClusterRow, CommentRow)>> {
    campaign_clusters::table
        .inner_join(comments::table)
        .filter(campaign_clusters::consultation_id.eq(consultation_id))
        .order((campaign_clusters::size.desc(), campaign_clusters::id))
        .offset(offset)
        .limit(limit)
        .select((ClusterRow::as_select(), CommentRow::as_select()))
        .load(conn)
}

/// The number of clusters of a consultation and the comments in them.
pub fn totals(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<(i64, i64)> {
    let (clusters, members): (i64, Option<i64>) = campaign_clusters::table
        .filter(campaign_clusters::consultation_id.eq(consultation_id))
        .select((count_star(), diesel::dsl::sum(campaign_clusters::size)))
        .first(conn)?;
    Ok((clusters, members.unwrap_or(0)))
}

/// One cluster of a consultation with its representative comment.
pub fn cluster(
    conn: &mut DbConnection,
    consultation_id: i32,
    id: i32,
) -> QueryResult<Option<(ClusterRow, CommentRow)>> {
    campaign_clusters::table
        .inner_join(comments::table)
        .filter(campaign_clusters::consultation_id.eq(consultation_id))
        .filter(campaign_clusters::id.eq(id))
        .select((ClusterRow::as_select(), CommentRow::as_select()))
        .first(conn)
        .optional()
}

/// Members of `cluster_ids` counted by stakeholder type: (cluster, type, count).
pub fn breakdown(
    conn: &mut DbConnection,
    cluster_ids: &[i32],
) -> QueryResult<Vec<(i32, String, i64)>> {
    campaign_members::table
        .inner_join(comments::table)
        .filter(campaign_members::cluster_id.eq_any(cluster_ids))
        .group_by((campaign_members::cluster_id, comments::stakeholder_type))
        .select((
            campaign_members::cluster_id,
            comments::stakeholder_type,
            count_star(),
        ))
        .load(conn)
}

/// One page of a cluster's members, oldest first.
pub fn members_page(
    conn: &mut DbConnection,
    cluster_id: i32,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<CommentRow>> {
    campaign_members::table
        .inner_join(comments::table)
        .filter(campaign_members::cluster_id.eq(cluster_id))
        .order((comments::created_at, comments::id))
        .offset(offset)
        .limit(limit)
        .select(CommentRow::as_select())
        .load(conn)
}

/// Forgets a consultation's clusters and its run record, so that the next run clusters it anew.
pub fn clear(conn: &mut DbConnection, consultation_id: i32) -> QueryResult<()> {
    let ids: Vec<i32> = campaign_clusters::table
        .filter(campaign_clusters::consultation_id.eq(consultation_id))
        .select(campaign_clusters::id)
        .load(conn)?;
    delete_clusters(conn, &ids)?;
    diesel::delete(campaign_runs::table.find(consultation_id))
        .execute(conn)
        .map(drop)
}
