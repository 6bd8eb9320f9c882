//! The public record: every public event chained per consultation, receipts that name their entry,
//! signed heads, the download, offline verification that names the first bad line, and appends
//! that stay in one chain when many people post at once on several instances.

use std::process::Command;

use chrono::{Duration, NaiveDateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use yijian::app::Application;
use yijian::db::{self, DbPool};
use yijian::ledger::canonical::Json;
use yijian::ledger::verify::{self, Options, ReceiptClaim, VerifyError};
use yijian::ledger::{self, Event, scheduler};

use crate::accounts::{PASSWORD, register};
use crate::harness::{Browser, TestApp, csrf_of, test_config_with_smtp};
use crate::on_both_backends;

const SLUG: &str = "ai-service-safety";
const ARTICLE: &str = "/c/ai-service-safety/a/5";

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

async fn verified(app: &TestApp, email: &str, name: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, name, PASSWORD).await.status, 303);
    app.mark_verified(email).await;
    b
}

fn tracking_of(reply: &crate::harness::Reply) -> String {
    assert_eq!(reply.status, 303, "{}", reply.body);
    let location = reply.location.as_deref().expect("redirect");
    location.rsplit("#c-").next().expect("anchor").to_owned()
}

/// The text of the first `<code>` after `label` in `html`.
fn code_after(html: &str, label: &str) -> String {
    let at = html
        .find(label)
        .unwrap_or_else(|| panic!("{label} in page"));
    let rest = &html[at..];
    let start = rest.find("<code").expect("code");
    let rest = &rest[start..];
    let start = rest.find('>').expect("tag end") + 1;
    rest[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

/// Chains the waiting comments at once, as the sequencer does moments after each post.
async fn chain(pool: &DbPool) -> usize {
    db::run(pool, ledger::sequence_all).await.expect("sequence")
}

/// Runs the ledger's periodic task once, as the background loop would.
async fn tick(pool: &DbPool) -> scheduler::TickReport {
    db::run(pool, |conn| scheduler::tick(conn, now()))
        .await
        .expect("tick")
}

async fn server_key(b: &Browser) -> String {
    let (status, page) = b.get("/ledger-key").await;
    assert_eq!(status, 200);
    let key = code_after(&page, "<dt>Ed25519");
    assert_eq!(key.len(), 64, "{page}");
    key
}

fn with_key(key: &str) -> Options {
    Options {
        key: Some(verify::parse_key(key).expect("key")),
        receipts: Vec::new(),
    }
}

on_both_backends! {
    async fn an_honest_record_holds_every_public_event_and_verifies_with_the_receipts(app) {
        app.seed_demo().await;
        let citizen = verified(&app, "wang@example.com", "王芳").await;
        let body = "第二款的报告时限应当写明为二十四小时。";
        let first = tracking_of(&citizen.submit(ARTICLE, &format!("{ARTICLE}/comments"), &[
            ("stance", "amend"), ("body", body), ("visibility", "named"),
        ]).await);
        let second = tracking_of(&citizen.submit(ARTICLE, &format!("{ARTICLE}/comments"), &[
            ("stance", "oppose"), ("body", "另一条意见"), ("visibility", "anonymous"),
        ]).await);
        let reply = tracking_of(&citizen.submit(ARTICLE, &format!("{ARTICLE}/comments"), &[
            ("body", "补充一点"), ("reply_to", &first),
        ]).await);

        // Once chained, the receipt page names the entry: its seq and its digest.
        chain(&app.pool).await;
        let (_, receipt) = app.get(&format!("/receipt/{first}")).await;
        let content_hash = code_after(&receipt, "<dt>SHA-256</dt>");
        let entry_hash = code_after(&receipt, "公开记录条目摘要");
        assert_eq!(entry_hash.len(), 64);
        assert!(receipt.contains(&format!("<a href=\"/c/{SLUG}/ledger.jsonl\">2</a>")), "entry 2, after the opening: {receipt}");
        app.run_outbox_until_empty().await;
        let mails = app.mail.wait_for(1).await;
        let mail = mails.iter().find(|m| m.parsed().subject().is_some_and(|s| s.contains(&first))).expect("receipt mail");
        let text = mail.parsed().body_text(0).expect("text").into_owned();
        // The mail, sent whether or not the entry exists yet, carries what finds it in the record.
        assert!(text.contains(&first) && text.contains(&content_hash) && text.contains("公开记录"), "{text}");

        // A dispute and a moderator's hiding are public events too.
        let start = text.find("/dispute?token=").expect("dispute link");
        let dispute_path: String = text[start..].split_whitespace().next().expect("link").to_owned();
        let (_, form) = app.get(&dispute_path).await;
        let token = dispute_path.rsplit('=').next().expect("token");
        assert_eq!(app.post("/dispute", &csrf_of(&form), &[("token", token)]).await.status, 200);
        let moderator = verified(&app, "mod@example.gov.cn", "审核员").await;
        db::run(&app.pool, |conn| {
            let c = db::consultations::by_slug(conn, SLUG)?.expect("demo");
            yijian::roles::grant(conn, c.id, "mod@example.gov.cn", yijian::roles::Role::Moderator, now())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("granted");
        let (_, page) = moderator.get(ARTICLE).await;
        let hidden = moderator.post(&format!("/c/{SLUG}/moderation/{second}"), &csrf_of(&page),
            &[("decision", "hide"), ("reason", "与条文无关")]).await;
        assert_eq!(hidden.status, 303);

        assert_eq!(tick(&app.pool).await.signed, 1, "the moved head is signed");
        assert_eq!(tick(&app.pool).await.signed, 0, "an unmoved head is not signed again");
        let (status, log) = app.get(&format!("/c/{SLUG}/ledger.jsonl")).await;
        assert_eq!(status, 200);
        // The instance's own background task may have signed the opening already.
        let types: Vec<String> = log.lines().map(|l| Json::parse_canonical(l).expect("canonical").get_str("type").expect("type").to_owned())
            .filter(|t| t != "head_signature").collect();
        assert_eq!(types, ["consultation_opened", "comment_posted", "comment_posted", "comment_posted",
            "dispute_recorded", "comment_hidden"]);
        assert!(log.ends_with("\"type\":\"head_signature\",\"v\":1}\n"), "the head is signed");
        assert!(!log.contains(body), "texts are recorded by their hash only");
        assert!(log.contains("与条文无关"), "the public reason is recorded");
        assert!(log.contains(&format!("\"reply_to\":\"{first}\"")));

        let key = server_key(&app).await;
        let options = Options {
            receipts: vec![
                ReceiptClaim::parse(&format!("{first}:{content_hash}")).expect("claim"),
                ReceiptClaim::parse(&format!("{}:{entry_hash}", first.to_lowercase())).expect("claim"),
                ReceiptClaim::parse(&format!("{reply}:{}", "0".repeat(64))).expect("claim"),
            ],
            ..with_key(&key)
        };
        let err = verify::verify(&log, &options).expect_err("a wrong hash is no receipt");
        assert!(matches!(&err, VerifyError::Receipt { tracking, .. } if *tracking == reply), "{err}");
        let options = Options { receipts: options.receipts[..2].to_vec(), ..options };
        let report = verify::verify(&log, &options).expect("the honest record verifies");
        assert_eq!((report.entries, report.last_signed), (6, Some(6)));
        assert_eq!(report.consultation.as_deref(), Some(SLUG));
        assert_eq!(report.receipts.len(), 2);
        assert!(report.receipts.iter().all(|r| r.seq == 2 && r.hash == entry_hash));
        let missing = ReceiptClaim::parse(&format!("YJ-2026-0000-0000:{entry_hash}")).expect("claim");
        let err = verify::verify(&log, &Options { receipts: vec![missing], ..with_key(&key) }).expect_err("unknown");
        assert!(err.to_string().contains("YJ-2026-0000-0000"), "{err}");

        // Entries after the last signature are chained but not yet signed; the next tick signs them.
        tracking_of(&citizen.submit(ARTICLE, &format!("{ARTICLE}/comments"), &[
            ("stance", "support"), ("body", "赞成"), ("visibility", "named"),
        ]).await);
        chain(&app.pool).await;
        let (_, log) = app.get(&format!("/c/{SLUG}/ledger.jsonl")).await;
        let report = verify::verify(&log, &with_key(&key)).expect("verifies");
        assert_eq!((report.entries, report.last_signed), (7, Some(6)));
        tick(&app.pool).await;
        let (_, log) = app.get(&format!("/c/{SLUG}/ledger.jsonl")).await;
        assert_eq!(verify::verify(&log, &with_key(&key)).expect("verifies").last_signed, Some(7));

        assert_eq!(app.get("/c/no-such-thing/ledger.jsonl").await.0, 404);
        let (_, zh) = app.get("/ledger-key").await;
        assert!(zh.contains("公开记录签名公钥") && zh.contains(&format!("--key {key}")));
        let (_, en) = app.get("/ledger-key?lang=en").await;
        assert!(en.contains("Public record signing key") && en.contains(&key));
    }
}

/// A record of `n` published-version events after the opening, signed at the head, as text.
fn synthetic_log(pool: &DbPool, n: i32) -> String {
    let mut conn = pool.get().expect("connection");
    let c = db::consultations::by_slug(&mut conn, SLUG)
        .expect("query")
        .expect("demo");
    for i in 0..n {
        let text_hash = ledger::sha256_hex(format!("version {i}").as_bytes());
        ledger::append(
            &mut conn,
            c.id,
            &Event::VersionPublished {
                version: i,
                text_hash: &text_hash,
            },
            now(),
        )
        .expect("append");
        if i == n - 3 {
            scheduler::tick(&mut conn, now()).expect("tick");
        }
    }
    scheduler::tick(&mut conn, now()).expect("tick");
    let mut text = String::new();
    let mut after = 0;
    while let Some((page, last)) =
        ledger::export_page(&mut conn, c.id, SLUG, after, 3).expect("export")
    {
        text.push_str(&page);
        after = last;
    }
    text
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Signs every signature line of `lines` again with `key`, as a forger would.
fn resign(lines: &mut [String], key: &SigningKey, only_last: bool) {
    let indexes: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("\"head_signature\""))
        .map(|(i, _)| i)
        .collect();
    let chosen = if only_last {
        &indexes[indexes.len() - 1..]
    } else {
        &indexes[..]
    };
    for &i in chosen {
        let Json::Obj(mut map) = Json::parse_canonical(&lines[i]).expect("canonical") else {
            panic!("object")
        };
        let seq = map["seq"].clone();
        let Json::Int(seq) = seq else { panic!("seq") };
        let Some(Json::Str(head)) = map.get("head").cloned() else {
            panic!("head")
        };
        let sig = key.sign(&ledger::head_message(SLUG, seq, &head));
        map.insert(
            "key".into(),
            Json::str(hex::encode(key.verifying_key().as_bytes())),
        );
        map.insert("signature".into(), Json::str(hex::encode(sig.to_bytes())));
        lines[i] = Json::Obj(map).to_canonical();
    }
}

fn fails_at(text: &str, options: &Options, line: usize, seq: i64) -> String {
    let err = verify::verify(text, options).expect_err("tampering is found");
    assert_eq!((err.line(), err.seq()), (Some(line), Some(seq)), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("line {line} (seq {seq}): ")),
        "{err}"
    );
    err.to_string()
}

on_both_backends! {
    async fn a_record_with_an_entry_removed_changed_reordered_or_resigned_fails_naming_the_entry(db: TestDb) {
        let pool = db.pool();
        yijian::seed::demo(&mut pool.get().expect("connection"), now()).expect("demo");
        let honest = synthetic_log(&pool, 6);
        let key = hex::encode(ledger::signing_key(&mut pool.get().expect("connection")).expect("key").verifying_key().as_bytes());
        let options = with_key(&key);
        // Lines: seq 1 (opened) … seq 5, the signature of 5, seq 6 and 7, the signature of 7.
        let original = lines(&honest);
        assert_eq!(original.len(), 9, "{honest}");
        assert!(original[5].contains("\"head_signature\"") && original[8].contains("\"head_signature\""));
        let report = verify::verify(&honest, &options).expect("honest");
        assert_eq!((report.entries, report.signatures, report.last_signed), (7, 2, Some(7)));

        // Removed: the entry after the gap has the wrong number.
        let mut removed = original.clone();
        removed.remove(2);
        fails_at(&join(&removed), &options, 3, 4);

        // Changed: its successor no longer links to it; the message names both.
        let mut changed = original.clone();
        changed[2] = changed[2].replace(&ledger::sha256_hex(b"version 1"), &ledger::sha256_hex(b"version X"));
        assert_ne!(changed[2], original[2]);
        let message = fails_at(&join(&changed), &options, 4, 4);
        assert!(message.contains("line 3 (seq 3)"), "{message}");

        // The newest entry changed: its signature no longer matches it.
        let mut changed_head = original.clone();
        changed_head[7] = changed_head[7].replace("\"version\":5", "\"version\":50");
        assert_ne!(changed_head[7], original[7]);
        let message = fails_at(&join(&changed_head), &options, 9, 7);
        assert!(message.contains("hashes to"), "{message}");

        // Reordered.
        let mut reordered = original.clone();
        reordered.swap(2, 3);
        fails_at(&join(&reordered), &options, 3, 4);

        // Changed and re-chained all the way (seq 3 on), yet the old signature of seq 5 remains.
        let mut rechained = original[..2].to_vec();
        let mut prev = ledger::sha256_hex(rechained[1].as_bytes());
        for l in &original[2..5] {
            let Json::Obj(mut map) = Json::parse_canonical(l).expect("canonical") else { panic!("object") };
            map.insert("prev".into(), Json::str(prev.clone()));
            if map.get("seq") == Some(&Json::Int(3)) {
                map.insert("time".into(), Json::str("2020-01-01T00:00:00.000000Z"));
            }
            let line = Json::Obj(map).to_canonical();
            prev = ledger::sha256_hex(line.as_bytes());
            rechained.push(line);
        }
        rechained.push(original[5].clone());
        fails_at(&join(&rechained), &options, 6, 5);

        // Re-signed with another key: the site's key refuses the first forged signature; without
        // the key, a single forged line still differs from the others.
        let forger = SigningKey::from_bytes(&[7; 32]);
        let mut resigned = original.clone();
        resign(&mut resigned, &forger, false);
        let message = fails_at(&join(&resigned), &options, 6, 5);
        assert!(message.contains("not the expected"), "{message}");
        let self_consistent = verify::verify(&join(&resigned), &Options::default()).expect("consistent in itself");
        assert_eq!(self_consistent.key, Some(hex::encode(forger.verifying_key().as_bytes())), "the report names the key used");
        let mut one_forged = original.clone();
        resign(&mut one_forged, &forger, true);
        fails_at(&join(&one_forged), &Options::default(), 9, 7);

        // A signature must follow the entry it signs.
        let mut moved = original.clone();
        moved.swap(7, 8);
        let message = fails_at(&join(&moved), &options, 8, 7);
        assert!(message.contains("no earlier line"), "{message}");

        // Not canonical: the same value written otherwise is refused.
        let mut spaced = original.clone();
        spaced[0] = spaced[0].replacen(':', ": ", 1);
        let err = verify::verify(&join(&spaced), &options).expect_err("spacing");
        assert_eq!(err.line(), Some(1), "{err}");

        // The command line says the same, and exits with failure.
        let dir = tempfile::tempdir().expect("dir");
        let good = dir.path().join("good.jsonl");
        std::fs::write(&good, &honest).expect("write");
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, join(&removed)).expect("write");
        let run = |file: &std::path::Path| Command::new(env!("CARGO_BIN_EXE_yijian"))
            .arg("verify-ledger").arg(file).args(["--key", &key])
            .env_remove("DATABASE_URL").output().expect("runs");
        let ok = run(&good);
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        let out = String::from_utf8_lossy(&ok.stdout);
        assert!(out.contains("verifies: 7 entries") && out.contains("2 signatures"), "{out}");
        let failed = run(&bad);
        assert!(!failed.status.success());
        let err = String::from_utf8_lossy(&failed.stderr);
        assert!(err.contains("bad.jsonl: line 3 (seq 4): seq 4 where seq 3 was expected"), "{err}");
    }
}

on_both_backends! {
    async fn window_openings_and_closings_are_recorded_once_whoever_notices_them(db: TestDb) {
        let pool = db.pool();
        let mut conn = pool.get().expect("connection");
        yijian::seed::demo(&mut conn, now()).expect("demo");
        let c = db::consultations::by_slug(&mut conn, SLUG).expect("query").expect("demo");
        let before = c.opens_at - Duration::seconds(1);
        assert_eq!(ledger::record_window(&mut conn, c.id, before).expect("record"), 0);
        assert_eq!(ledger::record_window(&mut conn, c.id, c.opens_at).expect("record"), 1);
        assert_eq!(ledger::record_window(&mut conn, c.id, c.opens_at).expect("record"), 0);
        drop(conn);
        // Two instances notice the closing at the same moment.
        let after = c.closes_at + Duration::seconds(1);
        let workers: Vec<_> = (0..4).map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || ledger::record_window(&mut pool.get().expect("connection"), c.id, after).expect("record"))
        }).collect();
        let added: usize = workers.into_iter().map(|w| w.join().expect("thread")).sum();
        assert_eq!(added, 1);
        let mut conn = pool.get().expect("connection");
        let (text, _) = ledger::export_page(&mut conn, c.id, SLUG, 0, 100).expect("export").expect("entries");
        let report = verify::verify(&text, &Options::default()).expect("verifies");
        assert_eq!(report.entries, 2);
        assert!(text.contains("consultation_opened") && text.contains("consultation_closed"));
        assert!(text.contains(&ledger::timestamp(&c.closes_at)));
    }
}

