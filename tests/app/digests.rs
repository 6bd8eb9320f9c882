//! Digests: subscribing by e-mail (double opt-in), the daily digest through the outbox to a real
//! SMTP server, one-click unsubscribing, and delivery that neither loses nor doubles a digest.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use yijian::config::SecretKey;
use yijian::consultations::Consultation;
use yijian::db::schema::{outbox, subscriptions as subs_table};
use yijian::db::subscriptions::NewSubscriptionRow;
use yijian::db::{self, DbPool};
use yijian::mail::digest::{self, Period, RunReport};
use yijian::mail::{self, SendReport, Transport};
use yijian::subscriptions::{self, Frequency, Links, unsubscribe_token};

use crate::accounts::{PASSWORD, register};
use crate::harness::{Browser, MailSink, Received, TestApp, TestDb, csrf_of, test_config};
use crate::on_both_backends;

const SLUG: &str = "ai-service-safety";
const ARTICLE: &str = "/c/ai-service-safety/a/5";

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// The links the application puts in its mails: its own secret key, and `base`.
pub fn links_for(db: &TestDb, base: &str) -> Links {
    let (_, secret) = yijian::app::prepare_database(&test_config(db)).expect("database ready");
    Links {
        base_url: url::Url::parse(base).expect("base URL"),
        secret,
    }
}

/// Runs the digests of `period` now, as the periodic task would.
pub async fn run_period(pool: &DbPool, links: &Links, period: &Period) -> RunReport {
    let (links, period) = (links.clone(), period.clone());
    db::run(pool, move |conn| {
        digest::run(conn, &links, &period, now(), false, &mut |_, _| {})
    })
    .await
    .expect("digest run")
}

/// The plain-text part of a mail, with Unix line ends.
pub fn text_of(mail: &Received) -> String {
    mail.parsed()
        .body_text(0)
        .expect("a text part")
        .replace("\r\n", "\n")
}

/// The value of the mail header `name`.
pub fn header(mail: &Received, name: &str) -> Option<String> {
    mail.parsed()
        .headers_raw()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned())
}

/// The 64-hex-digit token after `marker` in `text`.
fn token_after(text: &str, marker: &str) -> String {
    let start = text.find(marker).expect("the link is in the mail") + marker.len();
    text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

/// A registered citizen whose address is verified (directly in the database).
pub async fn citizen(app: &TestApp, email: &str, name: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, name, PASSWORD).await.status, 303);
    app.mark_verified(email).await;
    b
}

