//! Searching the drafts: Chinese and English words, grouped and highlighted hits, bad queries,
//! and proof that the index, not a scan of the text, finds the candidates.

use std::collections::BTreeSet;

use diesel::prelude::*;
use yijian::db::{self, schema};
use yijian::i18n::Locale;
use yijian::search::{self, DocKind, SearchQuery};

use crate::on_both_backends;

const DEMO_ZH: &str = include_str!("../../src/seed/ai_safety_governance.txt");
const DEMO_EN: &str = include_str!("../../src/seed/ai_safety_governance.en.txt");

/// The demo's articles as (number, text), read from the source file the way a reader sees them.
fn demo_articles_zh() -> Vec<(i32, String)> {
    const NUMERALS: &str = "〇零一二三四五六七八九十百千0123456789";
    let mut out: Vec<(i32, String)> = Vec::new();
    let mut open = false;
    for line in DEMO_ZH.lines() {
        let kind = line.strip_prefix('第').and_then(|rest| {
            let end = rest.find(|c: char| "条章节编".contains(c))?;
            rest[..end]
                .chars()
                .all(|c| NUMERALS.contains(c))
                .then(|| rest[end..].chars().next())
                .flatten()
        });
        match kind {
            Some('条') => {
                let n = i32::try_from(out.len()).expect("few articles") + 1;
                out.push((n, line.to_owned()));
                open = true;
            }
            Some(_) => open = false,
            None if open => {
                if let Some(last) = out.last_mut() {
                    last.1.push('\n');
                    last.1.push_str(line);
                }
            }
            None => {}
        }
    }
    assert_eq!(out.len(), 39, "the demo has 39 articles");
    out
}

/// The English reference translation's articles as (number, text).
fn demo_articles_en() -> Vec<(i32, String)> {
    let mut out: Vec<(i32, String)> = Vec::new();
    let mut open = false;
    for line in DEMO_EN.lines() {
        let upper = line.to_ascii_uppercase();
        if let Some(n) = line
            .strip_prefix("Article ")
            .and_then(|n| n.trim().parse::<i32>().ok())
        {
            out.push((n, line.to_owned()));
            open = true;
        } else if ["CHAPTER", "SECTION", "PART"]
            .iter()
            .any(|h| upper.starts_with(h))
        {
            open = false;
        } else if open && let Some(last) = out.last_mut() {
            last.1.push('\n');
            last.1.push_str(line);
        }
    }
    assert_eq!(out.len(), 39, "the translation has 39 articles");
    out
}

fn containing(articles: &[(i32, String)], needle: &str) -> BTreeSet<i32> {
    articles
        .iter()
        .filter(|(_, text)| text.contains(needle))
        .map(|(n, _)| *n)
        .collect()
}

fn containing_word(articles: &[(i32, String)], word: &str) -> BTreeSet<i32> {
    articles
        .iter()
        .filter(|(_, text)| {
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| w.eq_ignore_ascii_case(word))
        })
        .map(|(n, _)| *n)
        .collect()
}

