//! Campaigns: near-identical comments (form letters, copy-paste, bot waves) grouped into clusters
//! so that drafters see one voice with its count, and nothing is dropped.
//!
//! A job ([`cluster_pending`], run by the background task, `yijian cluster-comments` and the
//! benchmark) clusters again each consultation whose comments changed since its last run: it
//! streams the comments' ids and texts, computes their signatures on every core, groups them
//! ([`minhash::cluster`]) and writes the difference to the stored clusters in one transaction.
//! Clusters keep their ids across runs (a grown cluster is the one most of its members were in),
//! so links to a cluster stay valid. Two instances may run it together: each computes outside
//! any transaction, and only the first to commit what it saw writes; the other finds the
//! consultation's run record changed and leaves it.

#[cfg(test)]
mod labelled;
pub mod minhash;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::accounts::StakeholderType;
use crate::comments::Comment;
use crate::db::campaigns::{self as q, ClusterValues};
use crate::db::{self, DbConnection, DbError, DbPool};
use crate::tasks::{Periodic, Schedule};
use minhash::Signature;

/// Comments read per query while clustering.
const READ_BATCH: i64 = 20_000;
/// Clusters per page of the drafters' list, and members per page of a cluster.
pub const PAGE_SIZE: i64 = 50;
/// How often the background task looks for consultations with new comments.
const EVERY: Duration = Duration::from_secs(60);

/// What one consultation's clustering found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clustered {
    /// Comments read.
    pub comments: usize,
    /// Clusters of two or more.
    pub clusters: usize,
    /// Comments in those clusters.
    pub clustered: usize,
    /// Time reading comments from the database.
    pub read: Duration,
    /// Time computing signatures and clusters.
    pub compute: Duration,
    /// Time writing the changes.
    pub write: Duration,
}

/// What a run of the job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Consultations clustered again.
    pub consultations: usize,
    /// Totals over them.
    pub totals: Clustered,
}

/// Clusters again every consultation whose comments changed since it was last clustered.
pub fn cluster_pending(conn: &mut DbConnection, now: NaiveDateTime) -> Result<RunReport, DbError> {
    let seen: HashMap<i32, (i32, i64)> = q::runs(conn)?
        .into_iter()
        .map(|(c, max, count)| (c, (max, count)))
        .collect();
    let mut report = RunReport::default();
    for (consultation_id, max_id, count) in q::comment_stats(conn)? {
        let before = seen.get(&consultation_id).copied();
        if before == max_id.map(|m| (m, count)) {
            continue;
        }
        if let Some(done) = cluster_consultation(conn, consultation_id, before, now)? {
            report.consultations += 1;
            let t = &mut report.totals;
            t.comments += done.comments;
            t.clusters += done.clusters;
            t.clustered += done.clustered;
            t.read += done.read;
            t.compute += done.compute;
            t.write += done.write;
        }
    }
    Ok(report)
}

/// The comments of a consultation that have a signature: ids ascending, posting times, signatures.
struct Signed {
    ids: Vec<i32>,
    times: Vec<NaiveDateTime>,
    signatures: Vec<Signature>,
    read: usize,
    max_id: i32,
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
}

/// Signatures of `texts`, computed on every core.
fn sign(texts: &[(i32, String, NaiveDateTime)]) -> Vec<Option<Signature>> {
    let per_thread = texts.len().div_ceil(threads()).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = texts
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(_, body, _)| minhash::signature(body))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_default())
            .collect()
    })
}

fn read_signed(
    conn: &mut DbConnection,
    consultation_id: i32,
    read_time: &mut Duration,
) -> Result<Signed, DbError> {
    let mut out = Signed {
        ids: Vec::new(),
        times: Vec::new(),
        signatures: Vec::new(),
        read: 0,
        max_id: 0,
    };
    let mut after = 0;
    loop {
        let started = Instant::now();
        let batch = q::texts_after(conn, consultation_id, after, READ_BATCH)?;
        *read_time += started.elapsed();
        let Some(&(last, _, _)) = batch.last() else {
            return Ok(out);
        };
        after = last;
        out.max_id = last;
        out.read += batch.len();
        let signatures = sign(&batch);
        if signatures.len() != batch.len() {
            return Err(DbError::Unavailable("a signature thread failed".into()));
        }
        for ((id, _, at), sig) in batch.into_iter().zip(signatures) {
            if let Some(sig) = sig {
                out.ids.push(id);
                out.times.push(at);
                out.signatures.push(sig);
            }
        }
    }
}

