//! The outbox: every mail is queued in the database and delivered by a worker over real SMTP (or
//! into `.eml` files), once, even when the relay is down for a while or a worker dies mid-send.

use std::collections::HashSet;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use mail_parser::MimeHeaders;

use yijian::db::schema::outbox;
use yijian::db::{self, DbPool};
use yijian::mail::{self, OutgoingMail, SendReport, Transport};

use crate::harness::{MailSink, Received, TestDb, test_config};
use crate::on_both_backends;

fn receipt(key: &str, to: &str) -> OutgoingMail {
    OutgoingMail {
        key: key.to_owned(),
        to: to.to_owned(),
        subject: format!("意见已收到 · {key}"),
        text: format!("您对第五条的意见已收到。\n跟踪编号：{key}"),
        html: format!("<p>您对第五条的意见已收到。</p><p>跟踪编号：<b>{key}</b></p>"),
    }
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Queues `mails` in one transaction, as the change causing them would; returns which were new.
async fn enqueue(pool: &DbPool, mails: Vec<OutgoingMail>, at: NaiveDateTime) -> Vec<bool> {
    db::run(pool, move |conn| {
        db::transaction(conn, |conn| {
            mails.iter().map(|m| mail::enqueue(conn, m, at)).collect()
        })
    })
    .await
    .expect("enqueued")
}

fn smtp_transport(db: &TestDb, sink_url: &str) -> Transport {
    let mut config = test_config(db);
    config.smtp_url = Some(url::Url::parse(sink_url).expect("URL"));
    Transport::from_config(&config).expect("transport")
}

/// One outbox row as the tests inspect it.
#[derive(Queryable, Debug)]
struct Row {
    id: i32,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    locked_until: Option<NaiveDateTime>,
    sent_at: Option<NaiveDateTime>,
    last_error: Option<String>,
}

async fn rows(pool: &DbPool) -> Vec<Row> {
    db::run(pool, |conn| {
        Ok(outbox::table
            .select((
                outbox::id,
                outbox::attempts,
                outbox::next_attempt_at,
                outbox::locked_until,
                outbox::sent_at,
                outbox::last_error,
            ))
            .order(outbox::id)
            .load(conn)?)
    })
    .await
    .expect("outbox rows")
}

async fn drive(pool: &DbPool, transport: &Transport, at: NaiveDateTime) -> SendReport {
    mail::run_until_empty_at(pool, transport, at)
        .await
        .expect("outbox runs")
}

/// Checks one received message against the mail that was queued as outbox row `id`.
fn assert_delivered(got: &Received, queued: &OutgoingMail, id: i32) {
    assert_eq!(
        got.to,
        std::slice::from_ref(&queued.to),
        "envelope recipient"
    );
    assert_eq!(
        got.from, "noreply@localhost",
        "envelope sender is MAIL_FROM"
    );
    let msg = got.parsed();
    assert_eq!(msg.subject(), Some(queued.subject.as_str()));
    let to = msg.to().and_then(|a| a.first()).and_then(|a| a.address());
    assert_eq!(to, Some(queued.to.as_str()));
    let message_id = msg.message_id().expect("a Message-ID");
    assert!(
        message_id.starts_with(&format!("outbox-{id}.")) && message_id.ends_with("@127.0.0.1"),
        "Message-ID derives from the row and BASE_URL's host: {message_id}"
    );
    let content_type = msg.content_type().expect("a Content-Type");
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("multipart", Some("alternative"))
    );
    let text = msg.body_text(0).expect("a text part").replace("\r\n", "\n");
    assert_eq!(text.trim_end(), queued.text);
    let html = msg
        .body_html(0)
        .expect("an HTML part")
        .replace("\r\n", "\n");
    assert_eq!(
        html.trim_end(),
        queued.html,
        "the HTML part as rendered, not made from the text"
    );
}

on_both_backends! {
    async fn a_queued_mail_is_delivered_once_over_smtp(db: TestDb) {
        let pool = db.pool();
        let sink = MailSink::start();
        let transport = smtp_transport(&db, &sink.url());
        let queued = receipt("receipt:ZJ-2026-000001", "citizen@example.cn");
        assert_eq!(enqueue(&pool, vec![queued.clone()], now()).await, [true]);

        let report = mail::run_until_empty(&pool, &transport).await.expect("runs");
        assert_eq!(report, SendReport { sent: 1, failed: 0 });
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        let row = &rows(&pool).await[0];
        assert_delivered(&got[0], &queued, row.id);
        assert!(row.sent_at.is_some() && row.locked_until.is_none(), "{row:?}");
        assert_eq!((row.attempts, row.last_error.as_deref()), (0, None));

        let again = mail::run_until_empty(&pool, &transport).await.expect("runs");
        assert_eq!(again, SendReport::default(), "a sent mail is not sent again");
        assert_eq!(sink.messages().len(), 1);
        assert_eq!(rows(&pool).await.len(), 1, "sent rows are kept");
    }
}