/// The article numbers a results page links to.
fn linked_articles(body: &str) -> BTreeSet<i32> {
    let marker = "href=\"/c/ai-service-safety/a/";
    body.match_indices(marker)
        .map(|(i, _)| {
            body[i + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<i32>()
                .expect("article number")
        })
        .collect()
}

fn q(text: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", text)
        .finish()
}

on_both_backends! {
    async fn a_two_character_chinese_word_finds_exactly_the_articles_that_contain_it(app) {
        app.seed_demo().await;
        let articles = demo_articles_zh();
        for word in ["算法", "数据", "数据 安全"] {
            let expected: BTreeSet<i32> = word
                .split(' ')
                .map(|w| containing(&articles, w))
                .reduce(|a, b| a.intersection(&b).copied().collect())
                .expect("one word");
            assert!(!expected.is_empty(), "the demo mentions {word}");
            let (status, body) = app.get(&format!("/search?{}", q(word))).await;
            assert_eq!(status, 200);
            assert_eq!(linked_articles(&body), expected, "hits for {word}");
            assert!(
                body.contains(&format!("共找到 {} 条结果", expected.len())),
                "the count for {word}"
            );
            assert!(body.contains("href=\"/c/ai-service-safety\">人工智能服务安全治理办法"), "grouped under the consultation");
        }
    }
}

on_both_backends! {
    async fn one_character_finds_it_anywhere_even_at_the_end_of_a_word(app) {
        app.seed_demo().await;
        let articles = demo_articles_zh();
        // 罚 is the last character of a run in 处罚 and 罚款 starts one: both must be found.
        let expected = containing(&articles, "罚");
        assert!(!expected.is_empty());
        let (status, body) = app.get(&format!("/search?{}", q("罚"))).await;
        assert_eq!(status, 200);
        assert_eq!(linked_articles(&body), expected);
        assert!(body.contains("<mark>罚</mark>"));
    }
}

on_both_backends! {
    async fn matches_are_highlighted_in_the_snippet_and_label(app) {
        app.seed_demo().await;
        let (_, body) = app.get(&format!("/search?{}", q("算法"))).await;
        assert!(body.contains("<mark>算法</mark>"), "{body}");
        let (_, labelled) = app.get(&format!("/search?{}", q("第五条"))).await;
        assert!(linked_articles(&labelled).contains(&5));
        assert!(labelled.contains("<mark>第五条</mark>"), "the label is marked too");
        assert!(labelled.contains("value=\"第五条\""), "the query stays in the form");
    }
}

on_both_backends! {
    async fn an_english_reader_searches_the_reference_translation(app) {
        app.seed_demo().await;
        let articles = demo_articles_en();
        let expected = containing_word(&articles, "data");
        assert!(!expected.is_empty());
        let (status, body) = app.get(&format!("/search?{}&lang=en", q("Data"))).await;
        assert_eq!(status, 200);
        assert!(body.contains("<html lang=\"en\">"));
        assert_eq!(linked_articles(&body), expected);
        assert!(body.contains("<mark>data</mark>"), "{body}");
        assert!(body.contains("Measures for the Safety Governance of AI Services"));
        assert!(body.contains(&format!("{} matching article", expected.len())));
        assert!(body.contains(">Article "), "English labels");
        // Whole words only: "data" is not found inside another word.
        let (_, none) = app.get(&format!("/search?{}", q("dat"))).await;
        assert!(linked_articles(&none).is_empty());
        assert!(none.contains("No article contains all the words."));
    }
}

on_both_backends! {
    async fn a_query_with_markup_is_shown_as_text(app) {
        app.seed_demo().await;
        let (status, body) = app
            .get(&format!("/search?{}", q("<script>alert(1)</script>")))
            .await;
        assert_eq!(status, 200);
        assert!(!body.contains("<script>alert"), "{body}");
        assert!(body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{body}");
        assert!(body.contains("没有找到包含全部词语的条文。"));
    }
}

on_both_backends! {
    async fn bad_queries_get_a_message_and_an_empty_one_just_the_form(app) {
        let (status, body) = app.get(&format!("/search?{}", q(&"数".repeat(101)))).await;
        assert_eq!(status, 422);
        assert!(body.contains("搜索内容不能超过 100 个字符。"), "{body}");
        assert!(body.contains("aria-invalid=\"true\""));
        let (status, body) = app.get(&format!("/search?{}&lang=en", q("？！…"))).await;
        assert_eq!(status, 422);
        assert!(body.contains("Please type at least one Chinese character, letter or digit."));
        for path in ["/search", "/search?q=", "/search?q=++"] {
            let (status, body) = app.get(path).await;
            assert_eq!(status, 200, "{path}");
            assert!(body.contains("id=\"search-q\""), "{path} shows the form");
            assert!(!body.contains("role=\"status\""), "{path} shows no count");
        }
        let (_, home) = app.get("/").await;
        assert!(home.contains("action=\"/search\""), "every page has the search form");
    }
}

/// Counts the queries `f` sends on `conn`.
fn queries<T>(
    conn: &mut db::DbConnection,
    f: impl FnOnce(&mut db::DbConnection) -> T,
) -> (Vec<String>, T) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            log.lock().expect("log").push(query.to_string());
        }
    });
    let out = f(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let sent = seen.lock().expect("log").clone();
    (sent, out)
}

