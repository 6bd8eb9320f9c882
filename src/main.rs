//! The `yijian` command: serve the site, migrate, import drafts, seed the demo, run benchmarks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Duration, NaiveDateTime};
use clap::{Parser, Subcommand};

use yijian::app::{self, Application};
use yijian::config::{Config, DatabaseUrl};
use yijian::consultations::{self, RiskTier, Slug};
use yijian::drafts::{self, ImportDraftError, NewConsultation};
use yijian::ledger::verify;
use yijian::mail::{self, digest, digest::Period};
use yijian::subscriptions::{self, Frequency};
use yijian::{accounts, bench, campaigns, db, i18n, seed};

#[derive(Parser)]
#[command(
    name = "yijian",
    version,
    about = "意见征集 yijian — public consultation on draft rules, article by article",
    long_about = "意见征集 yijian — public consultation on draft rules, article by article.\n\n\
        Settings come from the environment: DATABASE_URL (default: yijian.db, a SQLite file; \
        postgres://… selects PostgreSQL), BIND (default 127.0.0.1:8080), BASE_URL, SECRET_KEY, \
        SMTP_URL (unset: mails are written to MAIL_DIR, default yijian-mail), MAIL_FROM."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default). On an empty SQLite database the demo consultation is created
    /// first, with a few hundred generated comments.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import a draft text file as a new consultation (or, with --translation, as the reference
    /// translation of an existing one).
    ImportDraft(ImportArgs),
    /// Create the demo consultation unless it exists; with --comments N, add N generated comments.
    SeedDemo {
        /// Generated comments (replies included) to add to the demo, from generated accounts
        /// (created on the first run, e-mail under demo.invalid, unable to log in). No mail is queued.
        #[arg(long, default_value_t = 0)]
        comments: usize,
    },
    /// Create a site administrator, or promote an existing account. The password is read from the
    /// terminal (or from standard input when it is not a terminal), never from the command line.
    CreateAdmin {
        /// The administrator's e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Verify a consultation's public record downloaded from /c/SLUG/ledger.jsonl, offline: every
    /// line canonical, the hash chain unbroken, every signature valid, the receipts given present.
    /// Names the first bad line and fails when anything is wrong.
    VerifyLedger {
        /// The downloaded `.jsonl` file.
        file: PathBuf,
        /// The public key from the site's /ledger-key page (64 hex digits). Without it, every
        /// signature must verify with the key named by the first signature line.
        #[arg(long)]
        key: Option<String>,
        /// A receipt that must be in the record: its tracking number and the comment's SHA-256
        /// or the ledger entry's digest, as the receipt shows them. May be repeated.
        #[arg(long, value_name = "TRACKING:HASH")]
        receipt: Vec<String>,
    },
    /// Queue the digests of the last finished period now (a running server does this by itself),
    /// then deliver the outbox. Running it again, or beside a server, sends nothing twice.
    SendDigests {
        /// Only this frequency: daily (yesterday, Beijing time) or weekly (last ISO week).
        #[arg(long, value_parser = parse_frequency)]
        period: Option<Frequency>,
        /// Render the digests and count them, but queue and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Group near-identical comments (campaigns) of every consultation whose comments changed
    /// since the last run, as the server does every minute.
    ClusterComments,
    /// Measure performance and print figures.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The draft: UTF-8 plain text as pasted from Word.
    file: PathBuf,
    /// URL name of the consultation: a-z, 0-9 and '-'.
    #[arg(long)]
    slug: String,
    /// Title (default: the file's first line).
    #[arg(long)]
    title: Option<String>,
    /// Issuing body (发布机关).
    #[arg(long, default_value = "")]
    issuer: String,
    /// Short summary shown on the consultation's page.
    #[arg(long, default_value = "")]
    summary: String,
    /// Risk tier of the regulated subject: low, medium or high.
    #[arg(long, default_value = "medium", value_parser = parse_tier)]
    tier: RiskTier,
    /// Topic tags, comma-separated.
    #[arg(long, value_delimiter = ',')]
    topics: Vec<String>,
    /// First day comments are accepted: YYYY-MM-DD (Beijing time, from 00:00) or an RFC 3339 time
    /// (default: now).
    #[arg(long, value_parser = parse_opens)]
    opens: Option<NaiveDateTime>,
    /// Last day comments are accepted: YYYY-MM-DD (Beijing time, until 24:00) or an RFC 3339 time
    /// (default: 30 days after opening).
    #[arg(long, value_parser = parse_closes)]
    closes: Option<NaiveDateTime>,
    /// The file is a reference translation of consultation SLUG's current text, not a new consultation.
    #[arg(long, conflicts_with_all = ["title", "issuer", "summary", "opens", "closes", "topics"])]
    translation: bool,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Serve an article page and a same-size static response from one server and compare their rates.
    Pages(bench::PagesArgs),
    /// Queue mails and time their delivery through the outbox to an SMTP sink in this process.
    Outbox(bench::OutboxArgs),
    /// POST comments over loopback as signed-in accounts and count comments and receipts per second.
    Comments(bench::CommentsArgs),
    /// Time argon2id hashing and verification, the cost of each registration and log-in.
    Passwords(bench::PasswordsArgs),
    /// Time indexing a large draft and searching it; print the search query's plan.
    Search(bench::SearchArgs),
    /// Build and queue the digests of 100,000 subscribers; time delivering digests to an SMTP sink.
    Digests(bench::DigestsArgs),
    /// Cluster a million comments into campaigns and print the time and the clusters found.
    Clusters(bench::ClustersArgs),
    /// Time the drafters' dashboard of the demo with many comments, query by query and over HTTP.
    Dashboard(bench::DashboardArgs),
    /// Match a revised 1,000-article draft against the previous version and diff its changes.
    Versions(bench::VersionsArgs),
    /// Export the demo with many comments as CSV, JSON and XLSX; print the time and peak memory.
    Export(bench::ExportArgs),
    /// Drive the server with wrk: an article page against a same-size static body, comment
    /// POSTs with their receipts, and a soak at 256 connections (errors, server memory).
    Load(bench::LoadArgs),
}

fn parse_frequency(s: &str) -> Result<Frequency, String> {
    Frequency::parse(s).ok_or_else(|| "expected daily or weekly".into())
}

fn parse_tier(s: &str) -> Result<RiskTier, String> {
    RiskTier::parse(s).ok_or_else(|| "expected low, medium or high".into())
}

fn parse_opens(s: &str) -> Result<NaiveDateTime, String> {
    consultations::parse_day(s, false)
}

fn parse_closes(s: &str) -> Result<NaiveDateTime, String> {
    consultations::parse_day(s, true)
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The load bench drives the server at thousands of requests per second: a log line for each
    // would measure the terminal and bury the table.
    let quiet = matches!(
        cli.command,
        Some(Command::Bench {
            what: BenchCommand::Load(_)
        })
    );
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(if quiet { "warn" } else { "info" })
            }),
        )
        .with_target(false)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yijian: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Read only by the commands that use them: verifying a record offline needs no settings.
    let config = Config::from_env;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config()?),
        Command::Migrate => {
            let config = config()?;
            app::prepare_database(&config)?;
            println!("{}: migrations applied", config.database.redacted());
            Ok(())
        }
        Command::SeedDemo { comments } => seed_demo(config()?, comments),
        Command::ImportDraft(args) => import(config()?, args),
        Command::CreateAdmin { email } => create_admin(config()?, &email),
        Command::VerifyLedger { file, key, receipt } => {
            verify_ledger(&file, key.as_deref(), &receipt)
        }
        Command::SendDigests { period, dry_run } => send_digests(config()?, period, dry_run),
        Command::ClusterComments => cluster_comments(config()?),
        Command::Bench {
            what: BenchCommand::Pages(args),
        } => actix_web::rt::System::new().block_on(bench::pages(args)),
        Command::Bench {
            what: BenchCommand::Outbox(args),
        } => actix_web::rt::System::new().block_on(bench::outbox(args)),
        Command::Bench {
            what: BenchCommand::Comments(args),
        } => actix_web::rt::System::new().block_on(bench::comments(args)),
        Command::Bench {
            what: BenchCommand::Passwords(args),
        } => actix_web::rt::System::new().block_on(bench::passwords(args)),
        Command::Bench {
            what: BenchCommand::Search(args),
        } => actix_web::rt::System::new().block_on(bench::search(args)),
        Command::Bench {
            what: BenchCommand::Digests(args),
        } => actix_web::rt::System::new().block_on(bench::digests(args)),
        Command::Bench {
            what: BenchCommand::Clusters(args),
        } => bench::clusters(args),
        Command::Bench {
            what: BenchCommand::Dashboard(args),
        } => actix_web::rt::System::new().block_on(bench::dashboard(args)),
        Command::Bench {
            what: BenchCommand::Versions(args),
        } => actix_web::rt::System::new().block_on(bench::versions(args)),
        Command::Bench {
            what: BenchCommand::Export(args),
        } => bench::export(args),
        Command::Bench {
            what: BenchCommand::Load(args),
        } => actix_web::rt::System::new().block_on(bench::load(args)),
    }
}

