//! `yijian bench versions`: matching a revised draft against the previous version and diffing
//! every changed article, as publishing and the "what changed" page do; then the same two
//! versions published in a fresh SQLite database and the "what changed" page fetched over HTTP.

use std::time::{Duration, Instant};

use chrono::Duration as Days;

use crate::app::Application;
use crate::comments::diff;
use crate::config::{Config, DatabaseUrl};
use crate::consultations::{RiskTier, Slug};
use crate::db::DbError;
use crate::drafts::import::chinese_numeral;
use crate::drafts::{self, NewConsultation};
use crate::versions::{self, ArticleText, Change, match_articles};

/// Options of `yijian bench versions`.
#[derive(clap::Args, Clone, Debug)]
pub struct VersionsArgs {
    /// Articles in the previous version.
    #[arg(long, default_value_t = 1000)]
    pub articles: usize,
    /// Articles the revision changes: a third edited, a third inserted, a third deleted.
    #[arg(long, default_value_t = 100)]
    pub changed: usize,
    /// Times the matching runs; the median is printed.
    #[arg(long, default_value_t = 5)]
    pub rounds: u32,
}

/// A deterministic generator, so every run measures the same texts.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A Chinese sentence of `len` characters drawn from 500 common-range ideographs.
    fn sentence(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_u32(0x4e00 + (self.next() % 500) as u32).unwrap_or('的'))
            .chain(std::iter::once('。'))
            .collect()
    }
}

/// Builds the two versions, then times the matching and the diffs of the changed articles, and
/// the published change page.
pub async fn versions(args: VersionsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.rounds > 0, "--rounds must be at least 1");
    anyhow::ensure!(
        args.changed <= args.articles,
        "--changed cannot exceed --articles"
    );
    let mut rng = Lcg(7);
    let old_bodies: Vec<String> = (0..args.articles).map(|_| rng.sentence(80)).collect();
    let third = args.changed / 3;
    let step = (args.articles / args.changed.max(1)).max(1);
    let mut new_bodies = Vec::with_capacity(args.articles + third);
    let (mut edited, mut inserted, mut deleted) = (0, 0, 0);
    for (i, body) in old_bodies.iter().enumerate() {
        if i % step != 0 || edited + inserted + deleted >= args.changed {
            new_bodies.push(body.clone());
            continue;
        }
        match (i / step) % 3 {
            0 if edited < third => {
                let mut chars: Vec<char> = body.chars().collect();
                for c in chars.iter_mut().skip(20).take(8) {
                    *c = '修';
                }
                new_bodies.push(chars.into_iter().collect());
                edited += 1;
            }
            1 if inserted < third => {
                new_bodies.push(rng.sentence(80));
                new_bodies.push(body.clone());
                inserted += 1;
            }
            _ => deleted += 1,
        }
    }
    let old: Vec<ArticleText> = old_bodies
        .iter()
        .enumerate()
        .map(|(i, b)| ArticleText::new(i as i32 + 1, [b.as_str()]))
        .collect();
    let new: Vec<ArticleText> = new_bodies
        .iter()
        .enumerate()
        .map(|(i, b)| ArticleText::new(i as i32 + 1, [b.as_str()]))
        .collect();

    let mut times: Vec<Duration> = Vec::new();
    let mut pairs = Vec::new();
    for _ in 0..args.rounds {
        let start = Instant::now();
        pairs = match_articles(&old, &new);
        times.push(start.elapsed());
    }
    times.sort();
    let start = Instant::now();
    let mut segments = 0usize;
    for p in pairs.iter().filter(|p| p.change != Change::Unchanged) {
        let before = p.old.map_or("", |i| old[i].body.as_str());
        let after = p.new.map_or("", |j| new[j].body.as_str());
        segments += diff::compare(before, after).len();
    }
    let diffing = start.elapsed();
    let count = |f: fn(&Change) -> bool| pairs.iter().filter(|p| f(&p.change)).count();
    println!(
        "versions: {} → {} articles ({edited} edited, {inserted} inserted, {deleted} deleted)",
        old.len(),
        new.len()
    );
    println!(
        "  matched: {} unchanged, {} edited, {} renumbered, {} inserted, {} deleted",
        count(|c| *c == Change::Unchanged),
        count(|c| *c == Change::Edited),
        count(|c| matches!(c, Change::Renumbered { .. })),
        count(|c| *c == Change::Inserted),
        count(|c| *c == Change::Deleted),
    );
    println!(
        "  matching: {:.1} ms (median of {})",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        args.rounds
    );
    println!(
        "  diffs of the changed articles: {:.1} ms ({segments} segments)",
        diffing.as_secs_f64() * 1000.0
    );
    let temp =
        std::env::temp_dir().join(format!("yijian-bench-versions-{}.db", std::process::id()));
    let result = change_page(&temp, &old_bodies, &new_bodies, args.rounds).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
    }
    result
}

