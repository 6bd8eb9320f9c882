//! Faults: the server killed mid-stream, PostgreSQL connections cut mid-load. Nothing
//! acknowledged is lost, the server recovers by itself, and nobody gets a 500.
//!
//! SMTP down for a while is covered in `mail.rs`
//! (`mail_queued_while_smtp_is_down_is_sent_once_after_it_comes_back`).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use yijian::accounts::{StakeholderType, Token};
use yijian::db::{self, DbPool};
use yijian::i18n::Locale;

use crate::harness::{Backend, MailSink, TestApp, TestDb};
use crate::on_both_backends;

/// The CSRF token every poster sends in both cookie and form (any 64 hex digits will do).
const CSRF: &str = "0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978";
/// Every comment of these tests starts with this, to tell them from the demo's.
const MARK: &str = "故障测试意见";

/// Verified accounts with a session each, written directly; returns the session tokens.
async fn accounts(pool: &DbPool, prefix: &str, count: usize) -> Vec<String> {
    let prefix = prefix.to_owned();
    db::run(pool, move |conn| {
        let now = chrono::Utc::now().naive_utc();
        (0..count)
            .map(|i| {
                let id = db::accounts::insert_user(
                    conn,
                    &db::accounts::NewUserRow {
                        email: &format!("{prefix}-{i}@example.com"),
                        display_name: &format!("测试者{i}"),
                        password_hash: "not-a-hash",
                        stakeholder_type: StakeholderType::Citizen.as_str(),
                        locale: Locale::ZhCn.tag(),
                        is_admin: false,
                        created_at: now,
                    },
                )?;
                db::accounts::mark_verified(conn, id, now)?;
                let token = Token::generate();
                db::accounts::insert_session(
                    conn,
                    id,
                    &token.hash,
                    now,
                    now + chrono::Duration::days(1),
                )?;
                Ok(token.plain)
            })
            .collect()
    })
    .await
    .expect("accounts")
}

/// What one POST of a comment came to.
enum Posted {
    /// 303 with the comment's tracking number.
    Acknowledged(String),
    /// Any other answer: its status and body.
    Refused(u16, String),
    /// No answer at all (the server is gone).
    Lost,
}