fn hits(conn: &mut db::DbConnection, text: &str) -> Vec<i32> {
    let query = SearchQuery::parse(text).expect("valid query");
    search::search(conn, &query, Locale::ZhCn, search::MAX_HITS)
        .expect("search")
        .groups
        .into_iter()
        .flat_map(|g| g.articles)
        .map(|a| a.number)
        .collect()
}

on_both_backends! {
    async fn candidates_come_from_the_index_not_from_the_text(db: TestDb) {
        let pool = db.pool();
        let mut conn = pool.get().expect("connection");
        let now = chrono::Utc::now().naive_utc();
        yijian::seed::demo(&mut conn, now).expect("demo");
        let is_postgres = matches!(**conn, db::DbConnection::Postgresql(_));
        // A draft much larger than the rest of the database, as the first real import is: the
        // plan must not depend on statistics gathered before it.
        let mut big = String::from("大型草案（征求意见稿）\n");
        for (i, (_, text)) in demo_articles_zh().iter().cycle().take(1000).enumerate() {
            let body = text.split_once('　').map_or(text.as_str(), |(_, b)| b);
            big.push_str(&format!("第{}条　{body}\n", i + 1));
        }
        let meta = yijian::drafts::NewConsultation {
            slug: yijian::consultations::Slug::parse("big-draft").expect("slug"),
            title: None,
            title_en: None,
            issuer: "测试".into(),
            issuer_en: None,
            summary: String::new(),
            summary_en: None,
            risk_tier: yijian::consultations::RiskTier::Low,
            topics: vec![],
            is_demo: false,
            opens_at: now,
            closes_at: now + chrono::Duration::days(1),
        };
        yijian::drafts::import_new_consultation(&mut conn, big.as_bytes(), "big.txt", &meta, now)
            .expect("import");

        // Two queries (articles, then comments), each reading search_terms, never scanning text with LIKE.
        let (sent, found) = queries(&mut conn, |c| hits(c, "数据 安全"));
        assert!(!found.is_empty());
        assert_eq!(sent.len(), 2, "{sent:?}");
        for q in &sent {
            assert!(q.contains("search_terms"), "{q}");
            assert!(!q.to_ascii_uppercase().contains("LIKE"), "{q}");
        }

        // The database's own plan looks the terms up in the index.
        for text in ["数据 安全", "罚", "data"] {
            let query = SearchQuery::parse(text).expect("valid");
            let plan = search::plan(&mut conn, &query, Locale::ZhCn).expect("plan").join("\n");
            // search_terms_doc serves deletion; a search using it probes every article's terms.
            assert!(!plan.contains("search_terms_doc"), "{text}: {plan}");
            if is_postgres {
                assert!(plan.contains("search_terms_pkey"), "{text}: {plan}");
                assert!(!plan.contains("Seq Scan on search_terms"), "{text}: {plan}");
            } else {
                assert!(plan.contains("search_terms USING PRIMARY KEY (term"), "{text}: {plan}");
                assert!(!plan.contains("SCAN search_terms"), "{text}: {plan}");
            }
        }

        // Text changed behind the index's back is not found; indexing it again makes it so.
        let article_id: i32 = schema::articles::table
            .inner_join(schema::draft_versions::table)
            .filter(schema::draft_versions::language.eq("zh-CN"))
            .filter(schema::articles::number.eq(7))
            .select(schema::articles::id)
            .first(&mut **conn)
            .expect("article 7");
        let body = "斑马线上的算法。";
        diesel::update(schema::articles::table.find(article_id))
            .set(schema::articles::body.eq(body))
            .execute(&mut **conn)
            .expect("update");
        assert!(hits(&mut conn, "斑马").is_empty(), "found without the index");
        search::index_document(&mut conn, DocKind::Article, article_id, &format!("第七条\n{body}"))
            .expect("index");
        assert_eq!(hits(&mut conn, "斑马"), vec![7]);
        search::remove_document(&mut conn, DocKind::Article, article_id).expect("remove");
        assert!(hits(&mut conn, "斑马").is_empty());

        // A comment's terms never make an article a hit.
        search::index_document(&mut conn, DocKind::Comment, article_id, "斑马").expect("index comment");
        assert!(hits(&mut conn, "斑马").is_empty());
    }
}

