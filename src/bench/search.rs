//! `yijian bench search`: what indexing a large draft costs, what one search costs, and the
//! database's plan for the search query.

use std::time::{Duration, Instant};

use chrono::Duration as Days;

use crate::app;
use crate::config::{Config, DatabaseUrl};
use crate::consultations::{RiskTier, Slug};
use crate::db::{self, DbConnection};
use crate::drafts::{self, NewConsultation};
use crate::i18n::Locale;
use crate::reading;
use crate::search::{self, SearchQuery};
use crate::seed;

/// Options of `yijian bench search`.
#[derive(clap::Args, Clone, Debug)]
pub struct SearchArgs {
    /// Articles in the generated draft (their texts are the demo's, over and over).
    #[arg(long, default_value_t = 1000)]
    pub articles: usize,
    /// Times each query is run.
    #[arg(long, default_value_t = 200)]
    pub rounds: u32,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    /// The bench adds the demo and a consultation `bench-search`: use a scratch database.
    #[arg(long)]
    pub database_url: Option<String>,
}

const BENCH_SLUG: &str = "bench-search";

/// The queries timed: words of two characters, several words, one character, English.
const QUERIES: [&str; 5] = ["算法", "数据 安全", "罚", "风险评估", "provider"];

/// Imports a generated draft of `--articles` articles, timing the import and the indexing in it,
/// then times each of a few queries `--rounds` times and prints the plan of one.
pub async fn search(args: SearchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.articles > 0 && args.rounds > 0,
        "--articles and --rounds must be at least 1"
    );
    let temp = std::env::temp_dir().join(format!("yijian-bench-search-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    let scratch_file = args.database_url.is_none();
    let mut config = Config::from_env()?;
    config.database = database;
    let result = tokio::task::spawn_blocking(move || run(&config, &args)).await?;
    if scratch_file {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

/// A draft of `n` articles whose bodies cycle through the demo's.
fn big_draft(conn: &mut DbConnection, n: usize) -> anyhow::Result<String> {
    let demo = reading::full_text(conn, seed::DEMO_SLUG, Locale::ZhCn)?
        .ok_or_else(|| anyhow::anyhow!("the demo consultation has no text"))?;
    let bodies: Vec<String> = demo
        .sections
        .into_iter()
        .flat_map(|s| s.articles)
        .map(|a| a.body)
        .collect();
    let mut text = String::from("检索性能测试草案（征求意见稿）\n");
    for (i, body) in bodies.iter().cycle().take(n).enumerate() {
        if i % 50 == 0 {
            text.push_str(&format!("第{}章　第{}部分\n", i / 50 + 1, i / 50 + 1));
        }
        text.push_str(&format!("第{}条　{body}\n", i + 1));
    }
    Ok(text)
}

fn run(config: &Config, args: &SearchArgs) -> anyhow::Result<()> {
    let (pool, _) = app::prepare_database(config)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let now = chrono::Utc::now().naive_utc();
    seed::demo(&mut conn, now)?;
    anyhow::ensure!(
        db::consultations::by_slug(&mut conn, BENCH_SLUG)?.is_none(),
        "{}: a consultation '{BENCH_SLUG}' exists already; use a scratch database",
        config.database.redacted()
    );
    let text = big_draft(&mut conn, args.articles)?;
    let meta = NewConsultation {
        slug: Slug::parse(BENCH_SLUG).map_err(|e| anyhow::anyhow!("{e}"))?,
        title: None,
        title_en: None,
        issuer: "bench".into(),
        issuer_en: None,
        summary: String::new(),
        summary_en: None,
        risk_tier: RiskTier::Low,
        topics: Vec::new(),
        is_demo: false,
        opens_at: now,
        closes_at: now + Days::days(1),
    };
    let started = Instant::now();
    let summary =
        drafts::import_new_consultation(&mut conn, text.as_bytes(), "bench.txt", &meta, now)?;
    let import = started.elapsed();
    let version_id = db::consultations::by_slug(&mut conn, BENCH_SLUG)?
        .and_then(|c| c.current_version_id)
        .ok_or_else(|| anyhow::anyhow!("the bench draft has no version"))?;
    let started = Instant::now();
    db::transaction(&mut conn, |conn| search::index_version(conn, version_id))?;
    let reindex = started.elapsed();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "yijian bench search — {} ({}), {} articles, {} rounds per query",
        match config.database {
            DatabaseUrl::Sqlite(_) => "SQLite",
            DatabaseUrl::Postgres(_) => "PostgreSQL",
        },
        config.database.redacted(),
        summary.articles,
        args.rounds
    );
    println!(
        "import with indexing {:>9.1} ms    indexing alone (again) {:>9.1} ms",
        ms(import),
        ms(reindex)
    );
    println!(
        "{:<14} {:>6} {:>10} {:>10}",
        "query", "hits", "mean ms", "p99 ms"
    );
    for text in QUERIES {
        let query = SearchQuery::parse(text)?;
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..args.rounds {
            let started = Instant::now();
            let found = search::search(&mut conn, &query, Locale::ZhCn, search::MAX_HITS)?;
            times.push(started.elapsed());
            hits = found.hits;
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / args.rounds;
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        println!(
            "{:<14} {:>6} {:>10.2} {:>10.2}",
            text,
            hits,
            ms(mean),
            ms(p99)
        );
    }
    let query = SearchQuery::parse(QUERIES[1])?;
    println!("plan of '{}':", QUERIES[1]);
    for line in search::plan(&mut conn, &query, Locale::ZhCn)? {
        println!("  {line}");
    }
    Ok(())
}