on_both_backends! {
    async fn a_subscriber_confirms_gets_the_daily_digest_and_unsubscribes_with_one_click(app) {
        app.seed_demo().await;
        let links = links_for(&app.db, &format!("{}/", app.base));
        let today = Period::containing(Frequency::Daily, now());
        let reader = app.new_browser();

        // Subscribe to article 5 without an account. The reading pages link to the form: they may
        // be served to several anonymous readers, so they carry no CSRF token.
        let (_, article_page) = reader.get(ARTICLE).await;
        assert!(article_page.contains("href=\"/c/ai-service-safety/subscribe?article=5\""), "the article page links to it");
        assert!(!article_page.contains("name=\"csrf\""), "an anonymous reading page holds no CSRF token");
        let (_, front) = reader.get(&format!("/c/{SLUG}")).await;
        assert!(front.contains("href=\"/c/ai-service-safety/subscribe\""), "and so does the consultation page");
        let (status, page) = reader.get(&format!("/c/{SLUG}/subscribe?article=5")).await;
        assert_eq!(status, 200);
        assert!(page.contains("action=\"/c/ai-service-safety/subscribe\"") && page.contains("第五条"), "{page}");
        let reply = reader.post(&format!("/c/{SLUG}/subscribe"), &csrf_of(&page), &[
            ("email", "Li.Na@Example.cn"), ("frequency", "daily"), ("article", "5"),
        ]).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        assert_eq!(reply.location.as_deref(), Some("/c/ai-service-safety/a/5#subscribe"));

        app.run_outbox_until_empty().await;
        let confirmation = app.mail.wait_for(1).await.remove(0);
        assert_eq!(confirmation.to, ["li.na@example.cn"]);
        let text = text_of(&confirmation);
        assert!(text.contains("第五条"), "the mail says what is subscribed: {text}");
        let token = token_after(&text, "/subscriptions/confirm?token=");
        assert_eq!(token.len(), 64);

        // Activity before the confirmation: nothing goes to an unconfirmed address.
        let author = citizen(&app, "zhang.wei@example.com", "张伟").await;
        let posted = author.submit(ARTICLE, &format!("{ARTICLE}/comments"), &[
            ("stance", "amend"), ("body", "建议把报告时限写清楚，“及时”过于模糊。"),
            ("proposed_text", ""), ("visibility", "named"),
        ]).await;
        assert_eq!(posted.status, 303, "{}", posted.body);
        let unconfirmed = run_period(&app.pool, &links, &today).await;
        assert_eq!((unconfirmed.subscriptions, unconfirmed.queued), (0, 0));

        // The link opens a page with a button; only the POST confirms.
        let (status, confirm_page) = reader.get(&format!("/subscriptions/confirm?token={token}")).await;
        assert_eq!(status, 200);
        assert!(confirm_page.contains("确认订阅"));
        let confirmed = reader.post("/subscriptions/confirm", &csrf_of(&confirm_page), &[("token", &token)]).await;
        assert_eq!(confirmed.status, 303);
        assert_eq!(confirmed.location.as_deref(), Some("/c/ai-service-safety"));
        let again = reader.post("/subscriptions/confirm", &csrf_of(&confirm_page), &[("token", &token)]).await;
        assert_eq!(again.status, 400, "a confirmation link works once");

        let second = author.submit(ARTICLE, &format!("{ARTICLE}/comments"), &[
            ("stance", "support"), ("body", "赞成本条的总体思路。"),
            ("proposed_text", ""), ("visibility", "anonymous"),
        ]).await;
        assert_eq!(second.status, 303, "{}", second.body);
        app.run_outbox_until_empty().await;
        // Confirmation, verification and two receipts.
        let before = app.mail.wait_for(4).await.len();
        assert_eq!(before, 4);

        // The day's run: one digest, with the right content and the unsubscribe headers.
        let report = run_period(&app.pool, &links, &today).await;
        assert_eq!((report.subscriptions, report.queued, report.already), (1, 1, 0), "{report:?}");
        app.run_outbox_until_empty().await;
        let all = app.mail.wait_for(before + 1).await;
        let digest_mail = all.iter().find(|m| m.parsed().subject().is_some_and(|s| s.contains("每日摘要"))).expect("the digest");
        assert_eq!(digest_mail.to, ["li.na@example.cn"]);
        let subject = digest_mail.parsed().subject().expect("subject").to_owned();
        assert!(subject.contains("每日摘要") && subject.contains("第五条"), "{subject}");
        let body = text_of(digest_mail);
        assert!(body.contains("新增意见 2 条"), "{body}");
        assert!(body.contains("支持: 1") && body.contains("修改建议: 1"), "counts by stance: {body}");
        assert!(body.contains("个人: 2"), "counts by stakeholder type: {body}");
        assert!(body.contains("建议把报告时限写清楚"), "the most endorsed are quoted: {body}");
        assert!(body.contains(&format!("{ARTICLE}#c-YJ-")), "with links: {body}");
        let html = digest_mail.parsed().body_html(0).expect("an HTML part").into_owned();
        assert!(html.contains("<h1") && html.contains("修改建议"), "{html}");
        let list_unsubscribe = header(digest_mail, "List-Unsubscribe").expect("List-Unsubscribe");
        assert_eq!(header(digest_mail, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
        let unsubscribe_url = list_unsubscribe.trim_matches(['<', '>']).to_owned();
        assert!(unsubscribe_url.starts_with(&format!("{}/unsubscribe/", app.base)), "{unsubscribe_url}");
        assert!(body.contains(&unsubscribe_url), "the body carries the same link");
        assert!(!unsubscribe_url.contains("li.na"), "the token reveals nothing");

        // A second run of the same period sends nothing.
        let rerun = run_period(&app.pool, &links, &today).await;
        assert_eq!((rerun.queued, rerun.already), (0, 1));
        assert_eq!(app.run_outbox_until_empty().await, SendReport::default());

        // The link in the body opens a page; a GET changes nothing.
        let page = reqwest::get(&unsubscribe_url).await.expect("GET");
        assert_eq!(page.status().as_u16(), 200);
        assert!(page.text().await.expect("body").contains("method=\"post\""), "a page with a button");
        assert_eq!(count_subscriptions(&app.pool).await, 1, "a GET does not unsubscribe");

        // The mail client's one-click POST: no cookie, no CSRF token.
        let one_click = reqwest::Client::new().post(&unsubscribe_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click").send().await.expect("POST");
        assert_eq!(one_click.status().as_u16(), 200);
        assert_eq!(count_subscriptions(&app.pool).await, 0);

        // No further mail, even for a period full of activity.
        let after = run_period(&app.pool, &links, &Period::containing(Frequency::Daily, now())).await;
        assert_eq!(after.subscriptions, 0);
        assert_eq!(app.run_outbox_until_empty().await, SendReport::default());
        assert_eq!(app.mail.messages().len(), before + 1);
    }
}

/// How many subscriptions exist, confirmed or not.
pub async fn count_subscriptions(pool: &DbPool) -> i64 {
    db::run(pool, |conn| {
        Ok(subs_table::table.count().get_result::<i64>(conn)?)
    })
    .await
    .expect("count")
}

on_both_backends! {
    async fn a_signed_in_user_subscribes_with_one_click_and_manages_the_subscriptions(app) {
        app.seed_demo().await;
        let b = citizen(&app, "wang.fang@example.com", "王芳").await;
        let (_, page) = b.get(&format!("/c/{SLUG}")).await;
        assert!(page.contains("wang.fang@example.com"), "the form names the account's address");
        let reply = b.post(&format!("/c/{SLUG}/subscribe"), &csrf_of(&page), &[("frequency", "weekly")]).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let confirmations = db::run(&app.pool, |conn| Ok(db::outbox::count_keyed(conn, "subscribe:")?)).await.expect("count");
        assert_eq!(confirmations, 0, "a verified account needs no confirmation mail");

        let (status, list) = b.get("/subscriptions").await;
        assert_eq!(status, 200);
        assert!(list.contains("人工智能服务安全治理办法") && list.contains("每周") && list.contains("已生效"), "{list}");

        // Subscribing again with another frequency replaces the subscription.
        let reply = b.post(&format!("/c/{SLUG}/subscribe"), &csrf_of(&page), &[("frequency", "daily")]).await;
        assert_eq!(reply.status, 303);
        assert_eq!(count_subscriptions(&app.pool).await, 1);

        // Someone else cannot end it; the owner can.
        let id: i32 = db::run(&app.pool, |conn| Ok(subs_table::table.select(subs_table::id).first(conn)?))
            .await.expect("id");
        let other = citizen(&app, "intruder@example.com", "路人").await;
        let (_, other_page) = other.get("/subscriptions").await;
        let refused = other.post(&format!("/subscriptions/{id}/delete"), &csrf_of(&other_page), &[]).await;
        assert_eq!(refused.status, 404);
        let (_, list) = b.get("/subscriptions").await;
        let removed = b.post(&format!("/subscriptions/{id}/delete"), &csrf_of(&list), &[]).await;
        assert_eq!(removed.status, 303);
        assert_eq!(count_subscriptions(&app.pool).await, 0);

        // Anonymous visitors are sent to log in; bad input is a 400 page, not a 500.
        assert_eq!(app.new_browser().get("/subscriptions").await.0, 303);
        let anon = app.new_browser();
        let (_, page) = anon.get(&format!("/c/{SLUG}/subscribe")).await;
        for fields in [
            vec![("email", "not-an-address"), ("frequency", "daily")],
            vec![("email", "a@example.cn"), ("frequency", "hourly")],
            vec![("email", "a@example.cn"), ("frequency", "daily"), ("article", "9999")],
            vec![("email", "a@example.cn"), ("frequency", "daily"), ("article", "五")],
        ] {
            let r = anon.post(&format!("/c/{SLUG}/subscribe"), &csrf_of(&page), &fields).await;
            assert!(r.status == 400 || r.status == 404, "{fields:?}: {}", r.status);
        }
        assert_eq!(anon.get("/unsubscribe/not-a-token").await.0, 400);
        assert_eq!(anon.get(&format!("/c/{SLUG}/subscribe?article=9999")).await.0, 404);
        assert_eq!(anon.get(&format!("/c/{SLUG}/subscribe?article=x")).await.0, 400);

        // Deleting the account ends its subscriptions: no digest goes to a deleted account's address.
        let (_, own_page) = b.get(&format!("/c/{SLUG}")).await;
        let reply = b.post(&format!("/c/{SLUG}/subscribe"), &csrf_of(&own_page), &[("frequency", "daily")]).await;
        assert_eq!(reply.status, 303);
        assert_eq!(count_subscriptions(&app.pool).await, 1);
        db::run(&app.pool, |conn| {
            let user = db::accounts::user_by_email(conn, "wang.fang@example.com")?.expect("account");
            yijian::accounts::delete_account(conn, user.id, now())
        }).await.expect("deleted");
        assert_eq!(count_subscriptions(&app.pool).await, 0);
    }
}

/// The demo consultation, created at `at`.
async fn demo(pool: &DbPool, at: NaiveDateTime) -> Consultation {
    db::run(pool, move |conn| {
        yijian::seed::demo(conn, at).map_err(|e| db::DbError::Migration(e.to_string()))?;
        Ok(db::consultations::by_slug(conn, SLUG)?.expect("demo"))
    })
    .await
    .expect("demo seeded")
}

/// `n` confirmed daily subscriptions to consultation `c`, confirmed at `at`.
async fn subscribers(
    pool: &DbPool,
    secret: &SecretKey,
    c: &Consultation,
    n: usize,
    at: NaiveDateTime,
) {
    let (id, secret) = (c.id, secret.clone());
    db::run(pool, move |conn| {
        db::transaction(conn, |conn| {
            for i in 0..n {
                let nonce = format!("{i:064x}");
                let hash = yijian::accounts::token_hash(&unsubscribe_token(&secret, &nonce));
                db::subscriptions::insert(
                    conn,
                    &NewSubscriptionRow {
                        email: &format!("reader{i}@example.cn"),
                        user_id: None,
                        consultation_id: Some(id),
                        topic: None,
                        risk_tier: None,
                        article_id: None,
                        frequency: "daily",
                        locale: if i % 2 == 0 { "zh-CN" } else { "en" },
                        confirm_hash: None,
                        unsubscribe_nonce: &nonce,
                        unsubscribe_hash: &hash,
                        created_at: at,
                        confirmed_at: Some(at),
                    },
                )?;
            }
            Ok(())
        })
    })
    .await
    .expect("subscribers");
}

fn transport_to(db: &TestDb, port: u16) -> Transport {
    let mut config = test_config(db);
    config.smtp_url = Some(url::Url::parse(&format!("smtp://127.0.0.1:{port}")).expect("URL"));
    Transport::from_config(&config).expect("transport")
}

on_both_backends! {
    async fn with_smtp_down_every_digest_is_delivered_once_after_recovery(db: TestDb) {
        let pool = db.pool();
        let links = links_for(&db, "https://yijian.example.gov.cn/");
        let c = demo(&pool, now()).await;
        subscribers(&pool, &links.secret, &c, 12, c.opens_at - Duration::days(1)).await;
        // The day the window opened: every subscriber has news.
        let period = Period::containing(Frequency::Daily, c.opens_at);
        let report = run_period(&pool, &links, &period).await;
        assert_eq!((report.subscriptions, report.queued), (12, 12), "{report:?}");

        let port = MailSink::unused_port();
        let down = transport_to(&db, port);
        let failed = mail::run_until_empty(&pool, &down).await.expect("runs");
        assert_eq!(failed, SendReport { sent: 0, failed: 12 });

        // The run is repeated while the relay is down: nothing new is queued.
        let rerun = run_period(&pool, &links, &period).await;
        assert_eq!((rerun.queued, rerun.already), (0, 12));

        let sink = MailSink::start_on(port);
        let later = now() + Duration::hours(2);
        let sent = mail::run_until_empty_at(&pool, &down, later).await.expect("runs");
        assert_eq!(sent, SendReport { sent: 12, failed: 0 });
        let got = sink.wait_for(12).await;
        let recipients: HashSet<String> = got.iter().flat_map(|m| m.to.clone()).collect();
        assert_eq!((got.len(), recipients.len()), (12, 12), "each subscriber once");
        let english = got.iter().find(|m| m.to == ["reader1@example.cn"]).expect("reader1");
        let text = text_of(english);
        assert!(text.contains("The consultation has opened."), "in the subscriber's language: {text}");
        assert!(header(english, "List-Unsubscribe").is_some_and(|h| h.starts_with("<https://yijian.example.gov.cn/unsubscribe/")));
        assert_eq!(mail::run_until_empty_at(&pool, &down, later + Duration::hours(2)).await.expect("runs"), SendReport::default());
    }
}

on_both_backends! {
    async fn two_concurrent_runs_queue_each_digest_once(db: TestDb) {
        let pool = db.pool();
        let links = links_for(&db, "https://yijian.example.gov.cn/");
        let c = demo(&pool, now()).await;
        subscribers(&pool, &links.secret, &c, 120, c.opens_at - Duration::days(1)).await;
        let period = Period::containing(Frequency::Daily, c.opens_at);
        // Two instances: each its own connection, started together.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let runs: Vec<_> = (0..2).map(|_| {
            let (pool, links, period, barrier) = (pool.clone(), links.clone(), period.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("connection");
                barrier.wait();
                digest::run(&mut conn, &links, &period, now(), false, &mut |_, _| {}).expect("run")
            })
        }).collect();
        let reports: Vec<RunReport> = runs.into_iter().map(|t| t.join().expect("thread")).collect();
        assert_eq!(reports.iter().map(|r| r.queued).sum::<usize>(), 120, "{reports:?}");
        assert_eq!(reports.iter().map(|r| r.queued + r.already).sum::<usize>(), 240);
        let keys: i64 = db::run(&pool, |conn| Ok(outbox::table
            .filter(outbox::idempotency_key.like("digest:%"))
            .count().get_result(conn)?)).await.expect("count");
        assert_eq!(keys, 120);

        let sink = MailSink::start();
        let transport = transport_to(&db, sink.port());
        let sent = mail::run_until_empty(&pool, &transport).await.expect("runs");
        assert_eq!(sent.sent, 120);
        let recipients: HashSet<String> = sink.wait_for(120).await.iter().flat_map(|m| m.to.clone()).collect();
        assert_eq!(recipients.len(), 120);
    }
}

