//! `yijian bench load`: the server driven by wrk over loopback, as issue 8 ("Load") asks — an
//! article page with 50 comments against a static body of the same size from the same server,
//! comment POSTs with their receipts, and a soak at 256 connections watching errors and the
//! server's memory.
//!
//! wrk runs as a separate process with a Lua script written by this module; the script's `done()`
//! hook prints one machine-readable line (`yijian-wrk key=value …`) that [`WrkRun::parse`] reads,
//! so no figure is scraped from wrk's human-readable report.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;

use super::comments::create_accounts;
use super::outbox::Sink;
use crate::app::Application;
use crate::comments::{COMMENT_RATE, Stance};
use crate::config::{Config, DatabaseUrl};
use crate::db::{self, DbError};
use crate::seed;
use crate::web::FixedRoute;
use crate::web::session::{CSRF_COOKIE, SESSION_COOKIE};

/// Options of `yijian bench load`.
#[derive(clap::Args, Clone, Debug)]
pub struct LoadArgs {
    /// Seconds wrk drives the article page, then the static body, then the comment POSTs.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent keep-alive connections for the article page, the static body and the POSTs.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Seconds of the soak against `yijian serve` in a child process (reads, one request in 100 a
    /// comment POST).
    #[arg(long, default_value_t = 60)]
    pub soak_seconds: u64,
    /// Concurrent connections during the soak.
    #[arg(long, default_value_t = 256)]
    pub soak_connections: usize,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Server worker threads for the in-process server (0: one per core, as `serve` does).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    /// Use a scratch database: the bench adds the demo, 50 comments, accounts and their posts, and
    /// its outbox must hold no unsent mail, which the bench would deliver to its sink.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// The article measured: the demo's 第五条, as `bench pages` measures it.
const ARTICLE: i32 = 5;

/// Generated comments added to that article before measuring.
const COMMENTS: usize = 50;

/// During the soak, one request in this many is a comment POST (while accounts last).
const SOAK_POST_EVERY: u32 = 100;

/// Comment POSTs per second the accounts of the POST phase are provisioned for, far above what a
/// small machine reaches, so that no account comes near its limit (see `bench comments`).
const POSTS_PER_SECOND: u64 = 5000;

/// Comment POSTs per second the accounts of the soak are provisioned for; once they are used up
/// the soak goes on with reads only, and says so.
const SOAK_POSTS_PER_SECOND: u64 = 500;

const STATIC_PATH: &str = "/__bench/static";

/// A request unanswered after this long counts as a timeout, an error (wrk's default).
const TIMEOUT: Duration = Duration::from_secs(2);

/// Issue 8's target for the article page's rate over the static body's.
const TARGET_RATIO: f64 = 0.6;
/// Issue 8's target for the article page's 99th percentile latency at 64 connections.
const TARGET_P99_MS: f64 = 25.0;
/// Issue 8's target for the server's resident memory during the soak.
const TARGET_RSS_MIB: f64 = 100.0;

/// Seeds a database, serves it and drives it with wrk in three phases, then prints a markdown
/// table of the figures against the issue's targets.
pub async fn load(args: LoadArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.seconds > 0 && args.soak_seconds > 0 && args.threads > 0,
        "--seconds, --soak-seconds and --threads must be at least 1"
    );
    anyhow::ensure!(
        args.connections >= args.threads && args.soak_connections >= args.threads,
        "wrk needs at least one connection per thread: raise --connections / --soak-connections \
         or lower --threads"
    );
    let version = wrk_version()?;
    let scratch = std::env::temp_dir().join(format!("yijian-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(scratch.join("bench.db")),
    };
    // Receipts go to an SMTP server in this process, as they would to a relay.
    let sink = Sink::start()?;
    let mut config = Config::from_env()?;
    config.database = database;
    config.bind = "127.0.0.1:0".parse()?;
    config.smtp_url = Some(url::Url::parse(&format!("smtp://127.0.0.1:{}", sink.port))?);
    config.attachments_dir = scratch.join("attachments");

    let result = run(config, &args, &sink, &scratch, &version).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn run(
    config: Config,
    args: &LoadArgs,
    sink: &Sink,
    scratch: &Path,
    wrk_version: &str,
) -> anyhow::Result<()> {
    let described = config.database.redacted();
    let article_path = format!("/c/{}/a/{ARTICLE}", seed::DEMO_SLUG);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    // Seed, and measure the article page's size on a first server.
    let probe = Application::build(config.clone(), 1).await?;
    let pool = probe.pool().clone();
    let unsent = db::run(&pool, |conn| Ok(db::outbox::count_unsent(conn)?)).await?;
    anyhow::ensure!(
        unsent == 0,
        "{described}: the outbox holds {unsent} unsent mails that the bench would deliver to its \
         sink; use a scratch database"
    );
    super::seed_article(&pool, ARTICLE, COMMENTS).await?;
    let (size, shown) = super::measure_page(probe, &client, &article_path).await?;

    let limit = u64::try_from(COMMENT_RATE.limit)?;
    let post_accounts = usize::try_from((args.seconds * POSTS_PER_SECOND).div_ceil(limit))?;
    let soak_accounts =
        usize::try_from((args.soak_seconds * SOAK_POSTS_PER_SECOND).div_ceil(limit))?;
    let prepared = Instant::now();
    let (articles, mut sessions) = db::run(&pool, move |conn| {
        let demo = db::consultations::by_slug(conn, seed::DEMO_SLUG)?
            .and_then(|c| c.current_version_id)
            .ok_or_else(|| DbError::Migration("the demo has no text".into()))?;
        let articles: Vec<i32> = db::drafts::article_heads(conn, demo)?
            .into_iter()
            .map(|a| a.number)
            .collect();
        let now = chrono::Utc::now().naive_utc();
        let sessions = create_accounts(conn, post_accounts + soak_accounts, now)?;
        Ok((articles, sessions))
    })
    .await?;
    let prepared = prepared.elapsed();
    anyhow::ensure!(!articles.is_empty(), "the demo has no articles");
    let soak_sessions = sessions.split_off(post_accounts);
    let receipts = || async {
        Ok::<_, anyhow::Error>(
            db::run(&pool, |conn| Ok(db::outbox::count_keyed(conn, "receipt:")?)).await?,
        )
    };

    // Phases 1 and 2: the article page and the static body, then the POSTs, on one server in
    // this process.
    let fixed = FixedRoute {
        path: STATIC_PATH,
        body: Bytes::from(vec![b'x'; size]),
    };
    let app = Application::build_with(config.clone(), args.workers, Some(fixed)).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    let wrk = Wrk {
        threads: args.threads,
        scripts: scratch.to_path_buf(),
    };
    let reads = Script::reads();
    let warm_up = Duration::from_secs(1);
    wrk.run(&base, &article_path, &reads, args.connections, warm_up)
        .await?;
    wrk.run(&base, STATIC_PATH, &reads, args.connections, warm_up)
        .await?;
    let seconds = Duration::from_secs(args.seconds);
    let article = wrk
        .run(&base, &article_path, &reads, args.connections, seconds)
        .await?;
    let fixed = wrk
        .run(&base, STATIC_PATH, &reads, args.connections, seconds)
        .await?;

    let receipts_before = receipts().await?;
    let posting = Script::mixed(
        std::slice::from_ref(&article_path),
        1,
        &sessions,
        &articles,
        args.threads,
        "posts",
    );
    let posts = wrk
        .run(&base, &article_path, &posting, args.connections, seconds)
        .await?;
    let queued = receipts().await? - receipts_before;
    handle.stop(true).await;

    // Phase 3: the soak, against `yijian serve` in a child process so that its memory is its own.
    let mut soak_paths = vec![format!("/c/{}", seed::DEMO_SLUG)];
    soak_paths.extend(
        articles
            .iter()
            .map(|n| format!("/c/{}/a/{n}", seed::DEMO_SLUG)),
    );
    let soaking = Script::mixed(
        &soak_paths,
        SOAK_POST_EVERY,
        &soak_sessions,
        &articles,
        args.threads,
        "soak",
    );
    let soak_receipts_before = receipts().await?;
    let mut server = Server::spawn(&config, scratch).await?;
    let ready = server.memory()?;
    let soak = wrk
        .run(
            &server.base,
            &soak_paths[0],
            &soaking,
            args.soak_connections,
            Duration::from_secs(args.soak_seconds),
        )
        .await;
    let memory = server.memory();
    let exited = server.stop();
    let soak = soak?;
    let memory = memory?;
    let soak_queued = receipts().await? - soak_receipts_before;
    let delivered = sink.received.load(std::sync::atomic::Ordering::SeqCst);

    let report = Report {
        described: &described,
        wrk_version,
        args,
        size,
        shown,
        accounts: post_accounts + soak_accounts,
        prepared,
        article: &article,
        fixed: &fixed,
        posts: &posts,
        queued: u64::try_from(queued)?,
        soak: &soak,
        soak_queued: u64::try_from(soak_queued)?,
        ready,
        memory,
        exited,
        delivered,
    };
    report.print();
    Ok(())
}

/// Everything the run measured, for printing.
struct Report<'a> {
    described: &'a str,
    wrk_version: &'a str,
    args: &'a LoadArgs,
    size: usize,
    shown: usize,
    accounts: usize,
    prepared: Duration,
    article: &'a WrkRun,
    fixed: &'a WrkRun,
    posts: &'a WrkRun,
    queued: u64,
    soak: &'a WrkRun,
    soak_queued: u64,
    ready: Memory,
    memory: Memory,
    exited: String,
    delivered: usize,
}

impl Report<'_> {
    fn print(&self) {
        let a = self.args;
        let build = if cfg!(debug_assertions) {
            "DEBUG build: the figures mean nothing, run it with --release"
        } else {
            "release build"
        };
        println!(
            "yijian bench load — {}, {build}, {}, {} wrk threads, server workers: {} in process, \
             one per core for the soak (`yijian serve`)",
            self.described,
            self.wrk_version,
            a.threads,
            if a.workers == 0 {
                "one per core".to_owned()
            } else {
                a.workers.to_string()
            }
        );
        println!(
            "article page {}: {} bytes, {} comments shown; {} accounts with sessions created in {:.1} s",
            format_args!("/c/{}/a/{ARTICLE}", seed::DEMO_SLUG),
            self.size,
            self.shown,
            self.accounts,
            self.prepared.as_secs_f64()
        );
        let ratio = if self.fixed.per_second() > 0.0 {
            self.article.per_second() / self.fixed.per_second()
        } else {
            0.0
        };
        let check = |ok: bool| if ok { "✓" } else { "✗" };
        let posted = self.posts.status(303);
        let cut_off = self.posts.sent.saturating_sub(self.posts.requests);
        // wrk stops with requests in flight; the server still records them, unseen by wrk.
        let receipts_ok = posted <= self.queued && self.queued <= posted + cut_off;
        let soak_5xx: u64 = self
            .soak
            .statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mib = |kib: u64| kib as f64 / 1024.0;
        let rss_mib = mib(self.memory.peak_kib);

        println!();
        println!("| measure | figure | target |");
        println!("|---|---|---|");
        println!(
            "| article page, {} comments, {} connections: req/s | {:.0} | |",
            self.shown,
            a.connections,
            self.article.per_second()
        );
        println!(
            "| static body of the same size ({} bytes): req/s (p50 / p99) | {:.0} ({:.2} / {:.2} ms) | |",
            self.size,
            self.fixed.per_second(),
            ms(self.fixed.p50),
            ms(self.fixed.p99)
        );
        println!(
            "| ratio article / static | {ratio:.2} | ≥ {TARGET_RATIO:.2} {} |",
            check(ratio >= TARGET_RATIO)
        );
        println!(
            "| article page p50 / p99 | {:.2} / {:.2} ms | p99 < {TARGET_P99_MS:.0} ms {} |",
            ms(self.article.p50),
            ms(self.article.p99),
            check(ms(self.article.p99) < TARGET_P99_MS)
        );
        println!(
            "| comment POSTs, {} connections: posts/s (p50 / p99) | {:.0} ({:.1} / {:.1} ms) | |",
            a.connections,
            posted as f64 / self.posts.duration.as_secs_f64().max(f64::EPSILON),
            ms(self.posts.p50),
            ms(self.posts.p99)
        );
        println!(
            "| receipts queued / 303 answers seen by wrk | {} / {posted} ({cut_off} requests in flight when wrk stopped) | one per post {} |",
            self.queued,
            check(receipts_ok)
        );
        println!(
            "| soak {} s, {} connections: requests (req/s) | {} ({:.0}), {} comment POSTs | |",
            a.soak_seconds,
            a.soak_connections,
            self.soak.requests,
            self.soak.per_second(),
            self.soak_queued
        );
        println!(
            "| soak socket errors (connect / read / write / timeout) | {} / {} / {} / {} | 0 {} |",
            self.soak.connect,
            self.soak.read,
            self.soak.write,
            self.soak.timeout,
            check(self.soak.socket_errors() == 0)
        );
        println!(
            "| soak 5xx / other answers than 2xx-3xx | {soak_5xx} / {} | 0 {} |",
            self.soak.non_2xx_3xx - soak_5xx,
            check(self.soak.non_2xx_3xx == 0)
        );
        println!(
            "| server peak RSS (VmHWM of the `serve` child) | {rss_mib:.1} MiB | < {TARGET_RSS_MIB:.0} MiB {} |",
            check(rss_mib < TARGET_RSS_MIB)
        );
        println!(
            "| server RSS (of it RssAnon) when ready → after the soak | {:.1} ({:.1}) → {:.1} ({:.1}) MiB | |",
            mib(self.ready.rss_kib),
            mib(self.ready.anon_kib),
            mib(self.memory.rss_kib),
            mib(self.memory.anon_kib),
        );
        println!();

        let mut notes = Vec::new();
        let other = |run: &WrkRun, expected: u16| -> Vec<String> {
            run.statuses
                .iter()
                .filter(|(s, _)| **s != expected)
                .map(|(s, n)| format!("{s} × {n}"))
                .collect()
        };
        let unexpected = other(self.posts, 303);
        if !unexpected.is_empty() {
            notes.push(format!(
                "comment POSTs answered other than 303: {}",
                unexpected.join(", ")
            ));
        }
        for (name, run) in [
            ("article page", self.article),
            ("static body", self.fixed),
            ("comment POSTs", self.posts),
        ] {
            if run.socket_errors() + run.non_2xx_3xx > 0 {
                notes.push(format!(
                    "{name}: {} socket errors, {} answers ≥ 400",
                    run.socket_errors(),
                    run.non_2xx_3xx
                ));
            }
        }
        if self.posts.exhausted > 0 || self.soak.exhausted > 0 {
            notes.push(
                "some wrk threads used up their accounts and went on reading: raise \
                 POSTS_PER_SECOND / SOAK_POSTS_PER_SECOND"
                    .into(),
            );
        }
        let soak_other: Vec<String> = self
            .soak
            .statuses
            .iter()
            .filter(|(s, _)| !matches!(**s, 200 | 303))
            .map(|(s, n)| format!("{s} × {n}"))
            .collect();
        if !soak_other.is_empty() {
            notes.push(format!(
                "soak answers other than 200 and 303: {}",
                soak_other.join(", ")
            ));
        }
        notes.push(format!(
            "receipts delivered to the SMTP sink meanwhile: {}; the soak server {}",
            self.delivered, self.exited
        ));
        for n in notes {
            println!("{n}");
        }
    }
}

