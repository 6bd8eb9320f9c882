//! `yijian bench comments`: comments recorded per second when they are POSTed over loopback as a
//! browser sends them — session, CSRF token, validation, rate limit, the insert and the queued
//! receipt in one transaction, the redirect.
//!
//! Every account may post [`COMMENT_RATE`]`.limit` comments per window, and the bench keeps to
//! that limit rather than loosening it: it creates enough accounts (with sessions written
//! directly, not through argon2 log-ins) for each connection to move on to a fresh one before
//! reaching it. The production policy has no switch to turn off.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use reqwest::header::{CONTENT_TYPE, COOKIE};

use super::Rate;
use super::outbox::Sink;
use crate::accounts::{StakeholderType, Token};
use crate::app::Application;
use crate::comments::{COMMENT_RATE, Stance};
use crate::config::{Config, DatabaseUrl};
use crate::db::accounts::NewUserRow;
use crate::db::{self, DbConnection, DbError};
use crate::i18n::Locale;
use crate::seed;
use crate::web::session::{CSRF_COOKIE, SESSION_COOKIE};

/// Options of `yijian bench comments`.
#[derive(clap::Args, Clone, Debug)]
pub struct CommentsArgs {
    /// Seconds to post for.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent keep-alive connections, each posting as accounts of its own.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Server worker threads.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    /// Use a scratch database: the bench adds accounts and comments, and its outbox must hold no
    /// unsent mail, which the bench would deliver to its sink.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// The rate the accounts are provisioned for, far above what a small machine reaches, so that no
/// account comes near its limit during the run.
const PROVISIONED_PER_SECOND: u64 = 5000;

/// The stored password hash of the bench's accounts: unusable, nobody logs in as one.
const BENCH_PASSWORD_HASH: &str = "!bench";

/// What one connection saw.
#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    /// Answers other than the expected redirect, by status.
    statuses: BTreeMap<u16, u64>,
    /// Requests that got no answer.
    failures: u64,
    /// The connection used up its accounts before the time was up.
    exhausted: bool,
}