on_both_backends! {
    async fn unconfirmed_subscriptions_expire_after_seven_days(db: TestDb) {
        let pool = db.pool();
        let links = links_for(&db, "https://yijian.example.gov.cn/");
        demo(&pool, now()).await;
        let req = subscriptions::Request {
            email: "late@example.cn".into(),
            frequency: Frequency::Weekly,
            locale: yijian::i18n::Locale::ZhCn,
        };
        let links2 = links.clone();
        db::run(&pool, move |conn| {
            let target = subscriptions::target(conn, SLUG, None)?.expect("target");
            subscriptions::subscribe(conn, &target, &req, None, "127.0.0.1", &links2, now())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        }).await.expect("subscribed");
        assert_eq!(count_subscriptions(&pool).await, 1);
        let soon = run_period(&pool, &links, &Period::last_finished(Frequency::Weekly, now() + Duration::days(6))).await;
        assert_eq!((soon.expired, soon.subscriptions), (0, 0), "unconfirmed: nothing is sent");
        let links3 = links.clone();
        let expired = db::run(&pool, move |conn| {
            digest::run(conn, &links3, &Period::last_finished(Frequency::Weekly, now()), now() + Duration::days(8), false, &mut |_, _| {})
        }).await.expect("run");
        assert_eq!(expired.expired, 1);
        assert_eq!(count_subscriptions(&pool).await, 0);
    }
}

