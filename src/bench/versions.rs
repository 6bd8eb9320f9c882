//! `yijian bench versions`: matching a revised draft against the previous version and diffing
//! every changed article, as publishing and the "what changed" page do.

use std::time::{Duration, Instant};

use crate::comments::diff;
use crate::versions::{ArticleText, Change, match_articles};

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

/// Builds the two versions, then times the matching and the diffs of the changed articles.
pub fn versions(args: VersionsArgs) -> anyhow::Result<()> {
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
    Ok(())
}
