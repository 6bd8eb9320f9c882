//! Reading a draft: the list, a consultation's contents, an article, the whole text, two languages.

use chrono::{Duration, Utc};
use yijian::consultations::{RiskTier, Slug};
use yijian::db;
use yijian::drafts::{self, NewConsultation};

use crate::harness::{TestApp, client, get_with};
use crate::on_both_backends;

const SMALL_DRAFT: &str = "关于测试的规定（征求意见稿）\n第一章　总则\n第一条　为了测试，制定本规定。\n第二条　本规定自公布之日起施行。\n";

/// Adds a small consultation whose window is `[now + from_days, now + to_days)`.
async fn add_consultation(
    app: &TestApp,
    slug: &'static str,
    tier: RiskTier,
    from_days: i64,
    to_days: i64,
) {
    db::run(&app.pool, move |conn| {
        let now = Utc::now().naive_utc();
        let meta = NewConsultation {
            slug: Slug::parse(slug).expect("valid slug"),
            title: Some(format!("测试征求意见 {slug}")),
            title_en: None,
            issuer: "测试机关".into(),
            issuer_en: None,
            summary: String::new(),
            summary_en: None,
            risk_tier: tier,
            topics: vec![],
            is_demo: false,
            opens_at: now + Duration::days(from_days),
            closes_at: now + Duration::days(to_days),
        };
        drafts::import_new_consultation(conn, SMALL_DRAFT.as_bytes(), "small.txt", &meta, now)
            .map_err(|e| db::DbError::Migration(e.to_string()))
    })
    .await
    .expect("consultation added");
}

on_both_backends! {
    async fn reader_sees_the_demo_consultation_listed_with_its_status_and_tier(app) {
        app.seed_demo().await;
        let (status, body) = app.get("/").await;
        assert_eq!(status, 200);
        assert!(body.contains("人工智能服务安全治理办法（征求意见稿）"), "{body}");
        assert!(body.contains("正在征求意见"));
        assert!(body.contains("高风险"));
        assert!(body.contains("href=\"/c/ai-service-safety\""));
        assert!(body.contains("<html lang=\"zh-CN\">"));
    }
}

on_both_backends! {
    async fn reader_can_filter_consultations_by_status_and_risk_tier(app) {
        add_consultation(&app, "closed-low", RiskTier::Low, -20, -10).await;
        add_consultation(&app, "open-high", RiskTier::High, -1, 10).await;
        add_consultation(&app, "upcoming-medium", RiskTier::Medium, 5, 30).await;

        let listed = |body: &str| -> Vec<&'static str> {
            ["closed-low", "open-high", "upcoming-medium"]
                .into_iter()
                .filter(|s| body.contains(&format!("href=\"/c/{s}\"")))
                .collect()
        };
        let (_, all) = app.get("/").await;
        assert_eq!(listed(&all), vec!["closed-low", "open-high", "upcoming-medium"]);
        let (_, closed) = app.get("/?status=closed").await;
        assert_eq!(listed(&closed), vec!["closed-low"]);
        assert!(closed.contains("已截止"));
        let (_, open) = app.get("/?status=open&tier=").await;
        assert_eq!(listed(&open), vec!["open-high"]);
        let (_, upcoming) = app.get("/?status=upcoming").await;
        assert_eq!(listed(&upcoming), vec!["upcoming-medium"]);
        assert!(upcoming.contains("尚未开始"));
        let (_, medium) = app.get("/?tier=medium").await;
        assert_eq!(listed(&medium), vec!["upcoming-medium"]);
        let (_, none) = app.get("/?status=open&tier=low").await;
        assert!(listed(&none).is_empty());
        assert!(none.contains("没有符合条件的征求意见"));
    }
}