/// Runs wrk with scripts written to a scratch folder.
struct Wrk {
    threads: usize,
    scripts: PathBuf,
}

impl Wrk {
    /// Drives `base` + `path` (or the paths `script` picks) from `connections` connections for
    /// `duration`, on a blocking thread so that the in-process server's tasks go on.
    async fn run(
        &self,
        base: &str,
        path: &str,
        script: &Script,
        connections: usize,
        duration: Duration,
    ) -> anyhow::Result<WrkRun> {
        let file = self.scripts.join(format!("{}.lua", script.name));
        std::fs::write(&file, &script.text)?;
        let mut command = Command::new("wrk");
        command
            .arg(format!("--threads={}", self.threads))
            .arg(format!("--connections={connections}"))
            .arg(format!("--duration={}s", duration.as_secs()))
            .arg(format!("--timeout={}s", TIMEOUT.as_secs()))
            .arg(format!("--script={}", file.display()))
            .arg(format!("{base}{path}"));
        let output = tokio::task::spawn_blocking(move || command.output())
            .await?
            .map_err(not_found)?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        anyhow::ensure!(
            output.status.success(),
            "wrk failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
        WrkRun::parse(&stdout).ok_or_else(|| anyhow::anyhow!("wrk printed no figures:\n{stdout}"))
    }
}

fn not_found(e: std::io::Error) -> anyhow::Error {
    if e.kind() == ErrorKind::NotFound {
        anyhow::anyhow!("wrk not found: install wrk: apt-get install wrk")
    } else {
        anyhow::anyhow!("wrk: {e}")
    }
}

/// `wrk --version`'s first line, or the error that tells how to install it.
fn wrk_version() -> anyhow::Result<String> {
    let output = Command::new("wrk")
        .arg("--version")
        .output()
        .map_err(not_found)?;
    // wrk prints its version with the usage text and exits with 1.
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    Ok(text
        .lines()
        .next()
        .and_then(|l| l.split(" Copyright").next())
        .unwrap_or("wrk")
        .trim()
        .to_owned())
}

/// A wrk Lua script.
struct Script {
    name: &'static str,
    text: String,
}

/// Counts the threads in `setup()` and prints the figures in `done()`; every script ends with it.
const DONE_HOOK: &str = r#"
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "yijian-wrk requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
  local statuses, sent, exhausted = {}, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do
      statuses[code] = (statuses[code] or 0) + n
    end
    sent = sent + (t:get("sent") or 0)
    exhausted = exhausted + (t:get("exhausted") or 0)
  end
  io.write(string.format("yijian-wrk sent=%d exhausted=%d\n", sent, exhausted))
  for code, n in pairs(statuses) do
    io.write(string.format("yijian-wrk status.%d=%d\n", code, n))
  end
end
"#;

impl Script {
    /// GETs of the URL given to wrk, nothing counted per request (wrk's fastest path).
    fn reads() -> Self {
        Self {
            name: "reads",
            text: DONE_HOOK.to_owned(),
        }
    }

