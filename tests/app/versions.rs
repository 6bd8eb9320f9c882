//! Revised versions: a drafter uploads a revised text, reviews the matching and publishes it;
//! matched articles keep their identity and the old version stays stored.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use yijian::consultations::{RiskTier, Slug};
use yijian::db::schema::{articles, consultations, draft_versions, ledger_entries};
use yijian::db::{self, DbError};
use yijian::drafts::{self, NewConsultation};

use crate::admin::admin;
use crate::harness::{Browser, Reply, TestApp, csrf_of};
use crate::on_both_backends;

const VERSION_1: &str = "\
某某市物业管理条例（草案征求意见稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理活动。
第三条　业主可以成立业主大会，选举产生业主委员会。
第四条　物业服务收费应当遵循合理、公开以及费用与服务水平相适应的原则。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，并接受业主的监督。
第六条　本条例自公布之日起施行。
";

/// The revised text of [`VERSION_1`].
pub const VERSION_2: &str = "\
某某市物业管理条例（草案修改稿）

第一条　为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理及相关监督管理活动。
第三条　市住房城乡建设主管部门负责本市物业管理活动的监督管理工作。
第四条　业主可以成立业主大会，选举产生业主委员会。
第五条　物业服务企业应当按照物业服务合同的约定提供服务，定期公开服务事项，并接受业主和业主委员会的监督。
第六条　本条例自公布之日起施行。
";

/// Creates the consultation `wuye` on [`VERSION_1`].
pub async fn create(app: &TestApp) {
    db::run(&app.pool, |conn| {
        let now = Utc::now().naive_utc();
        let meta = NewConsultation {
            slug: Slug::parse("wuye").map_err(|e| DbError::Migration(e.to_string()))?,
            title: None,
            title_en: None,
            issuer: "某某市人大常委会".into(),
            issuer_en: None,
            summary: "物业管理".into(),
            summary_en: None,
            risk_tier: RiskTier::Medium,
            topics: Vec::new(),
            is_demo: false,
            opens_at: now - Duration::days(1),
            closes_at: now + Duration::days(30),
        };
        drafts::import_new_consultation(conn, VERSION_1.as_bytes(), "v1.txt", &meta, now)
            .map(drop)
            .map_err(|e| DbError::Migration(e.to_string()))
    })
    .await
    .expect("consultation created");
}

/// Posts the revised text as an upload; `publish` is what the review page's button sends.
pub async fn upload(browser: &Browser, text: &str, publish: bool) -> Reply {
    let (_, page) = browser.get("/c/wuye/versions/new").await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("draft_text", text.to_owned());
    if publish {
        form = form.text("publish", "1");
    }
    let resp = browser
        .client
        .post(format!("{}/c/wuye/versions/new", browser.base))
        .multipart(form)
        .send()
        .await
        .expect("request");
    Reply::read(resp).await
}

/// (article number, stable key) of each version, oldest first.
async fn keys(app: &TestApp) -> Vec<Vec<(i32, String)>> {
    db::run(&app.pool, |conn| {
        let versions: Vec<i32> = draft_versions::table
            .filter(draft_versions::translation_of.is_null())
            .order(draft_versions::number)
            .select(draft_versions::id)
            .load(conn)?;
        let mut out = Vec::new();
        for v in versions {
            out.push(
                articles::table
                    .filter(articles::version_id.eq(v))
                    .order(articles::position)
                    .select((articles::number, articles::stable_key))
                    .load(conn)?,
            );
        }
        Ok(out)
    })
    .await
    .expect("keys")
}

