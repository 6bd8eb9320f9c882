//! The drafters' workspace: the dashboard's counts against an independent count, who may open it,
//! and a drafter who triages, tags, answers every commented article and concludes.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use yijian::db::schema::{articles, comments, consultations};
use yijian::db::{self, DbError};
use yijian::roles::{self, Role};
use yijian::seed::comments::Target;

use crate::accounts::{PASSWORD, register};
use crate::admin::admin;
use crate::harness::{Browser, TestApp, csrf_of};
use crate::on_both_backends;

const SLUG: &str = "ai-service-safety";
const DASHBOARD: &str = "/c/ai-service-safety/dashboard";

/// Registers and verifies an account, returning its browser.
pub async fn verified(app: &TestApp, email: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, "起草人员", PASSWORD).await.status, 303);
    app.mark_verified(email).await;
    b
}

/// Grants `role` on consultation `slug` to the account with `email`.
pub async fn grant(app: &TestApp, slug: &str, email: &str, role: Role) {
    let (slug, email) = (slug.to_owned(), email.to_owned());
    db::run(&app.pool, move |conn| {
        let c = db::consultations::by_slug(conn, &slug)?.expect("consultation");
        roles::grant(conn, c.id, &email, role, Utc::now().naive_utc())
            .map_err(|e| DbError::Migration(e.to_string()))
    })
    .await
    .expect("granted");
}