    /// GETs rotating over `paths`, and every `post_every`-th request a comment POST to one of
    /// `articles`, as the accounts of `sessions` (split between wrk's `threads`, each account up
    /// to its limit, then the next); counts the answers by status.
    fn mixed(
        paths: &[String],
        post_every: u32,
        sessions: &[String],
        articles: &[i32],
        threads: usize,
        name: &'static str,
    ) -> Self {
        let list = |items: Vec<String>| {
            items
                .into_iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let encode =
            |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let csrf = crate::accounts::Token::generate().plain;
        let text = format!(
            r#"
local paths = {{{paths}}}
local sessions = {{{sessions}}}
local articles = {{{articles}}}
local stances = {{{stances}}}
local post_every = {post_every}
local limit = {limit}
local threads_total = {threads}
local csrf = "{csrf}"
local cookie_names = {{"{session_cookie}", "{csrf_cookie}"}}
local slug = "{slug}"
local body_head = "{body_head}"
local body_tail = "{body_tail}"

function init(args)
  -- wrk calls request() once on its first thread to check the script before the run starts.
  statuses, sent, exhausted = {{}}, id == 0 and -1 or 0, 0
  n, k = 0, 0
end

local function post()
  local index = id + threads_total * math.floor(k / limit) + 1
  if index > #sessions then
    exhausted = 1
    return nil
  end
  k = k + 1
  local article = articles[(k + id) % #articles + 1]
  local body = "csrf=" .. csrf .. "&stance=" .. stances[k % #stances + 1]
    .. "&body=" .. body_head .. id .. "-" .. k .. body_tail
    .. "&proposed_text=&visibility=named"
  return wrk.format("POST", "/c/" .. slug .. "/a/" .. article .. "/comments", {{
    ["Cookie"] = cookie_names[1] .. "=" .. sessions[index] .. "; " .. cookie_names[2] .. "=" .. csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }}, body)
end

function request()
  n = n + 1
  sent = sent + 1
  if post_every > 0 and n % post_every == 0 then
    local r = post()
    if r then
      return r
    end
  end
  return wrk.format("GET", paths[n % #paths + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"#,
            paths = list(paths.to_vec()),
            sessions = list(sessions.to_vec()),
            articles = list(articles.iter().map(|a| a.to_string()).collect()),
            stances = list(Stance::ALL.iter().map(|s| s.as_str().to_owned()).collect()),
            limit = COMMENT_RATE.limit,
            session_cookie = SESSION_COOKIE,
            csrf_cookie = CSRF_COOKIE,
            slug = seed::DEMO_SLUG,
            // Distinct bodies: the same text twice by one account would be refused as a duplicate.
            body_head = encode(&format!("压测意见 {name}-")),
            body_tail = encode("：建议写明适用范围和办理期限。"),
        );
        Self {
            name,
            text: text + DONE_HOOK,
        }
    }
}

/// What one wrk run reported through the `done()` hook.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WrkRun {
    /// Answers received.
    pub requests: u64,
    /// Length of the run.
    pub duration: Duration,
    /// Connections that could not be opened.
    pub connect: u64,
    /// Failed reads.
    pub read: u64,
    /// Failed writes.
    pub write: u64,
    /// Requests without an answer within wrk's timeout.
    pub timeout: u64,
    /// Answers with a status of 400 or more (wrk's "Non-2xx or 3xx responses").
    pub non_2xx_3xx: u64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Slowest answer.
    pub max: Duration,
    /// Requests the script built (those still in flight when wrk stopped included).
    pub sent: u64,
    /// wrk threads that ran out of accounts to post as.
    pub exhausted: u64,
    /// Answers by status, when the script counts them.
    pub statuses: BTreeMap<u16, u64>,
}

impl WrkRun {
    /// Reads the `yijian-wrk` lines of wrk's output; `None` if there is none.
    pub fn parse(output: &str) -> Option<Self> {
        let mut run = Self::default();
        let mut found = false;
        for line in output.lines() {
            let Some(rest) = line.trim().strip_prefix("yijian-wrk ") else {
                continue;
            };
            found = true;
            for pair in rest.split_whitespace() {
                let (key, value) = pair.split_once('=')?;
                let value: u64 = value.parse().ok()?;
                let micros = Duration::from_micros(value);
                match key {
                    "requests" => run.requests = value,
                    "duration_us" => run.duration = micros,
                    "connect" => run.connect = value,
                    "read" => run.read = value,
                    "write" => run.write = value,
                    "status" => run.non_2xx_3xx = value,
                    "timeout" => run.timeout = value,
                    "p50_us" => run.p50 = micros,
                    "p99_us" => run.p99 = micros,
                    "max_us" => run.max = micros,
                    "sent" => run.sent = value,
                    "exhausted" => run.exhausted = value,
                    _ => {
                        if let Some(code) = key.strip_prefix("status.") {
                            run.statuses.insert(code.parse().ok()?, value);
                        }
                    }
                }
            }
        }
        found.then_some(run)
    }

    /// Answers per second.
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.duration.as_secs_f64().max(f64::EPSILON)
    }

    /// Connect, read, write and timeout errors together.
    pub fn socket_errors(&self) -> u64 {
        self.connect + self.read + self.write + self.timeout
    }

    /// Answers with this status, as counted by the script.
    pub fn status(&self, code: u16) -> u64 {
        self.statuses.get(&code).copied().unwrap_or(0)
    }
}

/// The soak server's memory, from `/proc/PID/status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Memory {
    /// VmHWM: the most it was resident at any moment of its life until read.
    peak_kib: u64,
    /// VmRSS when read.
    rss_kib: u64,
    /// RssAnon when read: the heap and stacks, without the mapped binary and libraries.
    anon_kib: u64,
}

/// The value in KiB of `key` (`VmHWM`, `VmRSS`) in a `/proc/PID/status` text.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// `yijian serve` in a child process on a free port of the loopback.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts this binary's `serve` on `config`'s database and mail relay and waits until it
    /// answers `/healthz`.
    async fn spawn(config: &Config, scratch: &Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let database = match &config.database {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let log = scratch.join("serve.log");
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("serve")
            .env("DATABASE_URL", database)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env_remove("BASE_URL")
            .env("ATTACHMENTS_DIR", &config.attachments_dir)
            .env("MAIL_DIR", scratch.join("mail"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        if let Some(smtp) = &config.smtp_url {
            command.env("SMTP_URL", smtp.as_str());
        }
        // One log line per request would make the soak measure the terminal.
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "warn");
        }
        let mut server = Self {
            child: command.spawn()?,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!(
                    "yijian serve exited ({status}) before answering: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            let ready = client
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(server);
            }
            if Instant::now() > deadline {
                server.stop();
                anyhow::bail!("yijian serve did not answer /healthz within 60 s");
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Its peak and current resident memory.
    fn memory(&self) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        Ok(Memory {
            peak_kib: status_kib(&status, "VmHWM")
                .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/PID/status"))?,
            rss_kib: status_kib(&status, "VmRSS").unwrap_or(0),
            anon_kib: status_kib(&status, "RssAnon").unwrap_or(0),
        })
    }

    /// Stops it with SIGTERM (graceful shutdown), or kills it after 10 s; says how it ended.
    fn stop(&mut self) -> String {
        if let Ok(Some(status)) = self.child.try_wait() {
            return format!("had already exited ({status})");
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return format!("stopped on SIGTERM ({status})");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        "did not stop within 10 s of SIGTERM and was killed".into()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wrk 4.1.0 (Debian) over the article page with the reads script: its own report, then ours.
    const READS: &str = "\
Running 2s test @ http://127.0.0.1:42211/c/ai-service-safety/a/5
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.98ms    3.47ms  40.11ms   91.26%
    Req/Sec     3.44k     0.87k    5.34k    80.49%
  14079 requests in 2.10s, 690.88MB read
Requests/sec:   6703.79
Transfer/sec:    328.96MB
yijian-wrk requests=14079 duration_us=2100155 connect=0 read=0 write=0 status=0 timeout=0 p50_us=2014 p99_us=19503 max_us=40114
yijian-wrk sent=0 exhausted=0
";

    /// The soak script over `yijian serve`: reads and a few comment POSTs, counted by status.
    const SOAK: &str = "\
Running 3s test @ http://127.0.0.1:46599/c/ai-service-safety
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   104.81ms   96.85ms 485.88ms   75.36%
    Req/Sec   373.74    291.03     0.98k    63.16%
  2155 requests in 3.10s, 38.66MB read
Requests/sec:    694.44
Transfer/sec:     12.46MB
yijian-wrk requests=2155 duration_us=3103216 connect=0 read=0 write=0 status=0 timeout=0 p50_us=86020 p99_us=431591 max_us=485884
yijian-wrk sent=2214 exhausted=0
yijian-wrk status.200=2134
yijian-wrk status.303=21
";

    /// A server answering 404 to everything: wrk's \"Non-2xx or 3xx responses\" line and our count.
    const NOT_FOUND: &str = "\
Running 1s test @ http://127.0.0.1:18931/nope
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.79ms    1.80ms  11.42ms   83.30%
    Req/Sec     1.34k   175.08     1.63k    80.00%
  1331 requests in 1.00s, 676.08KB read
  Non-2xx or 3xx responses: 1331
Requests/sec:   1330.25
Transfer/sec:    675.70KB
yijian-wrk requests=1331 duration_us=1000561 connect=0 read=0 write=0 status=1331 timeout=0 p50_us=884 p99_us=8191 max_us=11422
yijian-wrk sent=0 exhausted=0
";

    #[test]
    fn reads_give_the_rate_and_the_percentiles() {
        let run = WrkRun::parse(READS).expect("figures");
        assert_eq!(run.requests, 14079);
        assert_eq!(run.duration, Duration::from_micros(2_100_155));
        assert_eq!(run.p50, Duration::from_micros(2014));
        assert_eq!(run.p99, Duration::from_micros(19_503));
        assert_eq!(run.max, Duration::from_micros(40_114));
        assert_eq!(run.socket_errors() + run.non_2xx_3xx, 0);
        assert!(run.statuses.is_empty());
        // wrk's own report rounds the same figures: 6703.79 requests/s.
        assert!((run.per_second() - 6703.79).abs() < 0.01);
    }

    #[test]
    fn the_soak_counts_answers_by_status_and_requests_cut_off() {
        let run = WrkRun::parse(SOAK).expect("figures");
        assert_eq!(run.requests, 2155);
        assert_eq!(run.sent, 2214);
        assert_eq!(run.status(200), 2134);
        assert_eq!(run.status(303), 21);
        assert_eq!(run.status(500), 0);
        assert_eq!(run.statuses.values().sum::<u64>(), run.requests);
    }

    #[test]
    fn answers_of_400_and_more_are_counted_as_wrk_counts_them() {
        let run = WrkRun::parse(NOT_FOUND).expect("figures");
        assert_eq!(run.non_2xx_3xx, 1331);
        assert_eq!(run.requests, 1331);
    }

    #[test]
    fn output_without_our_line_or_with_a_garbled_one_gives_nothing() {
        assert_eq!(
            WrkRun::parse("unable to connect to 127.0.0.1:18932 Connection refused"),
            None
        );
        assert_eq!(WrkRun::parse("yijian-wrk requests=12x"), None);
    }

    #[test]
    fn memory_is_read_from_proc_status() {
        let status = "Name:\tyijian\nVmPeak:\t  3900 kB\nVmHWM:\t    2020 kB\nVmRSS:\t    1984 kB\nThreads:\t1\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(2020));
        assert_eq!(status_kib(status, "VmRSS"), Some(1984));
        assert_eq!(status_kib(status, "VmSwap"), None);
        assert_eq!(status_kib("RssAnon:\t     156 kB\n", "RssAnon"), Some(156));
    }
}
