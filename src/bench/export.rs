//! `yijian bench export`: the drafters' exports of the demo consultation with many comments, timed
//! and with the process's peak memory, to show that it does not grow with the comments.

use std::io::Write;
use std::time::Instant;

use crate::config::{Config, DatabaseUrl};
use crate::exports::{self, Encoder, Format, PAGE_SIZE};
use crate::{db, seed};

/// Options of `yijian bench export`.
#[derive(clap::Args, Clone, Debug)]
pub struct ExportArgs {
    /// Comments the demo consultation must hold (replies included); generated when it has fewer,
    /// reused when it has as many.
    #[arg(long, default_value_t = 100_000)]
    pub comments: usize,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Counts what is written and throws it away, as a client would take it off the socket.
#[derive(Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0 += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A line of `/proc/self/status` in MiB (Linux; NaN elsewhere).
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak resident set to the current one, so the next peak is the export's own
/// (Linux ≥ 4.0; elsewhere the peak includes the seeding).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Seeds the demo to `--comments` comments, then exports them as CSV, JSON and XLSX.
pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    let temp = std::env::temp_dir().join(format!("yijian-bench-export-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    let mut config = Config::from_env()?;
    config.database = database;
    let result = run(&config, &args);
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

fn run(config: &Config, args: &ExportArgs) -> anyhow::Result<()> {
    let (pool, _) = crate::app::prepare_database(config)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let total = super::dashboard::seed_to(&mut conn, args.comments)?;
    let demo = db::consultations::by_slug(&mut conn, seed::DEMO_SLUG)?
        .ok_or_else(|| anyhow::anyhow!("the demo consultation is missing"))?;
    println!("exporting {total} comments, {PAGE_SIZE} per query");
    for (name, format) in [
        ("csv", Some(Format::Csv)),
        ("json", Some(Format::Json)),
        ("xlsx", None),
    ] {
        reset_peak();
        let before = status_mib("VmRSS:");
        let started = Instant::now();
        let mut out = Counter::default();
        match format {
            Some(format) => {
                let mut encoder = Encoder::new(format);
                out.write_all(&encoder.start()?)?;
                let mut failed = None;
                exports::each_page(&mut conn, demo.id, PAGE_SIZE, |records| {
                    match encoder.page(&records) {
                        Ok(bytes) => out.0 += bytes.len() as u64,
                        Err(e) => failed = Some(e),
                    }
                    failed.is_none()
                })?;
                if let Some(e) = failed {
                    return Err(e.into());
                }
                out.write_all(&encoder.finish())?;
            }
            None => exports::write_xlsx(&mut conn, demo.id, PAGE_SIZE, &mut out)?,
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name:5} {:8.1} MB in {secs:6.2} s ({:7.0} comments/s); RSS before {before:.0} MiB, peak during {:.0} MiB",
            out.0 as f64 / 1e6,
            total as f64 / secs,
            status_mib("VmHWM:"),
        );
    }
    Ok(())
}