on_both_backends! {
    async fn enqueueing_the_same_key_twice_queues_one_mail(db: TestDb) {
        let pool = db.pool();
        let first = receipt("digest:7:2026-W48", "subscriber@example.cn");
        let mut second = first.clone();
        second.subject = "a re-rendered digest".into();
        assert_eq!(enqueue(&pool, vec![first.clone(), second.clone()], now()).await, [true, false]);
        let later = enqueue(&pool, vec![second], now()).await;
        assert_eq!(later, [false], "in a later transaction too");
        assert_eq!(rows(&pool).await.len(), 1);

        let sink = MailSink::start();
        let report = drive(&pool, &smtp_transport(&db, &sink.url()), now()).await;
        assert_eq!(report.sent, 1);
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].parsed().subject(), Some(first.subject.as_str()), "the first one wins");
    }
}

on_both_backends! {
    async fn mail_queued_while_smtp_is_down_is_sent_once_after_it_comes_back(db: TestDb) {
        let pool = db.pool();
        let port = MailSink::unused_port();
        let transport = smtp_transport(&db, &format!("smtp://127.0.0.1:{port}"));
        let t0 = now();
        let queued = receipt("receipt:ZJ-2026-000002", "citizen@example.cn");
        enqueue(&pool, vec![queued.clone()], t0).await;

        let report = drive(&pool, &transport, t0).await;
        assert_eq!(report, SendReport { sent: 0, failed: 1 });
        let row = &rows(&pool).await[0];
        assert_eq!(row.attempts, 1);
        assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()), "{row:?}");
        assert!(row.next_attempt_at >= t0 + TimeDelta::seconds(30), "backs off: {row:?}");
        assert!(row.sent_at.is_none() && row.locked_until.is_none(), "{row:?}");
        assert_eq!(drive(&pool, &transport, t0).await, SendReport::default(), "not due yet");

        let sink = MailSink::start_on(port);
        let due = row.next_attempt_at + TimeDelta::seconds(1);
        assert_eq!(drive(&pool, &transport, due).await, SendReport { sent: 1, failed: 0 });
        let much_later = due + TimeDelta::hours(2);
        assert_eq!(drive(&pool, &transport, much_later).await, SendReport::default());
        let got = sink.messages();
        assert_eq!(got.len(), 1, "sent exactly once");
        assert_delivered(&got[0], &queued, row.id);
        let row = &rows(&pool).await[0];
        assert!(row.sent_at.is_some(), "{row:?}");
        assert_eq!(row.attempts, 1, "the failed attempt stays on record");
    }
}

on_both_backends! {
    async fn a_lease_left_by_a_crashed_worker_expires_and_the_mail_is_sent(db: TestDb) {
        let pool = db.pool();
        let sink = MailSink::start();
        let transport = smtp_transport(&db, &sink.url());
        let t0 = now();
        enqueue(&pool, vec![receipt("receipt:ZJ-2026-000003", "citizen@example.cn")], t0).await;

        // A worker claims the mail and dies before sending or recording anything.
        let lease = TimeDelta::minutes(10);
        let claimed = db::run(&pool, move |conn| db::outbox::claim_due(conn, t0, lease, 20))
            .await
            .expect("claimed");
        assert_eq!(claimed.mails.len(), 1);

        let meanwhile = drive(&pool, &transport, t0 + TimeDelta::minutes(1)).await;
        assert_eq!(meanwhile, SendReport::default(), "nobody takes a mail under lease");
        assert!(sink.messages().is_empty());

        let after = t0 + lease + TimeDelta::seconds(1);
        assert_eq!(drive(&pool, &transport, after).await, SendReport { sent: 1, failed: 0 });
        assert_eq!(sink.messages().len(), 1);
        let row = &rows(&pool).await[0];
        assert!(row.sent_at.is_some() && row.locked_until.is_none(), "{row:?}");
    }
}

