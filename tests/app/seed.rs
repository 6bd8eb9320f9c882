//! Demonstration data: generated comments on the demo consultation, marked as such, from accounts
//! nobody can log in to.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::prelude::*;
use yijian::db::schema::{articles, comments, endorsements, organizations, users};
use yijian::db::{self, DbPool};
use yijian::seed::comments::{self as demo, Report, Target};

use crate::accounts::login;
use crate::on_both_backends;

/// Adds `n` generated comments to the demo.
async fn generate(pool: &DbPool, n: usize, target: Target) -> Report {
    db::run(pool, move |conn| {
        demo::generate(conn, n, target, Utc::now().naive_utc(), &mut |_| {})
            .map_err(|e| db::DbError::Migration(e.to_string()))
    })
    .await
    .expect("demo comments generated")
}

type Row = (
    i32,
    i32,
    Option<i32>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    chrono::NaiveDateTime,
    i32,
);

on_both_backends! {
    async fn generated_comments_cover_every_stance_type_and_visibility_with_replies_endorsements_and_hidden_ones(app) {
        app.seed_demo().await;
        let report = generate(&app.pool, 400, Target::Everywhere).await;
        assert_eq!(report.rows(), 400);
        assert_eq!((report.accounts, report.organizations), (200, 16));
        assert!(report.replies > 0 && report.hidden > 0 && report.endorsements > 0, "{report:?}");

        let (rows, endorsed, orgs, bodies, demo_users) = db::run(&app.pool, |conn| {
            let rows: Vec<Row> = comments::table
                .order(comments::id)
                .select((
                    comments::id,
                    comments::article_id.assume_not_null(),
                    comments::parent_id,
                    comments::stance,
                    comments::stakeholder_type,
                    comments::visibility,
                    comments::state,
                    comments::hidden_reason,
                    comments::proposed_text,
                    comments::hidden_at,
                    comments::created_at,
                    comments::endorsements,
                ))
                .load(conn)?;
            let endorsed: Vec<i32> = endorsements::table.select(endorsements::comment_id).load(conn)?;
            let orgs: Vec<(String, String)> = organizations::table
                .select((organizations::uscc, organizations::status))
                .load(conn)?;
            let bodies: HashMap<i32, String> = articles::table
                .select((articles::id, articles::body))
                .load::<(i32, String)>(conn)?
                .into_iter()
                .collect();
            let demo_users: Vec<(String, String)> = users::table
                .select((users::email, users::password_hash))
                .load(conn)?;
            Ok((rows, endorsed, orgs, bodies, demo_users))
        })
        .await
        .expect("query");

        assert_eq!(rows.len(), 400);
        let top: Vec<&Row> = rows.iter().filter(|r| r.2.is_none()).collect();
        assert_eq!(top.len(), report.comments);
        assert_eq!(rows.len() - top.len(), report.replies);

        // Every stance, stakeholder type and visibility occurs.
        let stances: HashSet<&str> = top.iter().filter_map(|r| r.3.as_deref()).collect();
        assert_eq!(stances, HashSet::from(["support", "oppose", "amend", "other"]));
        let types: HashSet<&str> = rows.iter().map(|r| r.4.as_str()).collect();
        assert_eq!(types.len(), 7, "{types:?}");
        let visibilities: HashSet<&str> = top.iter().map(|r| r.5.as_str()).collect();
        assert_eq!(visibilities, HashSet::from(["named", "anonymous", "drafters"]));

        // Replies: same article as what they answer, two levels at most, after it.
        let by_id: HashMap<i32, &Row> = rows.iter().map(|r| (r.0, r)).collect();
        let mut second_level = 0;
        for r in rows.iter().filter(|r| r.2.is_some()) {
            let parent = by_id[&r.2.expect("reply")];
            assert_eq!(parent.1, r.1, "a reply is on its parent's article");
            assert!(r.3.is_none() && r.8.is_none(), "replies carry no stance or proposal");
            assert!(parent.10 <= r.10, "answers come after");
            assert_eq!(parent.6, "published");
            assert_ne!(parent.5, "drafters");
            if let Some(grandparent) = parent.2 {
                assert!(by_id[&grandparent].2.is_none(), "two levels at most");
                second_level += 1;
            }
        }
        assert!(second_level > 0);

        // Endorsement counters equal the rows, comment by comment.
        let mut counted: HashMap<i32, i32> = HashMap::new();
        for id in &endorsed {
            *counted.entry(*id).or_default() += 1;
        }
        for r in &rows {
            assert_eq!(r.11, counted.get(&r.0).copied().unwrap_or(0), "comment {}", r.0);
        }
        assert_eq!(endorsed.len(), report.endorsements);

        // Hidden ones carry a reason and a time after posting.
        let hidden: Vec<&&Row> = top.iter().filter(|r| r.6 == "hidden").collect();
        assert_eq!(hidden.len(), report.hidden);
        for h in &hidden {
            assert!(h.7.as_deref().is_some_and(|s| !s.is_empty()));
            assert!(h.9.is_some_and(|at| at >= h.10));
        }

        // Proposals are the article's text with a small edit.
        let proposals: Vec<(&Row, &String)> = top
            .iter()
            .filter_map(|r| r.8.as_ref().map(|p| (*r, p)))
            .collect();
        assert!(!proposals.is_empty());
        for (r, p) in proposals {
            let original = &bodies[&r.1];
            assert_ne!(p, original);
            let common = original.chars().zip(p.chars()).take_while(|(a, b)| a == b).count()
                + original.chars().rev().zip(p.chars().rev()).take_while(|(a, b)| a == b).count();
            assert!(common + 40 >= original.chars().count(), "a small edit of the article: {p}");
        }

        // Verified organisations with valid codes; accounts under demo.invalid that cannot log in.
        assert_eq!(orgs.len(), 16);
        for (code, status) in &orgs {
            assert_eq!(yijian::organizations::uscc::parse(code).as_deref(), Ok(code.as_str()));
            assert_eq!(status, "verified");
        }
        assert_eq!(demo_users.len(), 200);
        assert!(demo_users.iter().all(|(email, hash)| email.ends_with("@demo.invalid") && hash == "!demo"));

        // No receipt mail was queued for them.
        let unsent = db::run(&app.pool, |conn| Ok(db::outbox::count_unsent(conn)?)).await.expect("count");
        assert_eq!(unsent, 0);

        // A second run adds comments from the same accounts.
        let again = generate(&app.pool, 25, Target::Everywhere).await;
        assert_eq!((again.rows(), again.accounts, again.organizations), (25, 0, 0));
    }
}