fn verify_ledger(file: &Path, key: Option<&str>, receipts: &[String]) -> anyhow::Result<()> {
    let options = verify::Options {
        key: key
            .map(verify::parse_key)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--key: {e}"))?,
        receipts: receipts
            .iter()
            .map(|r| verify::ReceiptClaim::parse(r))
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("--receipt {e}"))?,
    };
    let text =
        std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let report =
        verify::verify(&text, &options).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!(
        "{}: the record of '{}' verifies: {} entries, head {}",
        file.display(),
        report.consultation.as_deref().unwrap_or("-"),
        report.entries,
        report.head.as_deref().unwrap_or("-")
    );
    match (report.last_signed, &report.key) {
        (Some(seq), Some(k)) => {
            println!(
                "{} signatures by key {k}{}, the newest over entry {seq}",
                report.signatures,
                if key.is_some() {
                    ""
                } else {
                    " (named in the file: compare it with the site's /ledger-key page)"
                }
            );
            if seq < report.entries {
                println!(
                    "entries {} to {} are not signed yet",
                    seq + 1,
                    report.entries
                );
            }
        }
        _ => println!("no signature: the entries are chained but nothing is signed yet"),
    }
    for r in &report.receipts {
        println!(
            "receipt {} found: line {}, entry {}, digest {}",
            r.tracking, r.line, r.seq, r.hash
        );
    }
    Ok(())
}