/// Clusters one consultation's comments and stores the result, unless another run stored one
/// since `before` (what the caller saw in `campaign_runs`) was read: then `None`.
pub fn cluster_consultation(
    conn: &mut DbConnection,
    consultation_id: i32,
    before: Option<(i32, i64)>,
    now: NaiveDateTime,
) -> Result<Option<Clustered>, DbError> {
    let started = Instant::now();
    let mut read = Duration::ZERO;
    let signed = read_signed(conn, consultation_id, &mut read)?;
    let scopes = vec![consultation_id; signed.ids.len()];
    let groups = minhash::cluster(&scopes, &signed.signatures);
    let clusters: Vec<Found> = groups
        .iter()
        .map(|g| Found {
            members: g.iter().map(|&i| signed.ids[i as usize]).collect(),
            values: ClusterValues {
                consultation_id,
                representative_id: signed.ids
                    [minhash::representative(&signed.signatures, g) as usize],
                size: g.len() as i32,
                first_at: g
                    .iter()
                    .map(|&i| signed.times[i as usize])
                    .min()
                    .unwrap_or(now),
                last_at: g
                    .iter()
                    .map(|&i| signed.times[i as usize])
                    .max()
                    .unwrap_or(now),
                updated_at: now,
            },
        })
        .collect();
    let compute = started.elapsed().saturating_sub(read);
    let written = Instant::now();
    let stored = db::transaction(conn, |conn| {
        q::lock(conn)?;
        let current = q::run_of(conn, consultation_id)?.map(|(m, c, _)| (m, c));
        if current != before {
            return Ok::<_, DbError>(false);
        }
        store(conn, consultation_id, &clusters)?;
        q::set_run(
            conn,
            consultation_id,
            signed.max_id,
            signed.read as i64,
            now,
        )?;
        Ok(true)
    })?;
    Ok(stored.then(|| Clustered {
        comments: signed.read,
        clusters: clusters.len(),
        clustered: clusters.iter().map(|c| c.members.len()).sum(),
        read,
        compute,
        write: written.elapsed(),
    }))
}

/// A cluster as computed: its members' comment ids and its figures.
struct Found {
    members: Vec<i32>,
    values: ClusterValues,
}

