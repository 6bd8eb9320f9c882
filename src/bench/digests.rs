//! `yijian bench digests`: rendering and queueing the digests of 100,000 subscribers, and the rate
//! at which the outbox delivers digests to an SMTP sink on loopback.

use std::sync::atomic::Ordering;
use std::time::Instant;

use chrono::{Duration, NaiveDateTime};

use super::outbox::Sink;
use crate::accounts::token_hash;
use crate::app;
use crate::config::{Config, DatabaseUrl};
use crate::consultations::Consultation;
use crate::db::subscriptions::{self as q, NewSubscriptionRow};
use crate::db::{self, DbConnection, DbPool};
use crate::mail::digest::{self, Period, RunReport};
use crate::mail::{self, Transport};
use crate::seed;
use crate::subscriptions::{Frequency, Links, unsubscribe_token};

/// Options of `yijian bench digests`.
#[derive(clap::Args, Clone, Debug)]
pub struct DigestsArgs {
    /// Confirmed subscribers whose digests are built in one run.
    #[arg(long, default_value_t = 100_000)]
    pub subscribers: usize,
    /// Digests delivered through the outbox to time the send rate (built first, in a period of
    /// their own, for that many of the subscribers).
    #[arg(long, default_value_t = 2000)]
    pub send: usize,
    /// Generated demo comments (replies included) spread over the week the demo has been open.
    #[arg(long, default_value_t = 3000)]
    pub comments: usize,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    /// The bench adds the demo, subscribers and digests: use a scratch database.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Subscribers inserted per statement.
const INSERT_BATCH: usize = 1000;

/// Builds the digests of `--send` subscribers and delivers them to an SMTP sink in this process,
/// then builds (and builds again) the digests of `--subscribers` for another day.
pub async fn digests(args: DigestsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.subscribers > 0 && args.send <= args.subscribers,
        "--subscribers must be at least 1 and at least --send"
    );
    let temp = std::env::temp_dir().join(format!("yijian-bench-digests-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    let sink = Sink::start()?;
    let mut config = Config::from_env()?;
    config.database = database;
    config.smtp_url = Some(url::Url::parse(&format!("smtp://127.0.0.1:{}", sink.port))?);
    let result = run(config, &args, &sink).await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

async fn run(config: Config, args: &DigestsArgs, sink: &Sink) -> anyhow::Result<()> {
    let c = config.clone();
    let (pool, secret) = tokio::task::spawn_blocking(move || app::prepare_database(&c)).await??;
    let links = Links {
        base_url: config.base_url.clone(),
        secret,
    };
    let existing = db::run(&pool, |conn| {
        Ok(q::count_due(conn, "daily", chrono::NaiveDateTime::MAX)?)
    })
    .await?;
    anyhow::ensure!(
        existing == 0,
        "{}: holds {existing} subscriptions already; use a scratch database",
        config.database.redacted()
    );
    let now = chrono::Utc::now().naive_utc();
    let comments = args.comments;
    let demo = db::run(&pool, move |conn| {
        seed::demo(conn, now).map_err(|e| db::DbError::Migration(e.to_string()))?;
        seed::comments::generate(
            conn,
            comments,
            seed::comments::Target::Everywhere,
            now,
            &mut |_| {},
        )
        .map_err(|e| db::DbError::Migration(e.to_string()))?;
        db::consultations::by_slug(conn, seed::DEMO_SLUG)?
            .ok_or_else(|| db::DbError::Migration("the demo is missing".into()))
    })
    .await?;
    // Days of the window: every subscriber has news on each (new comments, the opening).
    let first_day = Period::containing(Frequency::Daily, demo.opens_at);
    let second_day = Period::containing(Frequency::Daily, first_day.end);
    let confirmed = demo.opens_at - Duration::days(1);

    println!(
        "yijian bench digests — {} subscribers, {}, {} demo comments over the week",
        args.subscribers,
        config.database.redacted(),
        args.comments
    );
    // Delivery first, while the outbox holds only those digests.
    add_subscribers(&pool, &links, &demo, 0, args.send, confirmed).await?;
    let (built, secs) = build(&pool, &links, &first_day, false).await?;
    let transport = Transport::from_config(&config)?;
    let started = Instant::now();
    let sent = mail::run_until_empty(&pool, &transport).await?;
    let delivered = started.elapsed().as_secs_f64();
    println!(
        "{}: {} digests built in {secs:.2} s; delivered {} ({} failed) in {delivered:.2} s = {:.0} mails/s, the sink received {}",
        first_day.label,
        built.queued,
        sent.sent,
        sent.failed,
        sent.sent as f64 / delivered.max(f64::EPSILON),
        sink.received.load(Ordering::SeqCst)
    );

    let started = Instant::now();
    add_subscribers(&pool, &links, &demo, args.send, args.subscribers, confirmed).await?;
    println!(
        "added {} more subscribers in {:.2} s",
        args.subscribers - args.send,
        started.elapsed().as_secs_f64()
    );
    let (rendered, secs) = build(&pool, &links, &second_day, true).await?;
    println!(
        "{} dry run: {} digests rendered (nothing queued) in {secs:.2} s",
        second_day.label, rendered.queued
    );
    let (built, secs) = build(&pool, &links, &second_day, false).await?;
    println!(
        "{}: {} subscriptions, {} digests rendered and queued in {secs:.2} s = {:.0} digests/s ({} with nothing to report)",
        second_day.label,
        built.subscriptions,
        built.queued,
        built.queued as f64 / secs.max(f64::EPSILON),
        built.quiet
    );
    let (again, secs) = build(&pool, &links, &second_day, false).await?;
    println!(
        "{} again: {} queued, {} already there, in {secs:.2} s",
        second_day.label, again.queued, again.already
    );
    println!("peak RSS {:.0} MiB", peak_rss_mib().unwrap_or(f64::NAN));
    Ok(())
}

async fn build(
    pool: &DbPool,
    links: &Links,
    period: &Period,
    dry_run: bool,
) -> anyhow::Result<(RunReport, f64)> {
    let (links, period) = (links.clone(), period.clone());
    let started = Instant::now();
    let report = db::run(pool, move |conn| {
        digest::run(
            conn,
            &links,
            &period,
            chrono::Utc::now().naive_utc(),
            dry_run,
            &mut |_, _| {},
        )
    })
    .await?;
    Ok((report, started.elapsed().as_secs_f64()))
}

/// Subscribers `from..to`: four in five follow the whole consultation, the others one article;
/// every other one reads English.
async fn add_subscribers(
    pool: &DbPool,
    links: &Links,
    c: &Consultation,
    from: usize,
    to: usize,
    confirmed: NaiveDateTime,
) -> anyhow::Result<()> {
    let (links, c) = (links.clone(), c.clone());
    db::run(pool, move |conn| {
        let articles = article_ids(conn, &c)?;
        for start in (from..to).step_by(INSERT_BATCH) {
            let end = (start + INSERT_BATCH).min(to);
            let owned: Vec<(String, String, String)> = (start..end)
                .map(|i| {
                    let nonce = format!("{i:064x}");
                    let hash = token_hash(&unsubscribe_token(&links.secret, &nonce));
                    (format!("reader{i}@example.cn"), nonce, hash)
                })
                .collect();
            let rows: Vec<NewSubscriptionRow<'_>> = owned
                .iter()
                .zip(start..end)
                .map(|((email, nonce, hash), i)| NewSubscriptionRow {
                    email,
                    user_id: None,
                    consultation_id: Some(c.id),
                    topic: None,
                    risk_tier: None,
                    article_id: (i % 5 == 4 && !articles.is_empty())
                        .then(|| articles[i % articles.len()]),
                    frequency: "daily",
                    locale: if i % 2 == 0 { "zh-CN" } else { "en" },
                    confirm_hash: None,
                    unsubscribe_nonce: nonce,
                    unsubscribe_hash: hash,
                    created_at: confirmed,
                    confirmed_at: Some(confirmed),
                })
                .collect();
            db::transaction(conn, |conn| {
                Ok::<_, db::DbError>(q::insert_batch(conn, &rows)?)
            })?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

fn article_ids(conn: &mut DbConnection, c: &Consultation) -> Result<Vec<i32>, db::DbError> {
    let Some(version) = c.current_version_id else {
        return Ok(Vec::new());
    };
    Ok(db::drafts::article_heads(conn, version)?
        .into_iter()
        .map(|h| h.id)
        .collect())
}

/// The process's peak resident set (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}
