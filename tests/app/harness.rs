//! Spawning the real application on a fresh database per test, on SQLite or PostgreSQL.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use yijian::app::Application;
use yijian::config::{Config, DatabaseUrl};
use yijian::db::{self, DbPool};
use yijian::mail::{self, SendReport, Transport};

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
    /// `MAIL_DIR` of the test's configuration, so no test writes mail into the repository.
    pub mail_dir: tempfile::TempDir,
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
            mail_dir: tempfile::tempdir().expect("temp dir"),
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
            mail_dir: tempfile::tempdir().expect("temp dir"),
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

    /// A pool on the migrated database, for tests that need no HTTP server.
    pub fn pool(&self) -> DbPool {
        yijian::app::prepare_database(&test_config(self))
            .expect("database ready")
            .0
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

/// Settings for a test server on `db`, listening on a free port, writing mail to `db.mail_dir`.
pub fn test_config(db: &TestDb) -> Config {
    let url = db.url_string();
    let mail_dir = db.mail_dir.path().display().to_string();
    Config::from_lookup(move |name| match name {
        "DATABASE_URL" => Some(Ok(url.clone())),
        "BIND" => Some(Ok("127.0.0.1:0".into())),
        "MAIL_DIR" => Some(Ok(mail_dir.clone())),
        "ATTACHMENTS_DIR" => Some(Ok(format!("{mail_dir}/attachments"))),
        _ => None,
    })
    .expect("test config")
}

/// Settings for a test server on `db` that sends mail to `sink`.
pub fn test_config_with_smtp(db: &TestDb, sink: &MailSink) -> Config {
    let mut config = test_config(db);
    config.smtp_url = Some(url::Url::parse(&sink.url()).expect("sink URL"));
    config
}

/// A running application and what a test needs to talk to it; it is also the first browser.
pub struct TestApp {
    pub browser: Browser,
    pub pool: DbPool,
    /// The SMTP server the application sends its mail to.
    pub mail: MailSink,
    /// The application's own transport, for driving the queue from the test.
    pub transport: Transport,
    pub db: TestDb,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// One visitor: a cookie jar pointed at the application.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

impl TestApp {
    /// Marks the account `email` verified, as following the mailed link would.
    pub async fn mark_verified(&self, email: &str) {
        let email = email.to_lowercase();
        yijian::db::run(&self.pool, move |conn| {
            let user = yijian::db::accounts::user_by_email(conn, &email)?.expect("registered");
            Ok(yijian::db::accounts::mark_verified(
                conn,
                user.id,
                chrono::Utc::now().naive_utc(),
            )?)
        })
        .await
        .expect("verified");
    }

    /// Starts the application on a fresh database; `None` when the backend is skipped.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let db = TestDb::new(backend)?;
        let mail = MailSink::start();
        let config = test_config_with_smtp(&db, &mail);
        let transport = Transport::from_config(&config).expect("transport");
        let app = Application::build(config, 1).await.expect("app builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        actix_web::rt::spawn(app.run_until_stopped());
        Some(Self {
            browser: Browser {
                base,
                client: client(),
            },
            pool,
            mail,
            transport,
            db,
        })
    }

    /// A second visitor with its own cookies.
    pub fn new_browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: client(),
        }
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

    /// Sends every mail due now to the sink, as the background worker would on its next poll.
    pub async fn run_outbox_until_empty(&self) -> SendReport {
        mail::run_until_empty(&self.pool, &self.transport)
            .await
            .expect("outbox runs")
    }
}

impl Browser {
    /// GETs `path`, reads the CSRF token from its first form, and POSTs `fields` with it to `action`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let (_, html) = self.get(page).await;
        let csrf = csrf_of(&html);
        self.post(action, &csrf, fields).await
    }

    /// POSTs a urlencoded form with the given CSRF token.
    pub async fn post(&self, action: &str, csrf: &str, fields: &[(&str, &str)]) -> Reply {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let resp = self
            .client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await
            .expect("request sent");
        Reply::read(resp).await
    }

    /// GETs `path` and returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        get_with(&self.client, &format!("{}{path}", self.base)).await
    }
}

/// An HTTP answer as tests look at it.
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    pub async fn read(resp: reqwest::Response) -> Self {
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp.text().await.expect("body");
        Self {
            status,
            location,
            body,
        }
    }
}

/// The CSRF token of the first form in `html`.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a form with a CSRF token");
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
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

/// Declares a test that runs once on SQLite and once on PostgreSQL: given `app`, on a running
/// application; given `db: TestDb`, on a bare migrated database (see [`TestDb::pool`]).
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$meta:meta])* async fn $name:ident($db:ident: TestDb) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn story($db: $crate::harness::TestDb) $body

            #[actix_web::test]
            async fn sqlite() {
                story($crate::harness::TestDb::sqlite()).await;
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(db) = $crate::harness::TestDb::postgres() {
                    story(db).await;
                }
            }
        }
    };
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