on_both_backends! {
    async fn articles_stored_before_search_existed_are_indexed_at_start(db: TestDb) {
        let pool = db.pool();
        let mut conn = pool.get().expect("connection");
        yijian::seed::demo(&mut conn, chrono::Utc::now().naive_utc()).expect("demo");
        // As a database from before the search migration: the text without index or setting.
        diesel::delete(schema::search_terms::table).execute(&mut **conn).expect("empty index");
        diesel::delete(schema::settings::table.filter(schema::settings::key.eq("search_tokenizer")))
            .execute(&mut **conn)
            .expect("forget tokenizer");
        assert!(hits(&mut conn, "算法").is_empty());
        drop(conn);
        drop(pool);

        let pool = db.pool();
        let mut conn = pool.get().expect("connection");
        assert_eq!(
            hits(&mut conn, "算法").into_iter().collect::<BTreeSet<i32>>(),
            containing(&demo_articles_zh(), "算法")
        );
        assert_eq!(search::ensure_index(&mut conn).expect("ensure"), 0, "done once");
    }
}

on_both_backends! {
    async fn public_comments_are_found_and_hidden_or_drafters_only_ones_are_not(app) {
        use chrono::Utc;
        use yijian::comments::{self, CommentInput};
        use yijian::db;
        app.seed_demo().await;
        crate::accounts::register(&app.new_browser(), "finder@example.com", "检索者", crate::accounts::PASSWORD).await;
        let trackings = db::run(&app.pool, |conn| {
            let now = Utc::now().naive_utc();
            let row = db::accounts::user_by_email(conn, "finder@example.com")?.expect("user");
            db::accounts::mark_verified(conn, row.id, now)?;
            let user = yijian::accounts::User::try_from(db::accounts::user_by_email(conn, "finder@example.com")?.expect("user"))?;
            let base = url::Url::parse("http://127.0.0.1/").expect("url");
            let mut out = Vec::new();
            for (body, visibility) in [("建议增加独角兽条款", "named"), ("独角兽条款不宜公开讨论", "drafters")] {
                let valid = CommentInput { stance: "amend".into(), body: body.into(), visibility: visibility.into(), ..CommentInput::default() }
                    .validate()
                    .expect("valid");
                let posted = comments::post(conn, "ai-service-safety", comments::Target::Article(3), &valid, &[], &user, None, &base, now)
                    .map_err(|e| db::DbError::Migration(e.to_string()))?;
                out.push(posted.tracking);
            }
            Ok(out)
        })
        .await
        .expect("comments");
        let (status, page) = app.get("/search?q=%E7%8B%AC%E8%A7%92%E5%85%BD").await;
        assert_eq!(status, 200);
        assert!(page.contains(&trackings[0]), "the public comment is found: {page}");
        assert!(page.contains("<mark>独角兽</mark>"));
        assert!(!page.contains(&trackings[1]), "a drafters-only comment is not");

        // Hidden by a moderator: gone from search too.
        let admin = crate::admin::admin(&app).await;
        let (_, queue) = admin.get("/c/ai-service-safety/moderation").await;
        let csrf = crate::harness::csrf_of(&queue);
        let hide = admin
            .post(&format!("/c/ai-service-safety/moderation/{}", trackings[0]), &csrf, &[("decision", "hide"), ("reason", "测试隐藏")])
            .await;
        assert_eq!(hide.status, 303);
        let (_, page) = app.get("/search?q=%E7%8B%AC%E8%A7%92%E5%85%BD").await;
        assert!(!page.contains(&trackings[0]));
    }
}