fn seed_demo(config: Config, comments: usize) -> anyhow::Result<()> {
    let (pool, _) = app::prepare_database(&config)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    match seed::demo(&mut conn, now())? {
        seed::Seeded::Created => println!("demo consultation '{}' created", seed::DEMO_SLUG),
        seed::Seeded::AlreadyThere => {
            println!("demo consultation '{}' already exists", seed::DEMO_SLUG)
        }
    }
    if comments == 0 {
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new(comments as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} comments ({per_sec}, {eta} left)",
        )?
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let report = seed::comments::generate(
        &mut conn,
        comments,
        seed::comments::Target::Everywhere,
        now(),
        &mut |n| bar.inc(n as u64),
    )?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if report.accounts > 0 {
        println!(
            "created {} demo accounts (@{}) and {} verified demo organisations",
            report.accounts,
            seed::comments::DEMO_DOMAIN,
            report.organizations
        );
    }
    println!(
        "added {} comments and {} replies ({} hidden), {} endorsements to '{}' on {} in {secs:.1} s ({:.0} comments/s)",
        report.comments,
        report.replies,
        report.hidden,
        report.endorsements,
        seed::DEMO_SLUG,
        config.database.redacted(),
        report.rows() as f64 / secs.max(f64::EPSILON)
    );
    Ok(())
}

fn send_digests(config: Config, only: Option<Frequency>, dry_run: bool) -> anyhow::Result<()> {
    let (pool, secret) = app::prepare_database(&config)?;
    let links = subscriptions::Links {
        base_url: config.base_url.clone(),
        secret,
    };
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let started = std::time::Instant::now();
    for frequency in Frequency::ALL
        .into_iter()
        .filter(|f| only.is_none_or(|o| o == *f))
    {
        let period = Period::last_finished(frequency, now());
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:40}] {human_pos}/{human_len} subscriptions ({per_sec}, {eta} left)",
            )?
            .progress_chars("=> "),
        );
        bar.set_prefix(period.label.clone());
        let report = digest::run(
            &mut conn,
            &links,
            &period,
            now(),
            dry_run,
            &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            },
        )?;
        bar.finish_and_clear();
        println!(
            "{} {}: {} subscriptions, {} digests {}, {} already queued, {} with nothing to report{}",
            frequency.as_str(),
            period.label,
            report.subscriptions,
            report.queued,
            if dry_run { "rendered" } else { "queued" },
            report.already,
            report.quiet,
            if report.expired > 0 {
                format!(", {} unconfirmed subscriptions expired", report.expired)
            } else {
                String::new()
            }
        );
    }
    println!("built in {:.1} s", started.elapsed().as_secs_f64());
    if dry_run {
        return Ok(());
    }
    let transport = mail::Transport::from_config(&config)?;
    let sent = actix_web::rt::System::new()
        .block_on(async { mail::run_until_empty(&pool, &transport).await })?;
    println!(
        "outbox: {} mails sent, {} failed (retried later) via {}",
        sent.sent,
        sent.failed,
        transport.describe()
    );
    Ok(())
}

