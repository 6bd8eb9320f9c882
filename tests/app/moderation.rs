//! Moderation: reports, holds after three verified reports, the moderators' queue, hiding with a
//! public reason, disputes in the queue, and the public log.

use chrono::Utc;
use yijian::db;

use crate::accounts::{PASSWORD, register};
use crate::harness::{Browser, TestApp, csrf_of};
use crate::on_both_backends;

const ARTICLE: &str = "/c/ai-service-safety/a/7";

async fn verified(app: &TestApp, email: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, "读者", PASSWORD).await.status, 303);
    app.mark_verified(email).await;
    b
}

async fn post(b: &Browser, body: &str) -> String {
    let r = b
        .submit(
            ARTICLE,
            &format!("{ARTICLE}/comments"),
            &[
                ("stance", "oppose"),
                ("body", body),
                ("visibility", "named"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location
        .expect("location")
        .rsplit("#c-")
        .next()
        .expect("tracking")
        .to_owned()
}

/// Reports comment `tracking` for `reason`.
pub async fn report(b: &Browser, tracking: &str, reason: &str) -> crate::harness::Reply {
    let (_, page) = b.get(ARTICLE).await;
    b.post(
        &format!("/comments/{tracking}/report"),
        &csrf_of(&page),
        &[("reason", reason)],
    )
    .await
}

on_both_backends! {
    async fn three_verified_reports_hold_a_comment_and_a_moderator_hides_it_with_a_public_reason(app) {
        app.seed_demo().await;
        let author = verified(&app, "author@example.com").await;
        let tracking = post(&author, "一条有争议的意见").await;

        let unverified = app.new_browser();
        register(&unverified, "unverified@example.com", "未验证", PASSWORD).await;
        let empty = report(&unverified, &tracking, " ").await;
        assert_eq!(empty.status, 400);
        assert!(empty.body.contains("请填写举报理由"));
        assert_eq!(report(&unverified, &tracking, "广告").await.status, 303);
        for i in 0..2 {
            let r = verified(&app, &format!("r{i}@example.com")).await;
            assert_eq!(report(&r, &tracking, "人身攻击").await.status, 303);
        }
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("一条有争议的意见"), "an unverified report does not count towards the hold");
        let third = verified(&app, "r2@example.com").await;
        let held = report(&third, &tracking, "人身攻击").await;
        assert_eq!(held.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        assert!(!page.contains("一条有争议的意见") && page.contains("正在等待审核"));

        // The queue is for this consultation's moderators only.
        let moderator = verified(&app, "mod@example.gov.cn").await;
        assert_eq!(moderator.get("/c/ai-service-safety/moderation").await.0, 403);
        let anonymous = app.new_browser();
        let resp = anonymous.client.get(format!("{}/c/ai-service-safety/moderation", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 303);
        db::run(&app.pool, |conn| {
            let c = db::consultations::by_slug(conn, "ai-service-safety")?.expect("demo");
            yijian::roles::grant(conn, c.id, "mod@example.gov.cn", yijian::roles::Role::Moderator, Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("granted");
        let (status, queue) = moderator.get("/c/ai-service-safety/moderation").await;
        assert_eq!(status, 200);
        assert!(queue.contains(&tracking) && queue.contains("4 条举报") && queue.contains("人身攻击"));

        let action = format!("/c/ai-service-safety/moderation/{tracking}");
        let no_reason = moderator.post(&action, &csrf_of(&queue), &[("decision", "hide"), ("reason", "")]).await;
        assert_eq!(no_reason.status, 422);
        let hidden = moderator.post(&action, &csrf_of(&queue), &[("decision", "hide"), ("reason", "含有人身攻击内容")]).await;
        assert_eq!(hidden.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("该意见已被隐藏") && page.contains("含有人身攻击内容"));
        assert!(!page.contains("一条有争议的意见"));
        let (_, queue) = moderator.get("/c/ai-service-safety/moderation").await;
        assert!(queue.contains("没有待处理的举报或异议"));
        let (_, log) = app.get("/c/ai-service-safety/moderation-log").await;
        assert!(log.contains("多名用户举报，暂时隐藏待审") && log.contains("含有人身攻击内容") && log.contains(&tracking));
        let (_, receipt) = app.get(&format!("/receipt/{tracking}")).await;
        assert!(receipt.contains("已隐藏"));
    }
}

on_both_backends! {
    async fn a_dismissed_report_keeps_the_comment_and_a_dispute_reaches_the_queue(app) {
        app.seed_demo().await;
        let author = verified(&app, "writer@example.com").await;
        let tracking = post(&author, "正常的意见").await;
        let reader = verified(&app, "reader@example.com").await;
        assert_eq!(report(&reader, &tracking, "我不同意").await.status, 303);

        // The named author disputes it through the link in the receipt mail.
        app.run_outbox_until_empty().await;
        let mails = app.mail.wait_for(1).await;
        let text = mails.iter().map(|m| m.parsed().body_text(0).map(|t| t.into_owned()).unwrap_or_default()).find(|t| t.contains(&tracking)).expect("receipt");
        let start = text.find("/dispute?token=").expect("link");
        let path: String = text[start..].split_whitespace().next().expect("link").to_owned();
        let (_, form) = reader.get(&path).await;
        let token = path.rsplit('=').next().expect("token");
        assert_eq!(reader.post("/dispute", &csrf_of(&form), &[("token", token)]).await.status, 200);

        let admin = crate::admin::admin(&app).await;
        let (status, queue) = admin.get("/c/ai-service-safety/moderation").await;
        assert_eq!(status, 200, "site administrators moderate too");
        assert!(queue.contains("这不是我提交的") && queue.contains("我不同意"));
        let keep = admin
            .post(&format!("/c/ai-service-safety/moderation/{tracking}"), &csrf_of(&queue), &[("decision", "dismiss")])
            .await;
        assert_eq!(keep.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("正常的意见"));
        let (_, log) = app.get("/c/ai-service-safety/moderation-log").await;
        assert!(log.contains("保留"));
        let (_, queue) = admin.get("/c/ai-service-safety/moderation").await;
        assert!(queue.contains("没有待处理的举报或异议"));
    }
}