/// Starts the server in this process with the demo, creates the accounts, POSTs comments from
/// `--connections` loops for `--seconds`, and prints the rate and the receipts queued.
pub async fn comments(args: CommentsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.seconds > 0 && args.connections > 0 && args.workers > 0,
        "--seconds, --connections and --workers must be at least 1"
    );
    let temp =
        std::env::temp_dir().join(format!("yijian-bench-comments-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    // Receipts go to an SMTP server in this process, as they would to a relay.
    let sink = Sink::start()?;
    let mut config = Config::from_env()?;
    config.database = database;
    config.bind = "127.0.0.1:0".parse()?;
    config.smtp_url = Some(url::Url::parse(&format!("smtp://127.0.0.1:{}", sink.port))?);

    let result = run(config, &args, &sink).await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

async fn run(config: Config, args: &CommentsArgs, sink: &Sink) -> anyhow::Result<()> {
    let described = config.database.redacted();
    let app = Application::build(config, args.workers).await?;
    let pool = app.pool().clone();
    let limit = usize::try_from(COMMENT_RATE.limit)?;
    let per_connection = usize::try_from(args.seconds * PROVISIONED_PER_SECOND)?
        .div_ceil(args.connections)
        .div_ceil(limit);
    let accounts = per_connection * args.connections;
    let prepared = Instant::now();
    let (articles, sessions, receipts_before) = db::run(&pool, move |conn| {
        let unsent = db::outbox::count_unsent(conn)?;
        if unsent > 0 {
            return Ok(Err(unsent));
        }
        let now = chrono::Utc::now().naive_utc();
        seed::demo(conn, now).map_err(|e| DbError::Migration(e.to_string()))?;
        let demo = db::consultations::by_slug(conn, seed::DEMO_SLUG)?
            .and_then(|c| c.current_version_id)
            .ok_or_else(|| DbError::Migration("the demo has no text".into()))?;
        let articles: Vec<i32> = db::drafts::article_heads(conn, demo)?
            .into_iter()
            .map(|a| a.number)
            .collect();
        let sessions = create_accounts(conn, accounts, now)?;
        let receipts = db::outbox::count_keyed(conn, "receipt:")?;
        Ok(Ok((articles, sessions, receipts)))
    })
    .await?
    .map_err(|unsent| {
        anyhow::anyhow!(
            "{described}: the outbox holds {unsent} unsent mails that the bench would deliver to \
             its sink; use a scratch database"
        )
    })?;
    let prepared = prepared.elapsed();
    anyhow::ensure!(!articles.is_empty(), "the demo has no articles");

    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::with_capacity(args.connections);
    for (c, mine) in sessions.chunks(per_connection).enumerate() {
        let job = Poster {
            client: client.clone(),
            base: base.clone(),
            articles: articles.clone(),
            sessions: mine.to_vec(),
            csrf: Token::generate().plain,
            connection: c,
            limit,
        };
        tasks.push(actix_web::rt::spawn(job.run(deadline)));
    }
    let mut total = Outcome::default();
    let mut exhausted = 0;
    for task in tasks {
        match task.await {
            Ok(o) => {
                total.latencies.extend(o.latencies);
                for (status, n) in o.statuses {
                    *total.statuses.entry(status).or_default() += n;
                }
                total.failures += o.failures;
                exhausted += usize::from(o.exhausted);
            }
            Err(_) => total.failures += 1,
        }
    }
    let elapsed = started.elapsed();
    handle.stop(true).await;
    let delivered = sink.received.load(std::sync::atomic::Ordering::SeqCst);
    let receipts = db::run(&pool, |conn| Ok(db::outbox::count_keyed(conn, "receipt:")?)).await?
        - receipts_before;

    let errors = total.statuses.values().sum::<u64>() + total.failures;
    let rate = Rate::of(total.latencies, errors, elapsed);
    println!(
        "yijian bench comments — {described}, {} server worker(s), {} connections, {} s, \
         {accounts} accounts with sessions (created in {:.2} s)",
        args.workers,
        args.connections,
        args.seconds,
        prepared.as_secs_f64()
    );
    println!(
        "{:<10} {:>8} {:>10} {:>8} {:>10} {:>10}",
        "", "posted", "posts/s", "errors", "p50 ms", "p99 ms"
    );
    println!(
        "{:<10} {:>8} {:>10.0} {:>8} {:>10.2} {:>10.2}",
        "comments",
        rate.ok,
        rate.per_second,
        rate.errors,
        rate.p50.as_secs_f64() * 1000.0,
        rate.p99.as_secs_f64() * 1000.0
    );
    if !total.statuses.is_empty() || total.failures > 0 {
        let answers: Vec<String> = total
            .statuses
            .iter()
            .map(|(s, n)| format!("{s} × {n}"))
            .collect();
        println!(
            "other answers: {}; no answer: {}",
            answers.join(", "),
            total.failures
        );
    }
    if exhausted > 0 {
        println!(
            "{exhausted} connection(s) used up their accounts before the end: the rate is \
             understated; raise PROVISIONED_PER_SECOND"
        );
    }
    let check = if u64::try_from(receipts).ok() == Some(rate.ok) {
        "= successful posts"
    } else {
        "≠ successful posts: MISMATCH"
    };
    println!(
        "receipts queued in the outbox: {receipts} ({check}); delivered to the SMTP sink meanwhile: {delivered}"
    );
    Ok(())
}

/// Creates `count` verified accounts with a session each; returns the session cookies.
pub(super) fn create_accounts(
    conn: &mut DbConnection,
    count: usize,
    now: NaiveDateTime,
) -> Result<Vec<String>, DbError> {
    // Addresses differ between runs, so a scratch database can be benched again.
    let run = now.and_utc().timestamp_micros();
    db::transaction(conn, |conn| {
        (0..count)
            .map(|i| {
                let id = db::accounts::insert_user(
                    conn,
                    &NewUserRow {
                        email: &format!("bench-{run}-{i}@bench.invalid"),
                        display_name: &format!("压测用户{i}"),
                        password_hash: BENCH_PASSWORD_HASH,
                        stakeholder_type: StakeholderType::Citizen.as_str(),
                        locale: Locale::ZhCn.tag(),
                        is_admin: false,
                        created_at: now,
                    },
                )?;
                db::accounts::mark_verified(conn, id, now)?;
                let token = Token::generate();
                db::accounts::insert_session(
                    conn,
                    id,
                    &token.hash,
                    now,
                    now + chrono::Duration::days(1),
                )?;
                Ok(token.plain)
            })
            .collect()
    })
}

/// One keep-alive connection posting as its own accounts, each up to its limit.
struct Poster {
    client: reqwest::Client,
    base: String,
    articles: Vec<i32>,
    sessions: Vec<String>,
    csrf: String,
    connection: usize,
    limit: usize,
}

impl Poster {
    async fn run(self, deadline: Instant) -> Outcome {
        let mut out = Outcome::default();
        let mut k = 0;
        while Instant::now() < deadline {
            let Some(session) = self.sessions.get(k / self.limit) else {
                out.exhausted = true;
                break;
            };
            let article = self.articles[(k + self.connection) % self.articles.len()];
            let stance = Stance::ALL[k % Stance::ALL.len()];
            // Distinct bodies: the same text twice by one account would be refused as a duplicate.
            let body = format!(
                "压测意见 {}-{k}：建议第{article}条写明适用范围和办理期限。",
                self.connection
            );
            let form = serde_urlencoded::to_string([
                ("csrf", self.csrf.as_str()),
                ("stance", stance.as_str()),
                ("body", body.as_str()),
                ("proposed_text", ""),
                ("visibility", "named"),
            ])
            .unwrap_or_default();
            let t = Instant::now();
            let sent = self
                .client
                .post(format!(
                    "{}/c/{}/a/{article}/comments",
                    self.base,
                    seed::DEMO_SLUG
                ))
                .header(
                    COOKIE,
                    format!("{SESSION_COOKIE}={session}; {CSRF_COOKIE}={}", self.csrf),
                )
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await;
            match sent {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let _ = resp.bytes().await;
                    if status == 303 {
                        out.latencies.push(t.elapsed());
                    } else {
                        *out.statuses.entry(status).or_default() += 1;
                    }
                }
                Err(_) => out.failures += 1,
            }
            k += 1;
        }
        out
    }
}