/// Writes the difference between the stored clusters of a consultation and `clusters`. Each
/// computed cluster keeps the id of the stored cluster most of its members were in (the larger
/// computed clusters choose first); the others get new ids.
fn store(conn: &mut DbConnection, consultation_id: i32, clusters: &[Found]) -> Result<(), DbError> {
    let old: HashMap<i32, i32> = q::memberships(conn, consultation_id)?.into_iter().collect();
    let mut order: Vec<usize> = (0..clusters.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(clusters[i].members.len()));
    let mut kept: HashMap<i32, usize> = HashMap::new();
    let mut id_of: Vec<Option<i32>> = vec![None; clusters.len()];
    for i in order {
        let mut votes: HashMap<i32, usize> = HashMap::new();
        for m in &clusters[i].members {
            if let Some(&c) = old.get(m) {
                *votes.entry(c).or_default() += 1;
            }
        }
        let best = votes
            .into_iter()
            .filter(|(c, _)| !kept.contains_key(c))
            .max_by_key(|&(c, n)| (n, std::cmp::Reverse(c)));
        if let Some((c, _)) = best {
            kept.insert(c, i);
            id_of[i] = Some(c);
        }
    }
    let gone: Vec<i32> = {
        let mut ids: Vec<i32> = old
            .values()
            .copied()
            .filter(|c| !kept.contains_key(c))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    // Members whose cluster changed or vanished lose their row first.
    let mut desired: HashMap<i32, Option<i32>> = HashMap::new();
    for (i, c) in clusters.iter().enumerate() {
        for &m in &c.members {
            desired.insert(m, id_of[i]);
        }
    }
    let moved: Vec<i32> = old
        .iter()
        .filter(|&(m, c)| desired.get(m).copied().flatten() != Some(*c))
        .map(|(&m, _)| m)
        .collect();
    q::delete_members(conn, &moved)?;
    q::delete_clusters(conn, &gone)?;
    // Most clusters stay as they were when a few comments arrive: only changed ones are written.
    let stored: HashMap<i32, q::ClusterRow> = q::clusters_of(conn, consultation_id)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    for (&c, &i) in &kept {
        let v = &clusters[i].values;
        let same = stored.get(&c).is_some_and(|r| {
            (r.representative_id, r.size, r.first_at, r.last_at)
                == (v.representative_id, v.size, v.first_at, v.last_at)
        });
        if !same {
            q::update_cluster(conn, c, v)?;
        }
    }
    let fresh: Vec<usize> = (0..clusters.len())
        .filter(|&i| id_of[i].is_none())
        .collect();
    let rows: Vec<ClusterValues> = fresh.iter().map(|&i| clusters[i].values.clone()).collect();
    let by_representative: HashMap<i32, i32> = q::insert_clusters(conn, &rows)?
        .into_iter()
        .map(|(id, rep)| (rep, id))
        .collect();
    for i in fresh {
        id_of[i] = by_representative
            .get(&clusters[i].values.representative_id)
            .copied();
    }
    let mut members: Vec<(i32, i32)> = Vec::new();
    for (i, c) in clusters.iter().enumerate() {
        let id = id_of[i].ok_or_else(|| DbError::Query(diesel::result::Error::NotFound))?;
        members.extend(
            c.members
                .iter()
                .filter(|m| old.get(m) != Some(&id))
                .map(|&m| (m, id)),
        );
    }
    q::insert_members(conn, &members)?;
    Ok(())
}

/// A cluster as drafters see it.
#[derive(Clone, Debug)]
pub struct ClusterSummary {
    /// Its id, for the link to its members.
    pub id: i32,
    /// Comments in it.
    pub size: i64,
    /// The comment whose text stands for it.
    pub representative: Comment,
    /// The first member's posting time.
    pub first_at: NaiveDateTime,
    /// The last member's posting time.
    pub last_at: NaiveDateTime,
    /// Members per stakeholder type, most first.
    pub by_type: Vec<(StakeholderType, i64)>,
}

/// A consultation's campaigns at a glance.
#[derive(Clone, Debug, Default)]
pub struct Overview {
    /// Clusters.
    pub clusters: i64,
    /// Comments in them.
    pub clustered: i64,
    /// Comments the last run read, and when it ran.
    pub last_run: Option<(i64, NaiveDateTime)>,
}

fn summaries_of(
    conn: &mut DbConnection,
    rows: Vec<(q::ClusterRow, db::comments::CommentRow)>,
) -> Result<Vec<ClusterSummary>, DbError> {
    let ids: Vec<i32> = rows.iter().map(|(c, _)| c.id).collect();
    let mut by_cluster: HashMap<i32, Vec<(StakeholderType, i64)>> = HashMap::new();
    for (cluster, kind, n) in q::breakdown(conn, &ids)? {
        if let Some(t) = StakeholderType::parse(&kind) {
            by_cluster.entry(cluster).or_default().push((t, n));
        }
    }
    rows.into_iter()
        .map(|(c, rep)| {
            let mut by_type = by_cluster.remove(&c.id).unwrap_or_default();
            by_type.sort_by_key(|&(t, n)| (std::cmp::Reverse(n), t.as_str()));
            Ok(ClusterSummary {
                id: c.id,
                size: i64::from(c.size),
                representative: Comment::try_from(rep)?,
                first_at: c.first_at,
                last_at: c.last_at,
                by_type,
            })
        })
        .collect()
}

/// The `limit` largest clusters of a consultation, for a dashboard or a report.
pub fn summaries(
    conn: &mut DbConnection,
    consultation_id: i32,
    limit: i64,
) -> Result<Vec<ClusterSummary>, DbError> {
    let rows = q::clusters_page(conn, consultation_id, 0, limit)?;
    summaries_of(conn, rows)
}

/// The overview and one page (1-based) of a consultation's clusters, largest first.
pub fn page(
    conn: &mut DbConnection,
    consultation_id: i32,
    page: i64,
) -> Result<(Overview, Vec<ClusterSummary>), DbError> {
    let (clusters, clustered) = q::totals(conn, consultation_id)?;
    let last_run = q::run_of(conn, consultation_id)?.map(|(_, n, at)| (n, at));
    let rows = q::clusters_page(
        conn,
        consultation_id,
        (page.max(1) - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )?;
    Ok((
        Overview {
            clusters,
            clustered,
            last_run,
        },
        summaries_of(conn, rows)?,
    ))
}

/// One cluster of a consultation and a page (1-based) of its members, oldest first.
pub fn members(
    conn: &mut DbConnection,
    consultation_id: i32,
    cluster_id: i32,
    page: i64,
) -> Result<Option<(ClusterSummary, Vec<Comment>)>, DbError> {
    let Some(row) = q::cluster(conn, consultation_id, cluster_id)? else {
        return Ok(None);
    };
    let summary = summaries_of(conn, vec![row])?
        .pop()
        .ok_or(DbError::Query(diesel::result::Error::NotFound))?;
    let members = q::members_page(conn, cluster_id, (page.max(1) - 1) * PAGE_SIZE, PAGE_SIZE)?
        .into_iter()
        .map(Comment::try_from)
        .collect::<Result<_, _>>()?;
    Ok(Some((summary, members)))
}

/// The background task of one instance: clusters consultations with new comments every minute.
pub struct Clusterer(Periodic);

impl Clusterer {
    /// Starts the task on the current runtime; its first run is a minute after the start.
    pub fn start(pool: DbPool) -> Self {
        Self::start_every(pool, EVERY)
    }

    /// Starts the task with runs `every` apart, the first one `every` after the start.
    pub fn start_every(pool: DbPool, every: Duration) -> Self {
        let schedule = Schedule {
            first_after: every,
            every,
            max_pause: every,
        };
        Self(Periodic::start("campaigns", schedule, move || {
            let pool = pool.clone();
            async move {
                let now = chrono::Utc::now().naive_utc();
                let r = db::run(&pool, move |conn| cluster_pending(conn, now))
                    .await
                    .map_err(|e| e.to_string())?;
                if r.consultations > 0 {
                    tracing::info!(
                        consultations = r.consultations,
                        comments = r.totals.comments,
                        clusters = r.totals.clusters,
                        clustered = r.totals.clustered,
                        "comments clustered"
                    );
                }
                Ok(())
            }
        }))
    }

    /// Stops the task, letting a run in progress finish.
    pub async fn stop(self) {
        self.0.stop().await;
    }
}
