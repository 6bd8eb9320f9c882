//! `yijian bench clusters`: clustering a consultation of a million comments into campaigns from
//! scratch, then again after a thousand more arrive, with the time of each phase.

use std::time::Instant;

use crate::app;
use crate::campaigns::{self, Clustered};
use crate::config::{Config, DatabaseUrl};
use crate::db::{self, DbError};
use crate::seed;

/// Options of `yijian bench clusters`.
#[derive(clap::Args, Clone, Debug)]
pub struct ClustersArgs {
    /// Comments the demo consultation must hold; generated as `yijian seed-demo --comments` makes
    /// them when it holds fewer.
    #[arg(long, default_value_t = 1_000_000)]
    pub comments: usize,
    /// Comments added before the second, incremental run.
    #[arg(long, default_value_t = 1000)]
    pub added: usize,
    /// Database to use (default: a SQLite file in the temp directory, kept so that the next run
    /// reuses its comments). The bench adds the demo and comments: use a scratch database.
    #[arg(long)]
    pub database_url: Option<String>,
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// The highest resident memory of this process so far, in MiB (Linux; 0 elsewhere).
fn peak_memory_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn print_run(name: &str, c: &Clustered, total: f64) {
    println!(
        "{name:<12} {:>9} {:>9} {:>10} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
        c.comments,
        c.clusters,
        c.clustered,
        c.read.as_secs_f64(),
        c.compute.as_secs_f64(),
        c.write.as_secs_f64(),
        total
    );
}

/// Fills the demo consultation to `--comments`, clusters it from scratch, adds `--added` comments
/// and clusters again; prints both runs.
pub fn clusters(args: ClustersArgs) -> anyhow::Result<()> {
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(std::env::temp_dir().join("yijian-bench-clusters.db")),
    };
    let mut config = Config::from_env()?;
    config.database = database.clone();
    let (pool, _) = app::prepare_database(&config)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    seed::demo(&mut conn, now())?;
    let demo = db::consultations::by_slug(&mut conn, seed::DEMO_SLUG)?
        .ok_or_else(|| anyhow::anyhow!("the demo consultation is missing"))?;
    let have = db::campaigns::comment_stats(&mut conn)?
        .into_iter()
        .find(|(c, _, _)| *c == demo.id)
        .map_or(0, |(_, _, n)| n as usize);
    if have < args.comments {
        let missing = args.comments - have;
        println!("generating {missing} demo comments (once; a later run reuses them)…");
        let started = Instant::now();
        let mut done = 0;
        seed::comments::generate(
            &mut conn,
            missing,
            seed::comments::Target::Everywhere,
            now(),
            &mut |n| {
                done += n;
                if done % 100_000 < n {
                    println!("  {done} ({:.0} s)", started.elapsed().as_secs_f64());
                }
            },
        )?;
    }
    db::campaigns::clear(&mut conn, demo.id)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    let started = Instant::now();
    let first = campaigns::cluster_pending(&mut conn, now())?;
    let first_secs = started.elapsed().as_secs_f64();
    let largest = campaigns::summaries(&mut conn, demo.id, 1)?
        .first()
        .map_or(0, |c| c.size);

    seed::comments::generate(
        &mut conn,
        args.added,
        seed::comments::Target::Everywhere,
        now(),
        &mut |_| {},
    )?;
    let started = Instant::now();
    let second = campaigns::cluster_pending(&mut conn, now())?;
    let second_secs = started.elapsed().as_secs_f64();

    println!(
        "yijian bench clusters — {} on {}, {threads} cores, signatures of {} × 16 bits, {} bands, threshold {}",
        seed::DEMO_SLUG,
        database.redacted(),
        campaigns::minhash::HASHES,
        campaigns::minhash::BANDS,
        campaigns::minhash::THRESHOLD
    );
    println!(
        "{:<12} {:>9} {:>9} {:>10} {:>8} {:>8} {:>8} {:>8}",
        "run", "comments", "clusters", "clustered", "read s", "cpu s", "write s", "total s"
    );
    print_run("from scratch", &first.totals, first_secs);
    print_run(&format!("+{}", args.added), &second.totals, second_secs);
    println!(
        "largest cluster: {largest} comments; peak memory {} MiB",
        peak_memory_mib()
    );
    Ok(())
}