fn yijian_cli(db: &TestDb, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
        .args(args)
        .env("DATABASE_URL", db.url_string())
        .env("MAIL_DIR", db.mail_dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .expect("yijian runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[actix_web::test]
async fn send_digests_queues_and_sends_yesterdays_digests_once() {
    let db = TestDb::sqlite();
    let pool = db.pool();
    let links = links_for(&db, "http://127.0.0.1:8080/");
    // The demo opened yesterday (Beijing time): yesterday's digest reports it.
    let c = demo(&pool, now() + Duration::days(6)).await;
    assert_eq!(
        Period::last_finished(Frequency::Daily, now()),
        Period::containing(Frequency::Daily, c.opens_at)
    );
    subscribers(&pool, &links.secret, &c, 3, now() - Duration::days(2)).await;

    let (ok, out) = yijian_cli(&db, &["send-digests", "--period", "daily", "--dry-run"]);
    assert!(ok, "{out}");
    assert!(out.contains("3 digests rendered"), "{out}");
    let (ok, out) = yijian_cli(&db, &["send-digests", "--period", "daily"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("3 digests queued") && out.contains("3 mails sent"),
        "{out}"
    );
    let (ok, out) = yijian_cli(&db, &["send-digests"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("0 digests queued, 3 already queued") && out.contains("0 mails sent"),
        "{out}"
    );
    let files = std::fs::read_dir(db.mail_dir.path())
        .expect("mail dir")
        .count();
    assert_eq!(files, 3, "one .eml per subscriber");
}

#[test]
fn bench_digests_builds_queues_and_delivers() {
    let db = TestDb::sqlite();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yijian"))
        .args([
            "bench",
            "digests",
            "--subscribers",
            "300",
            "--send",
            "30",
            "--comments",
            "200",
        ])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .current_dir(db.mail_dir.path())
        .output()
        .expect("yijian runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("delivered 30 (0 failed)") && stdout.contains("the sink received 30"),
        "{stdout}"
    );
    assert!(
        stdout.contains("300 subscriptions") && stdout.contains("peak RSS"),
        "{stdout}"
    );
}

on_both_backends! {
    async fn new_consultations_reach_subscribers_of_their_tier_and_topic(app) {
        let links = links_for(&app.db, &format!("{}/", app.base));
        let reader = app.new_browser();
        let (status, home) = reader.get("/").await;
        assert_eq!(status, 200);
        assert!(home.contains("href=\"/subscribe\""), "the home page offers new consultations");
        let (status, index) = reader.get("/subscribe").await;
        assert_eq!(status, 200);
        assert!(index.contains("action=\"/subscribe\""));
        for (email, tier, topic) in [
            ("all@example.cn", "", ""),
            ("high@example.cn", "high", "生成式人工智能"),
            ("low@example.cn", "low", ""),
            ("other-topic@example.cn", "", "自动驾驶"),
        ] {
            let r = reader.post("/subscribe", &csrf_of(&index), &[
                ("email", email), ("frequency", "daily"), ("tier", tier), ("topic", topic),
            ]).await;
            assert_eq!(r.status, 303, "{}", r.body);
            assert_eq!(r.location.as_deref(), Some("/#subscribe"));
        }
        let bad = reader.post("/subscribe", &csrf_of(&index), &[
            ("email", "x@example.cn"), ("frequency", "daily"), ("tier", "extreme"), ("topic", ""),
        ]).await;
        assert_eq!(bad.status, 400);
        let long = "题".repeat(51);
        let bad = reader.post("/subscribe", &csrf_of(&index), &[
            ("email", "x@example.cn"), ("frequency", "daily"), ("tier", ""), ("topic", &long),
        ]).await;
        assert_eq!(bad.status, 400);

        // Confirm all four from their mails.
        app.run_outbox_until_empty().await;
        let confirmations = app.mail.wait_for(4).await;
        for m in &confirmations {
            assert!(text_of(m).contains("新发布的征求意见"), "{}", text_of(m));
            let token = token_after(&text_of(m), "/subscriptions/confirm?token=");
            let r = reader.post("/subscriptions/confirm", &csrf_of(&index), &[("token", &token)]).await;
            assert_eq!((r.status, r.location.as_deref()), (303, Some("/")));
        }

        // The demo (high risk, tagged 生成式人工智能) is published today.
        app.seed_demo().await;
        let report = run_period(&app.pool, &links, &Period::containing(Frequency::Daily, now())).await;
        assert_eq!((report.subscriptions, report.queued, report.quiet), (4, 2, 2), "{report:?}");
        app.run_outbox_until_empty().await;
        let all = app.mail.wait_for(6).await;
        let digests: Vec<&Received> = all[4..].iter().collect();
        let mut to: Vec<String> = digests.iter().flat_map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(to, ["all@example.cn", "high@example.cn"]);
        let body = text_of(digests[0]);
        assert!(body.contains("人工智能服务安全治理办法") && body.contains("/c/ai-service-safety"), "{body}");
    }
}

#[actix_web::test]
async fn the_server_sends_yesterdays_digests_by_itself() {
    let db = TestDb::sqlite();
    let pool = db.pool();
    let links = links_for(&db, "http://127.0.0.1:8080/");
    // The demo opened yesterday (Beijing time), before the server starts.
    let c = demo(&pool, now() + Duration::days(6)).await;
    subscribers(&pool, &links.secret, &c, 3, now() - Duration::days(2)).await;

    let sink = MailSink::start();
    let app = yijian::app::Application::build(crate::harness::test_config_with_smtp(&db, &sink), 1)
        .await
        .expect("app builds");
    actix_web::rt::spawn(app.run_until_stopped());
    // The scheduler's first run and the outbox worker's polling, with no help from the test.
    let got = sink.wait_for(3).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "reader0@example.cn",
            "reader1@example.cn",
            "reader2@example.cn"
        ]
    );
    assert!(
        got.iter()
            .all(|m| header(m, "List-Unsubscribe-Post").is_some())
    );
}

on_both_backends! {
    async fn a_digest_carries_the_drafters_response_to_the_article_followed(app) {
        app.seed_demo().await;
        let links = links_for(&app.db, &format!("{}/", app.base));
        let c = db::run(&app.pool, |conn| Ok(db::consultations::by_slug(conn, SLUG)?.expect("demo")))
            .await
            .expect("demo");
        subscribers(&app.pool, &links.secret, &c, 2, now() - Duration::days(1)).await;
        let drafter = citizen(&app, "drafter@example.gov.cn", "起草人员").await;
        let email = "drafter@example.gov.cn".to_owned();
        db::run(&app.pool, move |conn| {
            let c = db::consultations::by_slug(conn, SLUG)?.expect("demo");
            yijian::roles::grant(conn, c.id, &email, yijian::roles::Role::Drafter, now())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("granted");
        let (_, workspace) = drafter.get(&format!("/c/{SLUG}/dashboard/a/5")).await;
        let published = drafter.post(&format!("/c/{SLUG}/responses"), &csrf_of(&workspace), &[
            ("article", "5"), ("decision", "partly-adopted"), ("reasoning", "报告时限将明确为二十四小时。"),
        ]).await;
        assert_eq!(published.status, 303, "{}", published.body);

        let report = run_period(&app.pool, &links, &Period::containing(Frequency::Daily, now())).await;
        assert_eq!(report.queued, 2, "{report:?}");
        app.run_outbox_until_empty().await;
        let mails = app.mail.wait_for(2).await;
        let chinese = mails.iter().find(|m| m.to == ["reader0@example.cn"]).expect("reader0");
        let text = text_of(chinese);
        assert!(text.contains("起草机关的回应") && text.contains("第五条 · 部分采纳") && text.contains("报告时限将明确为二十四小时。"), "{text}");
        assert!(text.contains("/c/ai-service-safety/a/5"), "{text}");
        let english = text_of(mails.iter().find(|m| m.to == ["reader1@example.cn"]).expect("reader1"));
        assert!(english.contains("The drafters' responses"), "{english}");
    }
}

on_both_backends! {
    async fn a_digest_announces_a_revised_version_with_its_changes_page(db: TestDb) {
        let pool = db.pool();
        let links = links_for(&db, "https://yijian.example.gov.cn/");
        let c = demo(&pool, now()).await;
        subscribers(&pool, &links.secret, &c, 1, now() - Duration::days(1)).await;
        // Two readers follow one article each: 第七条, which the revision changes, and 第五条.
        let (id, version, secret) = (c.id, c.current_version_id.expect("text"), links.secret.clone());
        db::run(&pool, move |conn| {
            for (number, email) in [(7, "seventh@example.cn"), (5, "fifth@example.cn")] {
                let (article, _) = db::drafts::article_ref(conn, version, number)?.expect("article");
                let nonce = format!("{number:064x}");
                let hash = yijian::accounts::token_hash(&unsubscribe_token(&secret, &nonce));
                let at = now() - Duration::days(1);
                db::subscriptions::insert(conn, &NewSubscriptionRow {
                    email, user_id: None, consultation_id: Some(id), topic: None, risk_tier: None,
                    article_id: Some(article), frequency: "daily", locale: "zh-CN", confirm_hash: None,
                    unsubscribe_nonce: &nonce, unsubscribe_hash: &hash, created_at: at, confirmed_at: Some(at),
                })?;
            }
            Ok(())
        })
        .await
        .expect("article subscriptions");
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/seed/ai_safety_governance.txt"))
            .expect("demo text");
        let revised = text.replacen("第七条　", "第七条　（修订）", 1);
        assert_ne!(revised, text);
        let number = db::run(&pool, move |conn| {
            yijian::versions::publish(conn, &c, revised.as_bytes(), "revised.txt", &Default::default(), now())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("published");
        assert_eq!(number, 2);

        let report = run_period(&pool, &links, &Period::containing(Frequency::Daily, now())).await;
        assert_eq!(report.queued, 3, "{report:?}");
        let sink = MailSink::start();
        let transport = transport_to(&db, sink.port());
        mail::run_until_empty(&pool, &transport).await.expect("sent");
        let mails = sink.wait_for(3).await;
        let to = |address: &str| {
            mails.iter().find(|m| m.to.iter().any(|t| t.contains(address))).map(text_of).expect("mail")
        };
        let text = to("reader0@example.cn");
        assert!(text.contains("修订后的第 2 版已发布") && text.contains("https://yijian.example.gov.cn/c/ai-service-safety/versions/2/changes"), "{text}");
        // A follower of an article learns whether it changed, and lands on its diff.
        let seventh = to("seventh@example.cn");
        assert!(seventh.contains("修改了您关注的条文") && seventh.contains("/versions/2/changes#change-7"), "{seventh}");
        let fifth = to("fifth@example.cn");
        assert!(fifth.contains("您关注的条文未作修改") && !fifth.contains("#change-"), "{fifth}");
    }
}