/// Posts a comment on article `number` and returns its tracking number.
pub async fn post(b: &Browser, number: i32, stance: &str, body: &str) -> String {
    let article = format!("/c/{SLUG}/a/{number}");
    let r = b
        .submit(
            &article,
            &format!("{article}/comments"),
            &[("stance", stance), ("body", body), ("visibility", "named")],
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

/// The number a page shows inside the link that starts with `href`.
fn linked_number(html: &str, href: &str) -> Option<i64> {
    let start = html.find(href)?;
    let rest = &html[start..];
    let end = rest.find("</a>")?;
    rest[..end].rsplit('>').next()?.trim().parse().ok()
}

/// The value of the `answers` checkbox on the card of comment `tracking`.
fn comment_id_on(html: &str, tracking: &str) -> String {
    let card = &html[html.find(&format!("id=\"w-{tracking}\"")).expect("card")..];
    let marker = "name=\"answers\" value=\"";
    let start = card.find(marker).expect("checkbox") + marker.len();
    card[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

on_both_backends! {
    async fn the_dashboard_counts_equal_an_independent_count_and_only_drafters_and_admins_open_it(app) {
        app.seed_demo().await;
        db::run(&app.pool, |conn| {
            yijian::seed::comments::generate(conn, 400, Target::Everywhere, Utc::now().naive_utc(), &mut |_| {})
                .map_err(|e| DbError::Migration(e.to_string()))
        })
        .await
        .expect("generated");

        // Counted here from the rows themselves: top-level comments that are not hidden.
        let rows: Vec<(Option<i32>, String, Option<String>)> = db::run(&app.pool, |conn| {
            Ok(comments::table
                .left_join(articles::table)
                .filter(comments::parent_id.is_null())
                .filter(comments::state.ne("hidden"))
                .select((articles::number.nullable(), comments::stakeholder_type, comments::stance))
                .load(conn)?)
        })
        .await
        .expect("rows");
        let mut expected: HashMap<(i32, String, String), i64> = HashMap::new();
        for (number, t, s) in &rows {
            if let (Some(n), Some(s)) = (number, s) {
                *expected.entry((*n, t.clone(), s.clone())).or_default() += 1;
            }
        }
        assert!(expected.len() > 20, "the generated comments spread over many cells");

        let anonymous = app.new_browser();
        let resp = anonymous.client.get(format!("{}{DASHBOARD}", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 303, "anonymous visitors are sent to log in");
        assert!(resp.headers()["location"].to_str().expect("location").starts_with("/login"));
        let citizen = verified(&app, "citizen@example.com").await;
        assert_eq!(citizen.get(DASHBOARD).await.0, 403);
        let other = verified(&app, "other-drafter@example.gov.cn").await;
        db::run(&app.pool, |conn| {
            let now = Utc::now().naive_utc();
            let meta = yijian::drafts::NewConsultation {
                slug: yijian::consultations::Slug::parse("other-rules").expect("slug"),
                title: None,
                title_en: None,
                issuer: "另一机关".into(),
                issuer_en: None,
                summary: String::new(),
                summary_en: None,
                risk_tier: yijian::consultations::RiskTier::Low,
                topics: Vec::new(),
                is_demo: false,
                opens_at: now,
                closes_at: now + Duration::days(30),
            };
            yijian::drafts::import_new_consultation(conn, "另一办法\n第一条 内容。\n".as_bytes(), "other.txt", &meta, now)
                .map_err(|e| DbError::Migration(e.to_string()))
        })
        .await
        .expect("other consultation");
        grant(&app, "other-rules", "other-drafter@example.gov.cn", Role::Drafter).await;
        assert_eq!(other.get("/c/other-rules/dashboard").await.0, 200);
        assert_eq!(other.get(DASHBOARD).await.0, 403, "a drafter of another consultation");
        assert_eq!(other.get(&format!("/c/{SLUG}/report")).await.0, 200, "the report is public");

        let drafter = verified(&app, "drafter@example.gov.cn").await;
        grant(&app, SLUG, "drafter@example.gov.cn", Role::Drafter).await;
        let (status, page) = drafter.get(DASHBOARD).await;
        assert_eq!(status, 200);
        let (status, as_admin) = admin(&app).await.get(DASHBOARD).await;
        assert_eq!(status, 200);
        assert!(as_admin.contains("逐条意见分布"));

        let counted_total: i64 = rows.len() as i64;
        assert!(page.contains(&format!("共 {counted_total} 条意见")), "total {counted_total}");
        for ((number, t, s), n) in &expected {
            let href = format!("/c/{SLUG}/a/{number}?type={t}&#38;stance={s}#comments\"");
            assert_eq!(linked_number(&page, &href), Some(*n), "cell {number} {t} {s}");
        }
        let links = page.matches("#comments\" aria-label=").count();
        assert_eq!(links, expected.len(), "no cell without comments is a link");

        // A cell's link opens the article filtered the same way.
        let ((number, t, s), _) = expected.iter().next().expect("a cell");
        let (status, filtered) = drafter.get(&format!("/c/{SLUG}/a/{number}?type={t}&stance={s}")).await;
        assert_eq!(status, 200);
        assert!(filtered.contains(&format!("<option value=\"{s}\" selected>")));

        // The comments per day add up to the total.
        let per_day: i64 = page
            .split("<tr><td>")
            .skip(1)
            .filter_map(|row| row.split("</td><td>").nth(1)?.split("</td>").next()?.parse::<i64>().ok())
            .sum();
        assert_eq!(per_day, counted_total);
    }
}

on_both_backends! {
    async fn a_drafter_triages_tags_answers_every_commented_article_and_concludes(app) {
        app.seed_demo().await;
        let citizen = verified(&app, "citizen@example.com").await;
        let first = post(&citizen, 5, "amend", "建议对未成年人个人信息的处理设定单独同意，未成年人信息一旦泄露后果严重。").await;
        let second = post(&citizen, 5, "oppose", "未成年人模式不应默认关闭，需要明确保存期限。").await;
        let on_seven = post(&citizen, 7, "support", "支持本条关于算法备案的规定。").await;

        let drafter = verified(&app, "drafter@example.gov.cn").await;
        grant(&app, SLUG, "drafter@example.gov.cn", Role::Drafter).await;
        let (_, dashboard) = drafter.get(DASHBOARD).await;
        assert!(dashboard.contains("尚未回应的条文"));
        assert!(dashboard.contains(&format!("/c/{SLUG}/dashboard/a/5\">第五条")) && dashboard.contains(&format!("/c/{SLUG}/dashboard/a/7\">第七条")));
        let refused = drafter.post(&format!("/c/{SLUG}/conclude"), &csrf_of(&dashboard), &[]).await;
        assert_eq!(refused.status, 403, "the window is still open");

        // Triage and themes are the drafters' own.
        let workspace = format!("/c/{SLUG}/dashboard/a/5");
        let (status, page) = drafter.get(&workspace).await;
        assert_eq!(status, 200);
        assert!(page.contains(&first) && page.contains(&second) && !page.contains(&on_seven));
        assert_eq!(citizen.get(&workspace).await.0, 403);
        let csrf = csrf_of(&page);
        let saved = drafter.post(&format!("/c/{SLUG}/triage/{first}"), &csrf, &[("status", "studied"), ("note", "与第十二条一并研究")]).await;
        assert_eq!(saved.status, 303);
        assert!(saved.location.as_deref().is_some_and(|l| l.ends_with(&format!("/dashboard/a/5#w-{first}"))));
        let bad = drafter.post(&format!("/c/{SLUG}/triage/{first}"), &csrf, &[("status", "finished")]).await;
        assert_eq!(bad.status, 400);
        assert_eq!(drafter.post(&format!("/c/{SLUG}/themes/{first}"), &csrf, &[("theme", "数据保存期限")]).await.status, 303);
        assert_eq!(drafter.post(&format!("/c/{SLUG}/themes/{first}"), &csrf, &[("theme", " ")]).await.status, 400);
        let (_, page) = drafter.get(&format!("{workspace}?triage=studied")).await;
        assert!(page.contains(&first) && !page.contains(&second) && page.contains("与第十二条一并研究"));
        let (_, page) = drafter.get(&format!("{workspace}?triage=unread")).await;
        assert!(!page.contains(&format!("id=\"w-{first}\"")) && page.contains(&second));
        let (_, public) = app.get("/c/ai-service-safety/a/5").await;
        assert!(!public.contains("与第十二条一并研究") && !public.contains("数据保存期限"), "working notes stay internal");

        // A suggested theme, adopted with one click, tags the comments that contain it.
        let (_, page) = drafter.get(&workspace).await;
        assert!(page.contains("建议的主题"));
        assert!(page.contains("value=\"未成年人\""), "the word both comments share is suggested");
        let adopted = drafter.post(&format!("{workspace}/adopt"), &csrf, &[("theme", "未成年人")]).await;
        assert_eq!(adopted.status, 303);
        let (_, dashboard) = drafter.get(DASHBOARD).await;
        assert!(dashboard.contains("未成年人 (2)") && dashboard.contains("数据保存期限 (1)"));
        let theme_id: String = {
            let (_, page) = drafter.get(&workspace).await;
            let at = page.find(">未成年人 (2)</option>").expect("theme in the filter");
            let before = &page[..at];
            let start = before.rfind("value=\"").expect("value") + 7;
            before[start..].chars().take_while(char::is_ascii_digit).collect()
        };
        let (_, page) = drafter.get(&format!("{workspace}?theme={theme_id}")).await;
        assert!(page.contains(&first) && page.contains(&second));

        // The response: validated, then published, shown on the article and beside the answers.
        let (_, page) = drafter.get(&workspace).await;
        let id = comment_id_on(&page, &first);
        let empty = drafter.post(&format!("/c/{SLUG}/responses"), &csrf, &[("article", "5"), ("decision", ""), ("reasoning", "")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("请选择处理结果"));
        let (_, seven) = drafter.get(&format!("/c/{SLUG}/dashboard/a/7")).await;
        let foreign = comment_id_on(&seven, &on_seven);
        let wrong = drafter.post(&format!("/c/{SLUG}/responses"), &csrf, &[("article", "5"), ("decision", "adopted"), ("reasoning", "理由"), ("answers", &foreign)]).await;
        assert_eq!(wrong.status, 400, "a comment on another article cannot be answered here");
        let published = drafter.post(&format!("/c/{SLUG}/responses"), &csrf, &[
            ("article", "5"), ("decision", "partly-adopted"), ("reasoning", "增加未成年人信息单独同意的规定；保存期限另行规定。"), ("answers", &id),
        ]).await;
        assert_eq!(published.status, 303, "{}", published.body);
        let (_, public) = app.get("/c/ai-service-safety/a/5").await;
        assert!(public.contains("起草机关的回应") && public.contains("部分采纳") && public.contains("保存期限另行规定"));
        let badge_at = public.find(&format!("id=\"c-{first}\"")).expect("answered comment");
        assert!(public[badge_at..].split("</header>").next().expect("meta").contains("已回应"));
        let other_at = public.find(&format!("id=\"c-{second}\"")).expect("other comment");
        assert!(!public[other_at..].split("</header>").next().expect("meta").contains("已回应"));

        // The draft as a whole is answered on the consultation's front page.
        let whole = drafter.post(&format!("/c/{SLUG}/responses"), &csrf, &[("article", ""), ("decision", "explained"), ("reasoning", "总体意见将在修订稿中统一说明。")]).await;
        assert_eq!(whole.status, 303);
        assert_eq!(whole.location.as_deref(), Some("/c/ai-service-safety/dashboard/draft"));
        let (_, front) = citizen.get(&format!("/c/{SLUG}")).await;
        assert!(front.contains("总体意见将在修订稿中统一说明。") && !front.contains("/dashboard\""));
        let (_, front) = drafter.get(&format!("/c/{SLUG}")).await;
        assert!(front.contains(&format!("href=\"/c/{SLUG}/dashboard\"")), "drafters find their dashboard");

        // Concluding waits for the window to close and for every commented article.
        db::run(&app.pool, |conn| {
            let past = Utc::now().naive_utc() - Duration::hours(1);
            diesel::update(consultations::table.filter(consultations::slug.eq(SLUG)))
                .set(consultations::closes_at.eq(past))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("closed");
        let (_, dashboard) = drafter.get(DASHBOARD).await;
        let missing = drafter.post(&format!("/c/{SLUG}/conclude"), &csrf_of(&dashboard), &[]).await;
        assert_eq!(missing.status, 422);
        assert!(missing.body.contains("尚未回应，回应后才能结束") && missing.body.contains("<li>第七条</li>"));
        assert!(!missing.body.contains("<li>第五条</li>"));
        assert_eq!(drafter.post(&format!("/c/{SLUG}/responses"), &csrf, &[("article", "7"), ("decision", "explained"), ("reasoning", "本条已规定算法备案。")]).await.status, 303);
        let concluded = drafter.post(&format!("/c/{SLUG}/conclude"), &csrf_of(&dashboard), &[]).await;
        assert_eq!(concluded.status, 303);
        assert_eq!(concluded.location.as_deref(), Some("/c/ai-service-safety/report"));

        let (status, report) = app.get("/c/ai-service-safety/report").await;
        assert_eq!(status, 200);
        assert!(report.contains("意见反馈报告") && report.contains("已结束") && !report.contains("本报告尚未定稿"));
        assert!(report.contains("部分采纳") && report.contains("说明") && report.contains("本条已规定算法备案。"));
        assert!(report.contains("@media print") || report.contains("/static/style.css"), "printable with the site's print CSS");
        let late = drafter.post(&format!("/c/{SLUG}/responses"), &csrf, &[("article", "7"), ("decision", "adopted"), ("reasoning", "改了")]).await;
        assert_eq!(late.status, 403, "a concluded consultation's responses are final");
        let (_, index) = app.get("/?status=concluded").await;
        assert!(index.contains("/c/ai-service-safety"));

        // The public record holds both answers and the conclusion, after the comments, and verifies.
        let (_, log) = app.get(&format!("/c/{SLUG}/ledger.jsonl")).await;
        let types: Vec<&str> = log
            .lines()
            .filter_map(|l| l.split("\"type\":\"").nth(1))
            .filter_map(|rest| rest.split('"').next())
            .filter(|t| *t != "head_signature")
            .collect();
        assert_eq!(types.iter().filter(|t| **t == "response_published").count(), 3, "every publication, the replaced one included: {log}");
        assert_eq!(types.last(), Some(&"consultation_concluded"), "{log}");
        assert!(log.contains("\"decision\":\"partly-adopted\""), "{log}");
        let options = yijian::ledger::verify::Options { key: None, receipts: Vec::new() };
        yijian::ledger::verify::verify(&log, &options).expect("the record verifies");
    }
}