fn cluster_comments(config: Config) -> anyhow::Result<()> {
    let (pool, _) = app::prepare_database(&config)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let started = std::time::Instant::now();
    let report = campaigns::cluster_pending(&mut conn, now())?;
    println!(
        "clustered {} consultations: {} comments, {} clusters holding {} comments, in {:.1} s",
        report.consultations,
        report.totals.comments,
        report.totals.clusters,
        report.totals.clustered,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn import(config: Config, args: ImportArgs) -> anyhow::Result<()> {
    let file_name = args.file.display().to_string();
    let bytes = read_limited(&args.file)?;
    let (pool, _) = app::prepare_database(&config)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let summary = if args.translation {
        drafts::import_translation(&mut conn, &bytes, &file_name, &args.slug, now())?
    } else {
        let slug = Slug::parse(&args.slug)
            .map_err(|e| ImportDraftError::InvalidSlug(args.slug.clone(), e))?;
        let opens_at = args.opens.unwrap_or_else(now);
        let closes_at = args.closes.unwrap_or(opens_at + Duration::days(30));
        let meta = NewConsultation {
            slug,
            title: args.title,
            title_en: None,
            issuer: args.issuer,
            issuer_en: None,
            summary: args.summary,
            summary_en: None,
            risk_tier: args.tier,
            topics: args
                .topics
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
            is_demo: false,
            opens_at,
            closes_at,
        };
        drafts::import_new_consultation(&mut conn, &bytes, &file_name, &meta, now())?
    };
    println!(
        "{file_name}: imported {} articles in {} divisions into consultation '{}'",
        summary.articles, summary.divisions, args.slug
    );
    Ok(())
}

fn create_admin(config: Config, raw_email: &str) -> anyhow::Result<()> {
    let email = accounts::parse_email(raw_email)
        .map_err(|_| anyhow::anyhow!("--email: '{raw_email}' is not a valid e-mail address"))?;
    let (pool, _) = app::prepare_database(&config)?;
    let mut conn = pool.get().map_err(db::DbError::from)?;
    let exists = db::accounts::user_by_email(&mut conn, &email)
        .map_err(db::DbError::from)?
        .is_some();
    let hash = if exists {
        String::new()
    } else {
        let password = read_new_password()?;
        accounts::check_new_password(&password, &email, "")
            .map_err(|e| anyhow::anyhow!("password refused: {}", i18n::Locale::En.t(e.message)))?;
        actix_web::rt::System::new().block_on(accounts::password::hash(password))?
    };
    let created = accounts::create_or_promote_admin(&mut conn, &email, &hash, now())?;
    if created {
        println!("administrator {email} created");
    } else {
        println!("{email} is now an administrator");
    }
    Ok(())
}

/// Reads a new password twice from the terminal, or once from standard input when piped.
fn read_new_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New administrator password: ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        anyhow::ensure!(first == second, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Reads at most the importer's limit (plus one byte, so the importer can say the file is too big).
fn read_limited(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(drafts::import::MAX_DRAFT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(bytes)
}

fn serve(config: Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let database = config.database.clone();
        let bind = config.bind;
        let base_url = config.base_url.clone();
        let app = Application::build(config, 0).await?;
        if matches!(database, DatabaseUrl::Sqlite(_)) {
            let pool = app.pool().clone();
            let seeded = db::run(&pool, |conn| Ok(seed::first_start(conn, now()))).await??;
            if let Some(report) = seeded {
                tracing::info!(
                    slug = seed::DEMO_SLUG,
                    comments = report.rows(),
                    "demo consultation created with generated comments"
                );
            }
        }
        tracing::info!(database = %database.redacted(), "database ready");
        tracing::info!("serving on http://{bind} — open {base_url} in a browser");
        app.run_until_stopped().await?;
        Ok(())
    })
}