on_both_backends! {
    async fn drafter_publishes_a_revised_text_whose_articles_follow_the_old_ones(app) {
        create(&app).await;
        let (status, _) = app.get("/c/wuye/versions/new").await;
        assert_ne!(status, 200, "a visitor cannot open the upload form");

        let admin = admin(&app).await;
        let (status, form) = admin.get("/c/wuye/versions/new").await;
        assert_eq!(status, 200);
        assert!(form.contains("发布修订稿（第 2 版）"), "{form}");

        let review = upload(&admin, VERSION_2, false).await;
        assert_eq!(review.status, 200, "{}", review.body);
        for row in [
            "<td>第二条</td>\n    <td>第二条</td>\n    <td>已修改</td>",
            "<td>—</td>\n    <td>第三条</td>\n    <td>新增</td>",
            "<td>第三条</td>\n    <td>第四条</td>\n    <td>条序调整</td>",
            "<td>第四条</td>\n    <td>—</td>\n    <td>删除</td>",
        ] {
            assert!(review.body.contains(row), "missing {row:?} in {}", review.body);
        }
        let (_, page) = app.get("/c/wuye/a/3").await;
        assert!(page.contains("业主可以成立业主大会"), "reviewing publishes nothing: {page}");

        let published = upload(&admin, VERSION_2, true).await;
        assert_eq!((published.status, published.location.as_deref()), (303, Some("/c/wuye")), "{}", published.body);
        let (_, page) = app.get("/c/wuye/a/3").await;
        assert!(page.contains("市住房城乡建设主管部门"), "{page}");

        let keys = keys(&app).await;
        assert_eq!(keys.len(), 2, "the first version stays stored");
        let old: Vec<&str> = keys[0].iter().map(|(_, k)| k.as_str()).collect();
        let new: Vec<(i32, &str)> = keys[1].iter().map(|(n, k)| (*n, k.as_str())).collect();
        assert_eq!(new, vec![(1, old[0]), (2, old[1]), (3, "v2-3"), (4, old[2]), (5, old[4]), (6, old[5])]);

        let (current, recorded) = db::run(&app.pool, |conn| {
            let current: Option<i32> = consultations::table
                .inner_join(draft_versions::table.on(draft_versions::id.nullable().eq(consultations::current_version_id)))
                .select(draft_versions::number)
                .first(conn)
                .optional()?;
            let recorded: i64 = ledger_entries::table
                .filter(ledger_entries::kind.eq("version_published"))
                .count()
                .get_result(conn)?;
            Ok((current, recorded))
        })
        .await
        .expect("state");
        assert_eq!((current, recorded), (Some(2), 1));

        let (status, changes) = app.get("/c/wuye/versions/2/changes").await;
        assert_eq!(status, 200, "{changes}");
        assert!(changes.contains("共有 5 条发生变化"), "{changes}");
        assert!(changes.contains("物业管理<ins>及相关监督管理</ins>活动"), "edited inline: {changes}");
        assert!(changes.contains("<del>物业服务收费应当遵循"), "deleted article shown: {changes}");
        assert!(changes.contains("<ins>市住房城乡建设主管部门"), "inserted article shown: {changes}");
        assert!(!changes.contains("<ins>业主可以成立"), "a moved article is not new text: {changes}");
        assert_eq!(app.get("/c/wuye/versions/1/changes").await.0, 404);

        let (status, old) = app.get("/c/wuye/v/1/a/4").await;
        assert_eq!(status, 200);
        assert!(old.contains("物业服务收费应当遵循") && old.contains("第 1 版"), "{old}");
        let (_, home) = app.get("/c/wuye").await;
        assert!(home.contains("href=\"/c/wuye/versions\"") && !home.contains("/c/wuye/versions/new"), "{home}");
        let (_, dashboard) = admin.get("/c/wuye/dashboard").await;
        assert!(dashboard.contains("href=\"/c/wuye/versions/new\""), "{dashboard}");
        let (_, history) = app.get("/c/wuye/versions").await;
        assert!(history.contains("第 1 版") && history.contains("/c/wuye/versions/2/changes"), "{history}");

        let again = upload(&admin, VERSION_2, true).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("无需发布新版本"), "{}", again.body);
    }
}