on_both_backends! {
    async fn the_article_page_shows_generated_comments_under_a_demonstration_notice(app) {
        app.seed_demo().await;
        let report = generate(&app.pool, 60, Target::Article(8)).await;
        assert_eq!(report.rows(), 60);
        let (public, hidden) = db::run(&app.pool, |conn| {
            let public: Vec<String> = comments::table
                .filter(comments::parent_id.is_null())
                .filter(comments::state.eq("published"))
                .filter(comments::visibility.ne("drafters"))
                .select(comments::tracking)
                .load(conn)?;
            let hidden: Vec<String> = comments::table
                .filter(comments::state.eq("hidden"))
                .select(comments::hidden_reason.assume_not_null())
                .load(conn)?;
            Ok((public, hidden))
        })
        .await
        .expect("query");
        let (status, page) = app.get("/c/ai-service-safety/a/8").await;
        assert_eq!(status, 200);
        let comments_at = page.find("id=\"comments\"").expect("comment section");
        let notice = page.find("演示数据：").expect("the comments carry the demonstration notice");
        let first = page.find("class=\"comment depth-0\"").expect("comments listed");
        assert!(comments_at < notice && notice < first, "the notice opens the comment section");
        for t in &public {
            assert!(page.contains(&format!("id=\"c-{t}\"")), "{t} listed");
        }
        assert!(page.contains("comment depth-1"));
        assert_eq!(hidden.len(), report.hidden);
        for reason in &hidden {
            assert!(page.contains(reason.as_str()), "the hidden comment's reason is shown");
        }
        assert!(page.contains("✓ "), "organisations' comments carry the verified badge");

        let (status, receipt) = app.get(&format!("/receipt/{}", public[0])).await;
        assert_eq!(status, 200);
        assert!(receipt.contains("演示数据："), "the receipt says so too");
        let (_, english) = app.get("/c/ai-service-safety/a/8?lang=en").await;
        assert!(english.contains("Demonstration data:"));

        // Generated public comments are searchable like posted ones; hidden ones are not.
        let indexed: Vec<i32> = db::run(&app.pool, |conn| {
            use yijian::db::schema::search_terms;
            Ok(search_terms::table
                .filter(search_terms::doc_kind.eq("comment"))
                .select(search_terms::doc_id)
                .distinct()
                .load(conn)?)
        })
        .await
        .expect("index");
        let public_ids: Vec<i32> = db::run(&app.pool, |conn| {
            Ok(comments::table
                .filter(comments::state.eq("published"))
                .filter(comments::visibility.ne("drafters"))
                .select(comments::id)
                .load(conn)?)
        })
        .await
        .expect("ids");
        let mut indexed = indexed;
        let mut public_ids = public_ids;
        indexed.sort_unstable();
        public_ids.sort_unstable();
        assert_eq!(indexed, public_ids);
    }
}

on_both_backends! {
    async fn demo_accounts_cannot_log_in(app) {
        app.seed_demo().await;
        generate(&app.pool, 10, Target::Everywhere).await;
        for password in ["!demo", "a long guess at a demo password"] {
            let r = login(&app.new_browser(), "demo000@demo.invalid", password).await;
            assert_eq!(r.status, 422, "refused, not an error: {}", r.body);
            assert!(r.body.contains("邮箱或密码错误"));
        }
    }
}

on_both_backends! {
    async fn the_first_start_creates_the_demo_with_a_few_hundred_comments_once(test_db: TestDb) {
        let pool = test_db.pool();
        let first = db::run(&pool, |conn| {
            yijian::seed::first_start(conn, Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("first start");
        assert_eq!(first.map(|r| r.rows()), Some(demo::FIRST_START_COMMENTS));
        let second = db::run(&pool, |conn| {
            yijian::seed::first_start(conn, Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("second start");
        assert!(second.is_none(), "a database with a consultation is left alone");
        let n: i64 = db::run(&pool, |conn| Ok(comments::table.count().get_result(conn)?))
            .await
            .expect("count");
        assert_eq!(usize::try_from(n).ok(), Some(demo::FIRST_START_COMMENTS));
    }
}