on_both_backends! {
    async fn many_people_posting_at_once_on_two_instances_keep_one_valid_chain(app) {
        app.seed_demo().await;
        let second = Application::build(test_config_with_smtp(&app.db, &app.mail), 1).await.expect("second instance");
        let second_base = format!("http://127.0.0.1:{}", second.port());
        actix_web::rt::spawn(second.run_until_stopped());
        let mut posters = Vec::new();
        for i in 0..6 {
            let b = verified(&app, &format!("p{i}@example.com"), &format!("参与者{i}")).await;
            let (_, page) = b.get(ARTICLE).await;
            posters.push((b, csrf_of(&page)));
        }
        // Cookies ignore the port, so each person's session works on either instance.
        let mut requests = Vec::new();
        for (i, (b, csrf)) in posters.iter().enumerate() {
            for j in 0..4 {
                let base = if (i + j) % 2 == 0 { app.base.clone() } else { second_base.clone() };
                let body = format!("第{i}位参与者的第{j}条意见");
                requests.push(async move {
                    let resp = b.client.post(format!("{base}{ARTICLE}/comments"))
                        .form(&[("csrf", csrf.as_str()), ("stance", "amend"), ("body", &body), ("visibility", "named")])
                        .send().await.expect("sent");
                    tracking_of(&crate::harness::Reply::read(resp).await)
                });
            }
        }
        let trackings = futures_util::future::join_all(requests).await;
        assert_eq!(trackings.len(), 24);
        chain(&app.pool).await;
        tick(&app.pool).await;
        let (_, log) = app.get(&format!("/c/{SLUG}/ledger.jsonl")).await;
        // Every receipt's own entry hash, read back from its receipt page, is in the record.
        let mut receipts = Vec::new();
        for tracking in &trackings {
            let (_, receipt) = app.get(&format!("/receipt/{tracking}")).await;
            receipts.push(ReceiptClaim { tracking: tracking.clone(), hash: code_after(&receipt, "公开记录条目摘要") });
        }
        let options = Options { receipts, ..with_key(&server_key(&app).await) };
        let report = verify::verify(&log, &options).expect("one valid chain");
        assert_eq!(report.entries, 25, "the opening and 24 comments");
        let mut seqs: Vec<i64> = report.receipts.iter().map(|r| r.seq).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (2..=25).collect::<Vec<i64>>(), "each comment has its own entry");
    }
}

