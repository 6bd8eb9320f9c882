//! `yijian bench dashboard`: the drafters' dashboard of the demo consultation with many comments,
//! timed query by query and as the whole page over HTTP.

use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::accounts::{StakeholderType, Token};
use crate::app::Application;
use crate::config::{Config, DatabaseUrl};
use crate::dashboard::{TOP_ENDORSED, TOP_ORGANIZATIONS};
use crate::db::accounts::NewUserRow;
use crate::db::schema::comments;
use crate::db::{self, DbConnection, DbError};
use crate::i18n::Locale;
use crate::seed;
use crate::web::session::SESSION_COOKIE;

/// Options of `yijian bench dashboard`.
#[derive(clap::Args, Clone, Debug)]
pub struct DashboardArgs {
    /// Comments the demo consultation must hold (replies included); generated when it has fewer,
    /// reused when it has as many, so a large database is seeded once.
    #[arg(long, default_value_t = 100_000)]
    pub comments: usize,
    /// Times the page is loaded.
    #[arg(long, default_value_t = 5)]
    pub rounds: u32,
    /// Database to use (default: a fresh SQLite file in the temp directory, removed afterwards).
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Seeds the demo to `--comments` comments, then times each dashboard query and the whole page.
pub async fn dashboard(args: DashboardArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.rounds > 0, "--rounds must be at least 1");
    let temp =
        std::env::temp_dir().join(format!("yijian-bench-dashboard-{}.db", std::process::id()));
    let database = match &args.database_url {
        Some(url) => DatabaseUrl::parse(url)?,
        None => DatabaseUrl::Sqlite(temp.clone()),
    };
    let mut config = Config::from_env()?;
    config.database = database;
    config.bind = "127.0.0.1:0".parse()?;
    let result = run(config, &args).await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    result
}

/// Adds generated comments until the demo holds `target`; returns how many it holds.
pub(super) fn seed_to(conn: &mut DbConnection, target: usize) -> anyhow::Result<i64> {
    let now = chrono::Utc::now().naive_utc();
    seed::demo(conn, now)?;
    let demo = db::consultations::by_slug(conn, seed::DEMO_SLUG)?
        .ok_or_else(|| anyhow::anyhow!("the demo consultation is missing"))?;
    let count = |conn: &mut DbConnection| -> Result<i64, DbError> {
        Ok(comments::table
            .filter(comments::consultation_id.eq(demo.id))
            .count()
            .get_result(conn)?)
    };
    let have = count(conn)?;
    let missing = usize::try_from(have).map_or(0, |h| target.saturating_sub(h));
    if missing > 0 {
        println!("seeding {missing} comments (the demo holds {have}) …");
        let started = Instant::now();
        seed::comments::generate(
            conn,
            missing,
            seed::comments::Target::Everywhere,
            now,
            &mut |_| {},
        )?;
        println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    }
    // What autovacuum does after a bulk load, done now: fresh statistics for the planner and,
    // on PostgreSQL, the visibility map that lets the counts come from the index alone.
    match conn {
        DbConnection::Postgresql(pg) => {
            diesel::sql_query("VACUUM ANALYZE comments").execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            diesel::sql_query("ANALYZE").execute(lite)?;
        }
    }
    Ok(count(conn)?)
}

/// An administrator with a session, for fetching the page; returns the session cookie's value.
fn admin_session(conn: &mut DbConnection) -> Result<String, DbError> {
    let now = chrono::Utc::now().naive_utc();
    let run = now.and_utc().timestamp_micros();
    db::transaction(conn, |conn| {
        let id = db::accounts::insert_user(
            conn,
            &NewUserRow {
                email: &format!("bench-admin-{run}@bench.invalid"),
                display_name: "压测管理员",
                password_hash: "!bench",
                stakeholder_type: StakeholderType::Government.as_str(),
                locale: Locale::ZhCn.tag(),
                is_admin: true,
                created_at: now,
            },
        )?;
        db::accounts::mark_verified(conn, id, now)?;
        let token = Token::generate();
        db::accounts::insert_session(conn, id, &token.hash, now, now + chrono::Duration::hours(1))?;
        Ok(token.plain)
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Mean and maximum of `rounds` runs of `f`.
fn timed<T>(rounds: u32, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(f64, f64)> {
    let mut times = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed());
    }
    let mean = times.iter().sum::<Duration>() / rounds;
    let max = times.iter().max().copied().unwrap_or_default();
    Ok((ms(mean), ms(max)))
}

async fn run(config: Config, args: &DashboardArgs) -> anyhow::Result<()> {
    // Seeded before the server starts, so its outbox worker does not wait on the bulk load.
    let (seed_pool, _) = crate::app::prepare_database(&config)?;
    let target = args.comments;
    let held = tokio::task::spawn_blocking(move || -> anyhow::Result<i64> {
        let mut conn = seed_pool.get().map_err(DbError::from)?;
        seed_to(&mut conn, target)
    })
    .await??;
    let app = Application::build(config.clone(), 1).await?;
    let pool = app.pool().clone();
    let rounds = args.rounds;
    let (session, queries) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut conn = pool.get().map_err(DbError::from)?;
        let session = admin_session(&mut conn)?;
        let demo = db::consultations::by_slug(&mut conn, seed::DEMO_SLUG)?
            .ok_or_else(|| anyhow::anyhow!("the demo consultation is missing"))?;
        let conn = &mut conn;
        let id = demo.id;
        let queries = vec![
            (
                "article × type × stance",
                timed(rounds, || Ok(db::dashboard::matrix(conn, id)?))?,
            ),
            (
                "per day",
                timed(rounds, || Ok(db::dashboard::per_day(conn, id)?))?,
            ),
            (
                "organisations",
                timed(rounds, || {
                    Ok(db::dashboard::organizations(conn, id, TOP_ORGANIZATIONS)?)
                })?,
            ),
            (
                "most endorsed",
                timed(rounds, || {
                    Ok(db::dashboard::most_endorsed(conn, id, TOP_ENDORSED)?)
                })?,
            ),
            (
                "all (dashboard::load)",
                timed(rounds, || Ok(crate::dashboard::load(conn, &demo)?))?,
            ),
        ];
        Ok((session, queries))
    })
    .await??;

    let url = format!(
        "http://127.0.0.1:{}/c/{}/dashboard",
        app.port(),
        seed::DEMO_SLUG
    );
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let mut pages = Vec::new();
    let mut size = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let resp = client
            .get(&url)
            .header("cookie", format!("{SESSION_COOKIE}={session}"))
            .send()
            .await?;
        anyhow::ensure!(
            resp.status().is_success(),
            "dashboard answered {}",
            resp.status()
        );
        size = resp.bytes().await?.len();
        pages.push(started.elapsed());
    }
    let page_mean = pages.iter().sum::<Duration>() / rounds;
    let page_max = pages.iter().max().copied().unwrap_or_default();

    println!(
        "yijian bench dashboard — {} ({}), {held} comments in the demo, {rounds} rounds",
        match config.database {
            DatabaseUrl::Sqlite(_) => "SQLite",
            DatabaseUrl::Postgres(_) => "PostgreSQL",
        },
        config.database.redacted(),
    );
    println!("{:<26} {:>10} {:>10}", "query", "mean ms", "max ms");
    for (name, (mean, max)) in queries {
        println!("{name:<26} {mean:>10.1} {max:>10.1}");
    }
    println!(
        "{:<26} {:>10.1} {:>10.1}   ({size} bytes)",
        "page over HTTP",
        ms(page_mean),
        ms(page_max)
    );
    Ok(())
}