/// What the sink received in one SMTP transaction.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent, headers and body.
    pub data: Vec<u8>,
}

impl Received {
    /// The message parsed as a mail client would.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("the sink received a parsable message")
    }
}

/// A real SMTP server on 127.0.0.1 (the `mailin` protocol engine on a pre-bound listener, one
/// thread per connection) that keeps every message it accepts.
pub struct MailSink {
    port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    stopping: Arc<AtomicBool>,
}

impl MailSink {
    /// Starts a sink on a free port.
    pub fn start() -> Self {
        Self::serve(
            TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink"),
            None,
        )
    }

    /// Starts a sink on `port`, e.g. one from [`MailSink::unused_port`] that was down so far.
    pub fn start_on(port: u16) -> Self {
        Self::serve(
            TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink again"),
            None,
        )
    }

    /// Starts a sink that accepts mail only after `AUTH PLAIN` or `LOGIN` with `user`/`password`.
    pub fn start_with_login(user: &str, password: &str) -> Self {
        Self::serve(
            TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink"),
            Some((user.to_owned(), password.to_owned())),
        )
    }

    /// A port on which nothing listens right now: an SMTP relay that is down.
    pub fn unused_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local address").port()
    }

    fn serve(listener: TcpListener, login: Option<(String, String)>) -> Self {
        let port = listener.local_addr().expect("local address").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let stopping = Arc::new(AtomicBool::new(false));
        let mut session = mailin::SessionBuilder::new("sink.test");
        if login.is_some() {
            // Loopback only: no TLS to offer, so allow AUTH in the clear.
            session
                .enable_auth(mailin::AuthMechanism::Plain)
                .enable_auth(mailin::AuthMechanism::Login)
                .insecure_enable_plaintext_auth();
        }
        let handler = SinkHandler {
            inbox: inbox.clone(),
            login,
            current: None,
        };
        let stop = stopping.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (session, handler) = (session.clone(), handler.clone());
                std::thread::spawn(move || {
                    let _ = smtp_session(stream, &session, handler);
                });
            }
        });
        Self {
            port,
            inbox,
            stopping,
        }
    }

    /// The port the sink listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `SMTP_URL` for this sink.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").clone()
    }

    /// Waits until at least `n` messages arrived (at most 20 s) and returns all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} mails, the sink has {}", self.messages().len());
    }

    /// Waits (at most 20 s) for a message to `to` whose text contains `needle`; returns the text.
    pub async fn wait_for_text(&self, to: &str, needle: &str) -> String {
        for _ in 0..200 {
            let found = self.messages().into_iter().find_map(|m| {
                let text = m.parsed().body_text(0)?.replace("\r\n", "\n");
                (m.to.iter().any(|t| t == to) && text.contains(needle)).then_some(text)
            });
            if let Some(text) = found {
                return text;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail to {to} containing {needle:?}");
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag and frees the port.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

#[derive(Clone)]
struct SinkHandler {
    inbox: Arc<Mutex<Vec<Received>>>,
    login: Option<(String, String)>,
    current: Option<Received>,
}

impl SinkHandler {
    fn check_login(&self, user: &str, password: &str) -> mailin::Response {
        match &self.login {
            Some((u, p)) if u == user && p == password => mailin::response::AUTH_OK,
            _ => mailin::response::INVALID_CREDENTIALS,
        }
    }
}

impl mailin::Handler for SinkHandler {
    fn data_start(
        &mut self,
        _domain: &str,
        from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin::Response {
        self.current = Some(Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = self.current.as_mut() {
            mail.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        if let Some(mail) = self.current.take() {
            self.inbox.lock().expect("inbox").push(mail);
        }
        mailin::response::OK
    }

    fn auth_plain(
        &mut self,
        _authorization_id: &str,
        authentication_id: &str,
        password: &str,
    ) -> mailin::Response {
        self.check_login(authentication_id, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> mailin::Response {
        self.check_login(username, password)
    }
}

/// Runs one SMTP conversation: greeting, then one reply per command line until QUIT.
fn smtp_session(
    stream: TcpStream,
    builder: &mailin::SessionBuilder,
    handler: SinkHandler,
) -> std::io::Result<()> {
    let remote = stream.peer_addr()?.ip();
    let mut reader = BufReader::new(stream.try_clone()?);
    // Buffered and flushed per reply: a reply written piecemeal meets Nagle's algorithm and the
    // client's delayed ACK, which costs 40 ms per command on loopback.
    let mut writer = BufWriter::new(stream);
    let mut session = builder.build(remote, handler);
    session.greeting().write_to(&mut writer)?;
    writer.flush()?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::Reply => {
                response.write_to(&mut writer)?;
                writer.flush()?;
            }
            mailin::Action::Close => {
                response.write_to(&mut writer)?;
                return writer.flush();
            }
            mailin::Action::UpgradeTls => return Ok(()),
            mailin::Action::NoReply => {}
        }
    }
}
