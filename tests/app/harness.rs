//! Spawning the real application on a fresh database per test, on SQLite or PostgreSQL.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use yijian::app::Application;
use yijian::config::{Config, DatabaseUrl};
use yijian::db::{self, DbPool};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server for tests, from `YIJIAN_TEST_PG`. Unset: the PostgreSQL variants skip,
/// except under CI, where they must run.
pub fn pg_admin_url() -> Option<String> {
    match std::env::var("YIJIAN_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but YIJIAN_TEST_PG is unset: the PostgreSQL tests must run in CI"
            );
            eprintln!(
                "skipped: set YIJIAN_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres to run on PostgreSQL"
            );
            None
        }
    }
}

fn with_database(admin: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin).expect("YIJIAN_TEST_PG is a valid URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn admin_connection(admin: &str) -> PgConnection {
    PgConnection::establish(admin).unwrap_or_else(|e| {
        panic!("cannot reach PostgreSQL at YIJIAN_TEST_PG ({e}); is the server running?")
    })
}

/// A migrated template database named after the migrations' content, built once and reused.
fn pg_template(admin: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<PathBuf> = walk(&dir);
    files.sort();
    let mut hash: u64 = 0xcbf29ce484222325;
    for f in files {
        for b in std::fs::read(&f).expect("migration readable") {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x100000001b3);
        }
    }
    let name = format!("yijian_tpl_{hash:016x}");
    let mut conn = admin_connection(admin);
    diesel::sql_query("SELECT pg_advisory_lock(7013275)")
        .execute(&mut conn)
        .expect("lock");
    let exists = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
    ))
    .get_result::<Count>(&mut conn)
    .expect("query pg_database")
    .n > 0;
    if !exists {
        let building = format!("{name}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop stale template");
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(&mut conn)
            .expect("create template");
        {
            let url = DatabaseUrl::Postgres(with_database(admin, &building));
            let mut c = db::establish(&url).expect("connect template");
            db::migrate(&mut c).expect("migrate template");
        }
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut conn)
            .expect("rename template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(7013275)")
        .execute(&mut conn)
        .expect("unlock");
    name
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database that lives as long as the test.
pub struct TestDb {
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite file in its own directory.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("yijian.db"));
        Self {
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh, migrated PostgreSQL database copied from the template; `None` when skipped.
    pub fn postgres() -> Option<Self> {
        let admin = pg_admin_url()?;
        let template = pg_template(&admin);
        let name = format!(
            "yijian_test_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut conn = admin_connection(&admin);
        let mut attempt = 0;
        // Copying a template fails while another session is connected to it; that is brief.
        loop {
            match diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut conn)
            {
                Ok(_) => break,
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    eprintln!("retrying CREATE DATABASE: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("cannot create test database: {e}"),
            }
        }
        Some(Self {
            url: DatabaseUrl::Postgres(with_database(&admin, &name)),
            _dir: None,
            pg: Some((admin, name)),
        })
    }

    /// A fresh database on `backend`; `None` when that backend is skipped.
    pub fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres(),
        }
    }

    /// The URL as `DATABASE_URL` would give it.
    pub fn url_string(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(p) => p.display().to_string(),
            DatabaseUrl::Postgres(u) => u.clone(),
        }
    }

    /// Drops a PostgreSQL test database now, even while the server holds connections.
    pub fn drop_now(&self) {
        if let Some((admin, name)) = &self.pg {
            let mut conn = admin_connection(admin);
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .expect("drop test database");
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// Settings for a test server on `db`, listening on a free port.
pub fn test_config(db: &TestDb) -> Config {
    let url = db.url_string();
    Config::from_lookup(move |name| match name {
        "DATABASE_URL" => Some(Ok(url.clone())),
        "BIND" => Some(Ok("127.0.0.1:0".into())),
        _ => None,
    })
    .expect("test config")
}

/// A running application and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub db: TestDb,
}

impl TestApp {
    /// Starts the application on a fresh database; `None` when the backend is skipped.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let db = TestDb::new(backend)?;
        let app = Application::build(test_config(&db), 1)
            .await
            .expect("app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        actix_web::rt::spawn(app.run_until_stopped());
        Some(Self {
            base,
            client: client(),
            pool,
            db,
        })
    }

    /// Creates the demo consultation.
    pub async fn seed_demo(&self) {
        db::run(&self.pool, |conn| {
            yijian::seed::demo(conn, chrono::Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("demo seeds");
    }

    /// GETs `path` and returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        get_with(&self.client, &format!("{}{path}", self.base)).await
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// GETs `url` with `client`.
pub async fn get_with(client: &reqwest::Client, url: &str) -> (u16, String) {
    let resp = client.get(url).send().await.expect("request sent");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

/// Declares a test that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn story($app: $crate::harness::TestApp) $body

            #[actix_web::test]
            async fn sqlite() {
                let app = $crate::harness::TestApp::spawn($crate::harness::Backend::Sqlite).await;
                story(app.expect("SQLite always runs")).await;
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::harness::TestApp::spawn($crate::harness::Backend::Postgres).await {
                    story(app).await;
                }
            }
        }
    };
}