on_both_backends! {
    async fn reader_opens_a_consultation_and_finds_every_article_in_its_table_of_contents(app) {
        app.seed_demo().await;
        let (status, body) = app.get("/c/ai-service-safety").await;
        assert_eq!(status, 200);
        for chapter in ["第一章 总则", "第二章 分级分类监管", "第三章 风险评估与预警", "第四章 提供者和使用者的权利义务", "第五章 监督管理", "第六章 法律责任"] {
            assert!(body.contains(chapter), "missing {chapter}");
        }
        assert!(body.contains("第一节 风险评估"));
        assert!(body.contains("演示"), "the demo is marked as a demonstration");
        assert!(body.contains("说明"));
        let links = body.matches("href=\"/c/ai-service-safety/a/").count();
        assert_eq!(links, 39, "one link per article");
        assert!(body.contains("共 39 条"));
        assert!(body.contains("href=\"/c/ai-service-safety/text\""));
    }
}

on_both_backends! {
    async fn reader_reads_an_article_with_its_paragraphs_items_chapter_and_neighbours(app) {
        app.seed_demo().await;
        let (status, body) = app.get("/c/ai-service-safety/a/9").await;
        assert_eq!(status, 200);
        assert!(body.contains("<h1>第九条</h1>"));
        assert!(body.contains("第二章 分级分类监管"), "the article's chapter is shown");
        assert!(body.contains("<ul class=\"items\"><li>（一）"), "items are a list");
        assert_eq!(body.matches("<li>（").count(), 6, "six items");
        assert!(body.contains("href=\"/c/ai-service-safety/a/8\""));
        assert!(body.contains("href=\"/c/ai-service-safety/a/10\""));
        assert!(body.contains("id=\"comments\""), "a place for comments");

        let (_, first) = app.get("/c/ai-service-safety/a/1").await;
        assert!(!first.contains("rel=\"prev\""), "the first article has no previous one");
        assert!(first.contains("href=\"/c/ai-service-safety/a/2\""));
        let (_, last) = app.get("/c/ai-service-safety/a/39").await;
        assert!(!last.contains("rel=\"next\""), "the last article has no next one");

        let (_, sectioned) = app.get("/c/ai-service-safety/a/15").await;
        assert!(sectioned.contains("第三章 风险评估与预警") && sectioned.contains("第二节 监测预警"));
    }
}

on_both_backends! {
    async fn reader_reads_the_whole_draft_on_one_page_with_an_anchor_per_article(app) {
        app.seed_demo().await;
        let (status, body) = app.get("/c/ai-service-safety/text").await;
        assert_eq!(status, 200);
        for n in 1..=39 {
            assert!(body.contains(&format!("id=\"a{n}\"")), "anchor a{n}");
        }
        assert!(body.contains("本办法自 年 月 日起施行。"));
    }
}

on_both_backends! {
    async fn english_reader_gets_the_interface_and_reference_translation_in_english(app) {
        app.seed_demo().await;
        let (status, body) = app.get("/c/ai-service-safety/a/9?lang=en").await;
        assert_eq!(status, 200);
        assert!(body.contains("<html lang=\"en\">"));
        assert!(body.contains("<h1>Article 9</h1>"));
        assert!(body.contains("Reference translation; the Chinese text is authoritative."));
        assert!(body.contains("CHAPTER II Tiered and Categorized Regulation"));

        // The cookie remembers the choice on the next page.
        let (_, next) = app.get("/").await;
        assert!(next.contains("<html lang=\"en\">"));
        assert!(next.contains("Public consultations"));
        assert!(next.contains("Measures for the Safety Governance of AI Services"));

        // And the switch leads back to Chinese.
        let (_, zh) = app.get("/?lang=zh-CN").await;
        assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("公开征求意见"));

        // A new visitor whose browser asks for English gets English.
        let fresh = reqwest::Client::new();
        let resp = fresh
            .get(format!("{}/c/ai-service-safety", app.base))
            .header("Accept-Language", "en-GB,en;q=0.9")
            .send()
            .await
            .expect("request");
        let body = resp.text().await.expect("body");
        assert!(body.contains("<html lang=\"en\">") && body.contains("Contents"));
    }
}