on_both_backends! {
    async fn two_workers_never_send_the_same_mail_twice(db: TestDb) {
        const MAILS: usize = 150;
        let sink = MailSink::start();
        let mails = (0..MAILS)
            .map(|i| receipt(&format!("receipt:{i}"), &format!("reader{i}@example.cn")))
            .collect();
        let (pool_a, pool_b) = (db.pool(), db.pool());
        enqueue(&pool_a, mails, now()).await;

        // Two instances: separate pools and SMTP clients, running at the same time.
        let instances = [pool_a, pool_b].map(|pool| (pool, smtp_transport(&db, &sink.url())));
        let workers = instances.map(|(pool, transport)| {
            tokio::spawn(async move { mail::run_until_empty(&pool, &transport).await })
        });
        let mut reports = Vec::new();
        for worker in workers {
            reports.push(worker.await.expect("worker joined").expect("worker ran"));
        }
        assert_eq!(reports.iter().map(|r| r.sent).sum::<usize>(), MAILS, "{reports:?}");
        assert!(reports.iter().all(|r| r.sent > 0 && r.failed == 0), "both worked: {reports:?}");

        let got = sink.messages();
        let ids: HashSet<String> = got
            .iter()
            .map(|m| m.parsed().message_id().expect("Message-ID").to_owned())
            .collect();
        assert_eq!((got.len(), ids.len()), (MAILS, MAILS), "each mail exactly once");
    }
}

on_both_backends! {
    async fn without_smtp_mails_are_written_as_eml_files(db: TestDb) {
        let pool = db.pool();
        let transport = Transport::from_config(&test_config(&db)).expect("transport");
        assert!(transport.describe().contains(&db.mail_dir.path().display().to_string()));
        let queued = vec![
            receipt("receipt:ZJ-2026-000004", "a@example.cn"),
            receipt("receipt:ZJ-2026-000005", "b@example.cn"),
        ];
        enqueue(&pool, queued.clone(), now()).await;

        assert_eq!(drive(&pool, &transport, now()).await, SendReport { sent: 2, failed: 0 });
        let mut files: Vec<String> = std::fs::read_dir(db.mail_dir.path())
            .expect("MAIL_DIR")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let rows = rows(&pool).await;
        let expected: Vec<String> = rows.iter().map(|r| format!("outbox-{}.eml", r.id)).collect();
        assert_eq!(files, expected, "one file per mail, nothing half-written left");
        for (row, mail) in rows.iter().zip(&queued) {
            let data = std::fs::read(db.mail_dir.path().join(format!("outbox-{}.eml", row.id)))
                .expect("eml");
            let to = vec![mail.to.clone()];
            let file = Received { from: "noreply@localhost".into(), to, data };
            assert_delivered(&file, mail, row.id);
        }
    }
}

on_both_backends! {
    async fn smtp_credentials_in_the_url_log_in_to_the_relay(db: TestDb) {
        let pool = db.pool();
        let sink = MailSink::start_with_login("yijian", "p@ss word");
        let port = sink.port();
        enqueue(&pool, vec![receipt("receipt:ZJ-2026-000006", "citizen@example.cn")], now()).await;

        let wrong = smtp_transport(&db, &format!("smtp://yijian:guess@127.0.0.1:{port}"));
        assert_eq!(drive(&pool, &wrong, now()).await, SendReport { sent: 0, failed: 1 });
        let error = rows(&pool).await[0].last_error.clone().unwrap_or_default();
        assert!(error.contains("535"), "the relay's refusal is recorded: {error}");

        let right = smtp_transport(&db, &format!("smtp://yijian:p%40ss%20word@127.0.0.1:{port}"));
        let later = now() + TimeDelta::minutes(5);
        assert_eq!(drive(&pool, &right, later).await, SendReport { sent: 1, failed: 0 });
        assert_eq!(sink.messages().len(), 1);
    }
}

on_both_backends! {
    async fn the_running_application_delivers_queued_mail_by_itself(app) {
        let queued = receipt("receipt:ZJ-2026-000007", "citizen@example.cn");
        enqueue(&app.pool, vec![queued.clone()], now()).await;
        let got = app.mail.wait_for(1).await;
        let row = &rows(&app.pool).await[0];
        assert_delivered(&got[0], &queued, row.id);

        assert_eq!(app.run_outbox_until_empty().await, SendReport::default());
        actix_web::rt::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert_eq!(app.mail.messages().len(), 1, "the next poll does not send it again");
    }
}
