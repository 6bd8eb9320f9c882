//! Benchmarks run by `yijian bench …`: they print figures, they never pass or fail.

mod clusters;
mod comments;
mod dashboard;
mod digests;
mod export;
mod load;
mod outbox;
mod passwords;
mod search;
mod versions;

use std::time::{Duration, Instant};

use actix_web::web::Bytes;

use crate::app::Application;
use crate::config::{Config, DatabaseUrl};
use crate::db;
use crate::seed;
use crate::web::FixedRoute;

pub use clusters::{ClustersArgs, clusters};
pub use comments::{CommentsArgs, comments};
pub use dashboard::{DashboardArgs, dashboard};
pub use digests::{DigestsArgs, digests};
pub use export::{ExportArgs, export};
pub use load::{LoadArgs, load};
pub use outbox::{OutboxArgs, outbox};
pub use passwords::{PasswordsArgs, passwords};
pub use search::{SearchArgs, search};
pub use versions::{VersionsArgs, versions};

/// Options of `yijian bench pages`.
#[derive(clap::Args, Clone, Debug)]
pub struct PagesArgs {
    /// Seconds to drive each URL.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Article number to serve.
    #[arg(long, default_value_t = 5)]
    pub article: i32,
    /// Generated demo comments (replies included) to add to that article before measuring, as
    /// `yijian seed-demo --comments` makes them.
    #[arg(long, default_value_t = 50)]
    pub comments: usize,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Figures from driving one URL.
#[derive(Clone, Debug)]
pub struct Rate {
    /// Successful responses.
    pub ok: u64,
    /// Failed requests or non-200 answers.
    pub errors: u64,
    /// Responses per second.
    pub per_second: f64,
    /// 50th percentile latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
}

const STATIC_PATH: &str = "/__bench/static";

/// Serves the demo's article page and a static body of the same size from one server, drives
/// both in turn over loopback and prints their rates and the ratio.
pub async fn pages(args: PagesArgs) -> anyhow::Result<()> {
    let temp = std::env::temp_dir().join(format!("yijian-bench-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    let mut config = Config::from_env()?;
    config.database = database.clone();
    config.bind = "127.0.0.1:0".parse()?;

    let result = run_pages(config, &args).await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

async fn run_pages(config: Config, args: &PagesArgs) -> anyhow::Result<()> {
    let article_path = format!("/c/{}/a/{}", seed::DEMO_SLUG, args.article);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;

    // First pass: seed and measure the article page's size.
    let probe = Application::build(config.clone(), 1).await?;
    seed_article(probe.pool(), args.article, args.comments).await?;
    let (size, shown) = measure_page(probe, &client, &article_path).await?;

    // Second pass: the same server with a static body of that size beside it.
    let fixed = FixedRoute {
        path: STATIC_PATH,
        body: Bytes::from(vec![b'x'; size]),
    };
    let app = Application::build_with(config, 1, Some(fixed)).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());

    let duration = Duration::from_secs(args.seconds);
    // Warm up both paths so neither pays for first connections.
    drive(
        &client,
        &format!("{base}{article_path}"),
        args.connections,
        Duration::from_millis(500),
    )
    .await;
    drive(
        &client,
        &format!("{base}{STATIC_PATH}"),
        args.connections,
        Duration::from_millis(500),
    )
    .await;
    let article = drive(
        &client,
        &format!("{base}{article_path}"),
        args.connections,
        duration,
    )
    .await;
    let fixed = drive(
        &client,
        &format!("{base}{STATIC_PATH}"),
        args.connections,
        duration,
    )
    .await;
    handle.stop(true).await;

    println!(
        "yijian bench pages — 1 server worker, {} connections, {} s per URL, body {size} bytes, \
         {shown} comments on the article page",
        args.connections, args.seconds
    );
    println!(
        "{:<28} {:>10} {:>8} {:>10} {:>10}",
        "url", "req/s", "errors", "p50 ms", "p99 ms"
    );
    for (name, r) in [(article_path.as_str(), &article), (STATIC_PATH, &fixed)] {
        println!(
            "{:<28} {:>10.0} {:>8} {:>10.2} {:>10.2}",
            name,
            r.per_second,
            r.errors,
            r.p50.as_secs_f64() * 1000.0,
            r.p99.as_secs_f64() * 1000.0
        );
    }
    let ratio = if fixed.per_second > 0.0 {
        article.per_second / fixed.per_second
    } else {
        0.0
    };
    println!("ratio article/static: {ratio:.2} (target ≥ 0.60)");
    Ok(())
}

/// Creates the demo unless it exists and adds `comments` generated comments (replies included) to
/// its article `article`, as `yijian seed-demo --comments` makes them.
pub(crate) async fn seed_article(
    pool: &db::DbPool,
    article: i32,
    comments: usize,
) -> anyhow::Result<()> {
    db::run(pool, move |conn| {
        let now = chrono::Utc::now().naive_utc();
        seed::demo(conn, now).map_err(|e| db::DbError::Migration(e.to_string()))?;
        seed::comments::generate(
            conn,
            comments,
            seed::comments::Target::Article(article),
            now,
            &mut |_| {},
        )
        .map_err(|e| db::DbError::Migration(e.to_string()))
    })
    .await?;
    Ok(())
}

/// Runs `app` until it has answered one GET of `path`, then stops it; returns the body's size and
/// the number of comments it shows. A static body of that size is then served beside the page.
pub(crate) async fn measure_page(
    app: Application,
    client: &reqwest::Client,
    path: &str,
) -> anyhow::Result<(usize, usize)> {
    let url = format!("http://127.0.0.1:{}{path}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    let measured = async {
        let page = client.get(url).send().await?;
        anyhow::ensure!(
            page.status().is_success(),
            "article page answered {}",
            page.status()
        );
        let body = page.bytes().await?;
        let shown = String::from_utf8_lossy(&body)
            .matches("class=\"comment depth-")
            .count();
        Ok((body.len(), shown))
    }
    .await;
    handle.stop(true).await;
    measured
}

/// Sends GETs to `url` from `connections` concurrent loops for `duration`.
pub async fn drive(
    client: &reqwest::Client,
    url: &str,
    connections: usize,
    duration: Duration,
) -> Rate {
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let client = client.clone();
        let url = url.to_owned();
        tasks.push(actix_web::rt::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(resp) if resp.status().is_success() => resp.bytes().await.is_ok(),
                    _ => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.extend(l);
            errors += e;
        } else {
            errors += 1;
        }
    }
    Rate::of(latencies, errors, started.elapsed())
}

impl Rate {
    /// The figures of `latencies` (one per success) and `errors` over `elapsed`.
    pub fn of(mut latencies: Vec<Duration>, errors: u64, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        let pct = |p: f64| {
            latencies
                .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Self {
            ok: latencies.len() as u64,
            errors,
            per_second: latencies.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
            p50: pct(0.50),
            p99: pct(0.99),
        }
    }
}