on_both_backends! {
    async fn every_page_offers_the_language_switch(app) {
        app.seed_demo().await;
        let visitor = client();
        for path in ["/", "/c/ai-service-safety", "/c/ai-service-safety/a/3", "/c/ai-service-safety/text", "/c/missing"] {
            let (_, body) = get_with(&visitor, &format!("{}{path}", app.base)).await;
            assert!(body.contains("lang=en\" hreflang=\"en\""), "{path} has a switch to English");
        }
        let (_, body) = get_with(&visitor, &format!("{}/?status=open", app.base)).await;
        assert!(body.contains("href=\"/?status=open&#38;lang=en\""), "the switch keeps the query");
    }
}

/// Counts the queries `f` sends on `conn`.
fn queries<T>(
    conn: &mut db::DbConnection,
    f: impl FnOnce(&mut db::DbConnection) -> T,
) -> (usize, T) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let out = f(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    (count.load(Ordering::Relaxed), out)
}

fn article_pages_cost_the_same_few_queries_whatever_the_draft_size(
    backend: crate::harness::Backend,
) {
    use yijian::i18n::Locale;
    use yijian::reading;
    let Some(test_db) = crate::harness::TestDb::new(backend) else {
        return;
    };
    let mut conn = db::establish(&test_db.url).expect("connect");
    db::migrate(&mut conn).expect("migrate");
    let now = Utc::now().naive_utc();
    yijian::seed::demo(&mut conn, now).expect("demo");
    let mut big = String::from("大型草案（征求意见稿）\n");
    for chapter in 1..=10 {
        big.push_str(&format!("第{chapter}章　第{chapter}部分\n"));
        for n in (chapter - 1) * 100 + 1..=chapter * 100 {
            big.push_str(&format!(
                "第{n}条　第{n}条的内容。\n（一）一项；\n（二）二项。\n"
            ));
        }
    }
    let meta = NewConsultation {
        slug: Slug::parse("big-draft").expect("slug"),
        title: None,
        title_en: None,
        issuer: "测试".into(),
        issuer_en: None,
        summary: String::new(),
        summary_en: None,
        risk_tier: RiskTier::Low,
        topics: vec![],
        is_demo: false,
        opens_at: now,
        closes_at: now + Duration::days(1),
    };
    let summary = drafts::import_new_consultation(&mut conn, big.as_bytes(), "big.txt", &meta, now)
        .expect("import");
    assert_eq!(summary.articles, 1000);

    let (small, found) = queries(&mut conn, |c| {
        reading::article(c, "ai-service-safety", 5, Locale::ZhCn)
    });
    assert!(found.expect("query").is_some());
    let (large, found) = queries(&mut conn, |c| {
        reading::article(c, "big-draft", 500, Locale::ZhCn)
    });
    let view = found.expect("query").expect("article 500");
    assert_eq!(view.article.head.label, "第500条");
    assert_eq!(view.prev.map(|a| a.number), Some(499));
    assert_eq!(
        small, large,
        "the article page's query count does not grow with the draft"
    );
    assert!(small <= 6, "{small} queries");
    let (english, _) = queries(&mut conn, |c| {
        reading::article(c, "ai-service-safety", 5, Locale::En)
    });
    assert!(
        english <= small + 2,
        "a translation costs two more queries (it, and the original comments attach to): {english}"
    );
    let (overview_small, _) = queries(&mut conn, |c| {
        reading::overview(c, "ai-service-safety", Locale::ZhCn)
    });
    let (overview_large, _) = queries(&mut conn, |c| {
        reading::overview(c, "big-draft", Locale::ZhCn)
    });
    assert_eq!(overview_small, overview_large);
}

#[test]
fn article_pages_cost_the_same_few_queries_whatever_the_draft_size_on_sqlite() {
    article_pages_cost_the_same_few_queries_whatever_the_draft_size(
        crate::harness::Backend::Sqlite,
    );
}

#[test]
fn article_pages_cost_the_same_few_queries_whatever_the_draft_size_on_postgres() {
    article_pages_cost_the_same_few_queries_whatever_the_draft_size(
        crate::harness::Backend::Postgres,
    );
}