on_both_backends! {
    async fn a_posted_comment_is_chained_moments_later_and_its_receipt_says_so_meanwhile(db: TestDb) {
        let pool = db.pool();
        let mut conn = pool.get().expect("connection");
        yijian::seed::demo(&mut conn, now()).expect("demo");
        let id = db::accounts::insert_user(&mut conn, &db::accounts::NewUserRow {
            email: "li@example.com",
            display_name: "李明",
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            stakeholder_type: "citizen",
            locale: "zh-CN",
            is_admin: false,
            created_at: now(),
        }).expect("user");
        db::accounts::mark_verified(&mut conn, id, now()).expect("verified");
        let user = yijian::accounts::User::try_from(db::accounts::user_by_email(&mut conn, "li@example.com").expect("query").expect("user")).expect("user");
        let base = url::Url::parse("http://127.0.0.1/").expect("url");
        let mut trackings = Vec::new();
        for i in 0..3 {
            let input = yijian::comments::CommentInput {
                stance: "amend".into(),
                body: format!("第 {i} 条意见"),
                visibility: "named".into(),
                ..Default::default()
            };
            let valid = input.validate().expect("valid");
            let posted = yijian::comments::post(&mut conn, SLUG, yijian::comments::Target::Article(5), &valid, &[], &user, None, &base, now())
                .expect("posted");
            trackings.push(posted.tracking);
        }

        // Posted and acknowledged, not yet chained: the receipt says it is on its way.
        let receipt = yijian::comments::receipt(&mut conn, &trackings[0]).expect("query").expect("receipt");
        assert!(receipt.ledger.is_none() && receipt.ledger_pending);

        assert_eq!(ledger::sequence_all(&mut conn).expect("sequence"), 3);
        assert_eq!(ledger::sequence_all(&mut conn).expect("sequence"), 0, "nothing is chained twice");
        let c = db::consultations::by_slug(&mut conn, SLUG).expect("query").expect("demo");
        let (text, _) = ledger::export_page(&mut conn, c.id, SLUG, 0, 100).expect("export").expect("entries");
        let mut receipts = Vec::new();
        for t in &trackings {
            let r = yijian::comments::receipt(&mut conn, t).expect("query").expect("receipt");
            assert!(!r.ledger_pending);
            let entry = r.ledger.expect("chained");
            receipts.push(ReceiptClaim { tracking: t.clone(), hash: entry.hash });
        }
        let report = verify::verify(&text, &Options { receipts, ..Options::default() }).expect("verifies");
        assert_eq!(report.entries, 4, "the opening, then the three comments in the order posted");
        let seqs: Vec<i64> = report.receipts.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
    }
}