/// A draft text with one article per body, numbered in Chinese as the importer expects.
fn draft_text(title: &str, bodies: &[String]) -> anyhow::Result<String> {
    let mut text = format!("{title}\n\n");
    for (i, body) in bodies.iter().enumerate() {
        let n = chinese_numeral(i as i32 + 1)
            .ok_or_else(|| anyhow::anyhow!("too many articles for Chinese numbering"))?;
        text.push_str(&format!("第{n}条　{body}\n"));
    }
    Ok(text)
}

/// Publishes both versions in a fresh SQLite file and times `/c/bench/versions/2/changes`.
async fn change_page(
    file: &std::path::Path,
    old: &[String],
    new: &[String],
    rounds: u32,
) -> anyhow::Result<()> {
    let mut config = Config::from_env()?;
    config.database = DatabaseUrl::Sqlite(file.to_owned());
    config.bind = "127.0.0.1:0".parse()?;
    let (pool, _) = crate::app::prepare_database(&config)?;
    let (v1, v2) = (
        draft_text("基准测试条例", old)?,
        draft_text("基准测试条例（修改稿）", new)?,
    );
    let published = tokio::task::spawn_blocking(move || -> anyhow::Result<Duration> {
        let mut conn = pool.get().map_err(DbError::from)?;
        let now = chrono::Utc::now().naive_utc();
        let meta = NewConsultation {
            slug: Slug::parse("bench").map_err(|e| anyhow::anyhow!("{e}"))?,
            title: None,
            title_en: None,
            issuer: "基准测试".into(),
            issuer_en: None,
            summary: String::new(),
            summary_en: None,
            risk_tier: RiskTier::Low,
            topics: Vec::new(),
            is_demo: false,
            opens_at: now - Days::days(1),
            closes_at: now + Days::days(30),
        };
        drafts::import_new_consultation(&mut conn, v1.as_bytes(), "v1.txt", &meta, now)?;
        let c = crate::db::consultations::by_slug(&mut conn, "bench")?
            .ok_or_else(|| anyhow::anyhow!("the bench consultation is missing"))?;
        let start = Instant::now();
        versions::publish(
            &mut conn,
            &c,
            v2.as_bytes(),
            "v2.txt",
            &Default::default(),
            now,
        )?;
        Ok(start.elapsed())
    })
    .await??;
    let app = Application::build(config, 1).await?;
    let url = format!("http://127.0.0.1:{}/c/bench/versions/2/changes", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    let mut size = 0;
    for view in ["", "?view=side"] {
        let mut these = Vec::new();
        for _ in 0..rounds {
            let start = Instant::now();
            let resp = client.get(format!("{url}{view}")).send().await?;
            anyhow::ensure!(resp.status().is_success(), "{url}{view}: {}", resp.status());
            size = resp.bytes().await?.len();
            these.push(start.elapsed());
        }
        these.sort();
        times.push((view, these[these.len() / 2], size));
    }
    println!(
        "  publishing version 2 (match, import, keys, search index, record): {:.1} ms",
        published.as_secs_f64() * 1000.0
    );
    for (view, time, size) in times {
        println!(
            "  GET /c/bench/versions/2/changes{view}: {:.1} ms (median of {rounds}), {} KiB",
            time.as_secs_f64() * 1000.0,
            size / 1024
        );
    }
    Ok(())
}