async fn post_comment(client: &reqwest::Client, base: &str, session: &str, n: usize) -> Posted {
    let article = 1 + n % 10;
    let body = serde_urlencoded::to_string([
        ("csrf", CSRF),
        ("stance", "amend"),
        ("body", &format!("{MARK} {n}：建议写明期限。")),
        ("visibility", "named"),
    ])
    .expect("form");
    let sent = client
        .post(format!(
            "{base}/c/{}/a/{article}/comments",
            yijian::seed::DEMO_SLUG
        ))
        .header("cookie", format!("yj_session={session}; yj_csrf={CSRF}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let Ok(resp) = sent else {
        return Posted::Lost;
    };
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.text().await.unwrap_or_default();
    match (status, location) {
        (303, Some(l)) if l.contains("#c-") => {
            Posted::Acknowledged(l.rsplit("#c-").next().unwrap_or_default().to_owned())
        }
        _ => Posted::Refused(status, text),
    }
}

/// The tracking numbers of this test's comments that the database holds.
async fn stored(pool: &DbPool) -> BTreeSet<String> {
    db::run(pool, |conn| {
        use yijian::db::schema::comments::dsl::*;
        Ok(comments
            .filter(body.like(format!("{MARK}%")))
            .select(tracking)
            .load::<String>(conn)?
            .into_iter()
            .collect())
    })
    .await
    .expect("comments")
}

async fn unsent(pool: &DbPool) -> i64 {
    db::run(pool, |conn| {
        use yijian::db::schema::outbox::dsl::*;
        Ok(outbox
            .filter(sent_at.is_null())
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .expect("outbox")
}

/// The real `yijian serve` as a child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(db: &TestDb, sink: &MailSink, port: u16) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_yijian"))
            .arg("serve")
            .env("DATABASE_URL", db.url_string())
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("SMTP_URL", sink.url())
            .env("MAIL_DIR", db.mail_dir.path())
            .env("ATTACHMENTS_DIR", db.mail_dir.path().join("attachments"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("yijian serve starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = plain_client();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not come up"
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client without cookies that does not follow redirects: each request names its session.
fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn free_port() -> u16 {
    MailSink::unused_port()
}

on_both_backends! {
    async fn comments_acknowledged_before_a_sigkill_are_kept_and_receipted_once(db: TestDb) {
        let pool = db.pool();
        db::run(&pool, |conn| {
            yijian::seed::demo(conn, chrono::Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("demo");
        // Twenty comments per account in ten minutes: enough accounts for the whole stream.
        let sessions = Rc::new(accounts(&pool, "kill", 40).await);
        let sink = MailSink::start();
        let port = free_port();
        let mut server = Server::start(&db, &sink, port).await;

        // Four posters stream comments; the server is killed once 40 are acknowledged.
        let acknowledged: Rc<RefCell<Vec<String>>> = Rc::default();
        let killed = Rc::new(RefCell::new(false));
        let posters = (0..4).map(|p| {
            let (sessions, acknowledged, killed, base) =
                (sessions.clone(), acknowledged.clone(), killed.clone(), server.base.clone());
            async move {
                let client = plain_client();
                let mut lost = 0;
                for k in 0.. {
                    let n = p * 1000 + k;
                    let session = &sessions[(p * 10 + k / 20) % sessions.len()];
                    match post_comment(&client, &base, session, n).await {
                        Posted::Acknowledged(t) => acknowledged.borrow_mut().push(t),
                        Posted::Refused(status, body) => {
                            panic!("before the kill, comment {n} got {status}: {body}")
                        }
                        Posted::Lost => lost += 1,
                    }
                    if *killed.borrow() && lost > 0 {
                        break;
                    }
                }
            }
        });
        let killer = async {
            while acknowledged.borrow().len() < 40 {
                actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            }
            // SIGKILL: no shutdown hook runs, whatever was in flight is cut.
            server.child.kill().expect("SIGKILL");
            server.child.wait().expect("reaped");
            *killed.borrow_mut() = true;
        };
        futures_util::future::join(futures_util::future::join_all(posters), killer).await;
        let before_restart = acknowledged.borrow().clone();

        let server = Server::start(&db, &sink, port).await;
        let client = plain_client();
        for n in 0..5 {
            match post_comment(&client, &server.base, &sessions[39], 9000 + n).await {
                Posted::Acknowledged(t) => acknowledged.borrow_mut().push(t),
                Posted::Refused(status, body) => panic!("after the restart: {status} {body}"),
                Posted::Lost => panic!("after the restart: no answer"),
            }
        }

        // The restarted worker delivers whatever was left in the outbox.
        let started = Instant::now();
        while unsent(&pool).await > 0 {
            assert!(started.elapsed() < Duration::from_secs(60), "the outbox did not drain");
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        let in_db = stored(&pool).await;
        let acknowledged = acknowledged.borrow().clone();
        for t in &acknowledged {
            assert!(in_db.contains(t), "{t} was acknowledged but is not in the database");
        }
        // Every stored comment (acknowledged or committed just before the kill) has its receipt;
        // a mail sent again after the crash carries the same Message-ID, so it is one receipt.
        let mut receipts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in sink.messages() {
            let parsed = m.parsed();
            let text = parsed.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
            if let Some(t) = in_db.iter().find(|t| text.contains(t.as_str())) {
                receipts.entry(t.clone()).or_default().push(parsed.message_id().unwrap_or_default().to_owned());
            }
        }
        let mut copies = 0;
        for t in &in_db {
            let ids = receipts.get(t).cloned().unwrap_or_default();
            assert!(!ids.is_empty(), "no receipt for {t}");
            let distinct: BTreeSet<_> = ids.iter().collect();
            assert_eq!(distinct.len(), 1, "{t} got different receipts: {ids:?}");
            copies += ids.len() - 1;
        }
        println!(
            "SIGKILL after {} acknowledged comments: {} in the database after restart (+5 posted after it), {} receipts, {} resent copies with the same Message-ID",
            before_restart.len(), in_db.len(), receipts.len(), copies
        );
        drop(server);
    }
}

/// The test database's name, from its URL.
fn database_name(db: &TestDb) -> String {
    url::Url::parse(&db.url_string())
        .expect("URL")
        .path()
        .trim_start_matches('/')
        .to_owned()
}

/// Ends every connection to `name` but the admin's own.
fn terminate_backends(admin: &str, name: &str) -> usize {
    #[derive(QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ended: bool,
    }
    let mut conn = diesel::pg::PgConnection::establish(admin).expect("admin connection");
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .load::<Ended>(&mut conn)
    .expect("terminate")
    .into_iter()
    .filter(|e| e.ended)
    .count()
}

#[actix_web::test]
async fn postgres_connections_cut_mid_load_give_503_pages_and_the_server_recovers_by_itself() {
    let Some(admin) = crate::harness::pg_admin_url() else {
        return;
    };
    let app = TestApp::spawn(Backend::Postgres)
        .await
        .expect("PostgreSQL app");
    app.seed_demo().await;
    let name = database_name(&app.db);
    // Forty accounts per poster, twenty comments each: more than a poster sends in the test, so
    // the per-account limit never answers instead of the database.
    let sessions = Rc::new(accounts(&app.pool, "cut", 121).await);
    let acknowledged: Rc<RefCell<Vec<String>>> = Rc::default();
    let statuses: Rc<RefCell<BTreeMap<u16, usize>>> = Rc::default();
    let stop = Rc::new(RefCell::new(false));
    let base = app.base.clone();

    let load = (0..3).map(|p| {
        let (sessions, acknowledged, statuses, stop, base) = (
            sessions.clone(),
            acknowledged.clone(),
            statuses.clone(),
            stop.clone(),
            base.clone(),
        );
        async move {
            let client = plain_client();
            let mut k = 0;
            while !*stop.borrow() {
                let Some(session) = sessions[p * 40..(p + 1) * 40].get(k / 20) else {
                    panic!("poster {p} ran out of accounts");
                };
                match post_comment(&client, &base, session, p * 10_000 + k).await {
                    Posted::Acknowledged(t) => {
                        acknowledged.borrow_mut().push(t);
                        *statuses.borrow_mut().entry(303).or_default() += 1;
                    }
                    Posted::Refused(status, body) => {
                        assert!(status == 503, "a comment got {status}: {body}");
                        assert!(
                            body.contains("服务暂时不可用"),
                            "a 503 without its page: {body}"
                        );
                        *statuses.borrow_mut().entry(status).or_default() += 1;
                    }
                    Posted::Lost => panic!("the server stopped answering"),
                }
                // A signed-in read too: it skips the anonymous page cache and reaches the database.
                let read = client
                    .get(format!("{base}/c/{}/a/5", yijian::seed::DEMO_SLUG))
                    .header("cookie", format!("yj_session={session}; yj_csrf={CSRF}"))
                    .send()
                    .await
                    .expect("answer");
                let status = read.status().as_u16();
                let body = read.text().await.unwrap_or_default();
                assert!(
                    status == 200 || status == 503,
                    "a read got {status}: {body}"
                );
                if status == 503 {
                    assert!(
                        body.contains("服务暂时不可用"),
                        "a 503 without its page: {body}"
                    );
                }
                *statuses.borrow_mut().entry(status + 10_000).or_default() += 1;
                k += 1;
            }
        }
    });
    let cutter = async {
        let mut ended = 0;
        for _ in 0..5 {
            actix_web::rt::time::sleep(Duration::from_millis(300)).await;
            let (admin, name) = (admin.clone(), name.clone());
            ended += actix_web::rt::task::spawn_blocking(move || terminate_backends(&admin, &name))
                .await
                .expect("terminated");
        }
        // Recovery: within a few seconds, without a restart, everything answers again.
        actix_web::rt::time::sleep(Duration::from_secs(3)).await;
        *stop.borrow_mut() = true;
        ended
    };
    let (_, ended) = futures_util::future::join(futures_util::future::join_all(load), cutter).await;
    assert!(ended > 0, "no connection was cut");

    let client = plain_client();
    for n in 0..10 {
        match post_comment(&client, &base, &sessions[120], 90_000 + n).await {
            Posted::Acknowledged(t) => acknowledged.borrow_mut().push(t),
            Posted::Refused(status, body) => panic!("after recovery: {status} {body}"),
            Posted::Lost => panic!("after recovery: no answer"),
        }
    }
    let in_db = stored(&app.pool).await;
    for t in acknowledged.borrow().iter() {
        assert!(
            in_db.contains(t),
            "{t} was acknowledged but is not in the database"
        );
    }
    let statuses = statuses.borrow();
    println!(
        "{ended} connections cut: comments {:?} 303 / {:?} 503, reads {:?} 200 / {:?} 503; all {} acknowledged comments kept",
        statuses.get(&303),
        statuses.get(&503),
        statuses.get(&10_200),
        statuses.get(&10_503),
        acknowledged.borrow().len()
    );
}
