//! Commenting article by article: posting, the receipt and its mail, "this was not me", replies,
//! endorsements, visibility, filters, the window, limits and hostile input.

use chrono::{Duration, Utc};
use yijian::comments::{self, CommentInput};
use yijian::consultations::{RiskTier, Slug};
use yijian::db;
use yijian::drafts::{self, NewConsultation};

use crate::accounts::{PASSWORD, register};
use crate::harness::{Browser, TestApp, csrf_of};
use crate::on_both_backends;

const ARTICLE: &str = "/c/ai-service-safety/a/5";

/// A registered, verified citizen (verified directly in the database).
async fn citizen(app: &TestApp, email: &str, name: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, name, PASSWORD).await.status, 303);
    app.mark_verified(email).await;
    b
}

async fn comment(b: &Browser, path: &str, fields: &[(&str, &str)]) -> crate::harness::Reply {
    b.submit(path, &format!("{path}/comments"), fields).await
}

fn tracking_in(location: &str) -> String {
    location.rsplit("#c-").next().expect("anchor").to_owned()
}

on_both_backends! {
    async fn citizen_comments_with_a_proposed_text_gets_a_receipt_and_can_say_this_was_not_me(app) {
        app.seed_demo().await;
        // Register and verify through the mail, as a person would.
        let b = app.new_browser();
        register(&b, "zhang.wei@example.com", "张伟", PASSWORD).await;
        app.run_outbox_until_empty().await;
        let verify = app.mail.wait_for(1).await[0].parsed().body_text(0).expect("text").into_owned();
        let start = verify.find("token=").expect("link") + "token=".len();
        let token: String = verify[start..].chars().take_while(char::is_ascii_hexdigit).collect();
        let (_, page) = b.get(&format!("/verify?token={token}")).await;
        assert_eq!(b.post("/verify", &csrf_of(&page), &[("token", &token)]).await.status, 303);

        let (_, article) = b.get(ARTICLE).await;
        assert!(article.contains("name=\"stance\""), "the form is there while open");
        let original = "第五条";
        assert!(article.contains(original));
        let reply = comment(&b, ARTICLE, &[
            ("stance", "amend"),
            ("body", "建议把报告时限写清楚。\n第二款的“及时”过于模糊。"),
            ("proposed_text", "国家人工智能服务安全治理主管部门负责统筹协调。"),
            ("visibility", "named"),
        ]).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let location = reply.location.expect("redirect");
        assert!(location.starts_with(ARTICLE));
        let tracking = tracking_in(&location);
        assert!(tracking.starts_with("YJ-") && tracking.len() == 17, "{tracking}");

        let (_, page) = b.get(ARTICLE).await;
        assert!(page.contains("您的意见已提交"));
        assert!(page.contains(&format!("id=\"c-{tracking}\"")));
        assert!(page.contains("张伟") && page.contains("修改建议") && page.contains("建议把报告时限写清楚。"));
        assert!(page.contains("<del>") || page.contains("<ins>"), "the proposal is shown as a diff");

        // The receipt page and the receipt mail carry the same number and digest.
        let (status, receipt) = app.get(&format!("/receipt/{tracking}")).await;
        assert_eq!(status, 200);
        assert!(receipt.contains(&tracking) && receipt.contains("第五条") && receipt.contains("修改建议") && receipt.contains("公开署名"));
        let hash_start = receipt.find("<dt>SHA-256</dt><dd><code>").expect("hash") + "<dt>SHA-256</dt><dd><code>".len();
        let hash: String = receipt[hash_start..].chars().take_while(char::is_ascii_hexdigit).collect();
        assert_eq!(hash.len(), 64);
        app.run_outbox_until_empty().await;
        let mails = app.mail.wait_for(2).await;
        let mail = mails.iter().find(|m| m.parsed().subject().is_some_and(|s| s.contains(&tracking))).expect("receipt mail");
        let text = mail.parsed().body_text(0).expect("text").into_owned();
        assert!(text.contains(&tracking) && text.contains(&hash), "{text}");
        assert_eq!(app.get(&format!("/receipt/{}", tracking.to_lowercase())).await.0, 200, "numbers are forgiven their case");
        assert_eq!(app.get("/receipt/YJ-2026-0000-0000").await.0, 404);

        // "This was not me": no log-in needed; the dispute is recorded.
        let link_start = text.find("/dispute?token=").expect("dispute link");
        let dispute_path: String = text[link_start..].split_whitespace().next().expect("link").to_owned();
        let stranger = app.new_browser();
        let (status, form) = stranger.get(&dispute_path).await;
        assert_eq!(status, 200);
        let dispute_token = dispute_path.rsplit('=').next().expect("token");
        let done = stranger.post("/dispute", &csrf_of(&form), &[("token", dispute_token)]).await;
        assert_eq!(done.status, 200);
        assert!(done.body.contains("已记录您的异议") && done.body.contains(&tracking));
        let disputes = db::run(&app.pool, |conn| {
            let c = db::consultations::by_slug(conn, "ai-service-safety")?.expect("demo");
            Ok(db::comments::open_disputes(conn, c.id)?)
        })
        .await
        .expect("disputes");
        assert_eq!(disputes.len(), 1);
        assert_eq!(disputes[0].0.tracking, tracking);
    }
}

on_both_backends! {
    async fn the_comment_form_refuses_bad_input_and_keeps_what_was_typed(app) {
        app.seed_demo().await;
        let b = citizen(&app, "li@example.com", "李").await;
        let r = comment(&b, ARTICLE, &[("stance", ""), ("body", ""), ("proposed_text", ""), ("visibility", "named")]).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("请选择您的态度") && r.body.contains("此项必填"));
        let long = "长".repeat(5001);
        let r = comment(&b, ARTICLE, &[("stance", "support"), ("body", &long), ("visibility", "named")]).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("最多 5000 个字"));
        let r = comment(&b, ARTICLE, &[("stance", "support"), ("body", "正文\u{7}响铃"), ("visibility", "named")]).await;
        assert!(r.body.contains("不能包含控制字符"));
        let r = comment(&b, ARTICLE, &[("stance", "support"), ("body", "保留我的文字"), ("visibility", "everyone")]).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("保留我的文字"), "what was typed comes back");

        let script = "<script>alert('x')</script> ' OR 1=1; --";
        let ok = comment(&b, ARTICLE, &[("stance", "oppose"), ("body", script), ("visibility", "anonymous")]).await;
        assert_eq!(ok.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        assert!(!page.contains("<script>alert"), "markup is escaped");
        assert!(page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"));
        assert!(page.contains("匿名") && !page.contains(">李<"), "anonymous comments hide the name");

        let again = comment(&b, ARTICLE, &[("stance", "oppose"), ("body", script), ("visibility", "anonymous")]).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("您已就本条提交过相同的意见"));
    }
}

on_both_backends! {
    async fn only_verified_accounts_comment_and_only_while_the_window_is_open(app) {
        app.seed_demo().await;
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("登录后即可对本条发表意见"));
        let unverified = app.new_browser();
        register(&unverified, "new@example.com", "新人", PASSWORD).await;
        let (_, page) = unverified.get(ARTICLE).await;
        assert!(page.contains("请先验证您的电子邮箱"));
        let r = unverified.post(&format!("{ARTICLE}/comments"), &csrf_of(&page), &[("stance", "support"), ("body", "支持"), ("visibility", "named")]).await;
        assert_eq!(r.status, 403);
        assert!(r.body.contains("请先验证您的电子邮箱再发表意见"));

        // A consultation whose window has closed: no form, and a POST is refused.
        db::run(&app.pool, |conn| {
            let now = Utc::now().naive_utc();
            let meta = NewConsultation {
                slug: Slug::parse("closed-rules").expect("slug"),
                title: None, title_en: None, issuer: "机关".into(), issuer_en: None, summary: String::new(), summary_en: None,
                risk_tier: RiskTier::Low, topics: vec![], is_demo: false,
                opens_at: now - Duration::days(30), closes_at: now - Duration::days(1),
            };
            drafts::import_new_consultation(conn, "已截止的规定\n第一条　内容。\n".as_bytes(), "closed.txt", &meta, now)
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("closed consultation");
        let b = citizen(&app, "wang@example.com", "王").await;
        let (_, page) = b.get("/c/closed-rules/a/1").await;
        assert!(page.contains("征求意见已截止") && !page.contains("name=\"stance\""));
        let r = b.post("/c/closed-rules/a/1/comments", &csrf_of(&page), &[("stance", "support"), ("body", "晚了"), ("visibility", "named")]).await;
        assert_eq!(r.status, 403);
        assert!(r.body.contains("不在征求意见期内"));
        let missing = b.post("/c/ai-service-safety/a/999/comments", &csrf_of(&page), &[("stance", "support"), ("body", "x"), ("visibility", "named")]).await;
        assert_eq!(missing.status, 404);
    }
}

on_both_backends! {
    async fn a_burst_of_comments_from_one_account_is_slowed_down(app) {
        app.seed_demo().await;
        let b = citizen(&app, "fast@example.com", "快手").await;
        for i in 0..20 {
            let r = comment(&b, ARTICLE, &[("stance", "other"), ("body", &format!("第 {i} 条意见")), ("visibility", "named")]).await;
            assert_eq!(r.status, 303, "comment {i}: {}", r.body);
        }
        let r = comment(&b, ARTICLE, &[("stance", "other"), ("body", "第 21 条意见"), ("visibility", "named")]).await;
        assert_eq!(r.status, 429);
        assert!(r.body.contains("之后再试"));
    }
}

on_both_backends! {
    async fn replies_thread_under_comments_and_endorsements_count_once_per_person(app) {
        app.seed_demo().await;
        let a = citizen(&app, "a@example.com", "甲").await;
        let b = citizen(&app, "b@example.com", "乙").await;
        let first = comment(&a, ARTICLE, &[("stance", "support"), ("body", "支持本条。"), ("visibility", "named")]).await;
        let t1 = tracking_in(&first.location.expect("posted"));
        let reply = comment(&b, ARTICLE, &[("reply_to", &t1), ("body", "同意楼上。")]).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let t2 = tracking_in(&reply.location.expect("posted"));
        let deeper = comment(&a, ARTICLE, &[("reply_to", &t2), ("body", "谢谢。")]).await;
        assert_eq!(deeper.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        let p1 = page.find(&format!("id=\"c-{t1}\"")).expect("comment");
        let p2 = page.find(&format!("id=\"c-{t2}\"")).expect("reply");
        assert!(p1 < p2 && page.contains("comment depth-1") && page.contains("comment depth-2"));
        assert!(page.contains("共 1 条"), "replies are not counted as comments");

        // A reply to a comment on another article is refused.
        let (_, other) = b.get("/c/ai-service-safety/a/6").await;
        let wrong = b.post("/c/ai-service-safety/a/6/comments", &csrf_of(&other), &[("reply_to", &t1), ("body", "串门")]).await;
        assert_eq!(wrong.status, 400);
        assert!(wrong.body.contains("不属于本条文"));

        let (_, page) = b.get(ARTICLE).await;
        let endorse_path = format!("/comments/{t1}/endorse");
        assert_eq!(b.post(&endorse_path, &csrf_of(&page), &[]).await.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("附议 1"));
        let (_, bpage) = b.get(ARTICLE).await;
        assert!(bpage.contains("撤回附议"));
        assert_eq!(b.post(&endorse_path, &csrf_of(&bpage), &[]).await.status, 303);
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("附议 0"), "withdrawn");
        let anonymous = app.new_browser();
        let (_, apage) = anonymous.get("/login").await;
        let r = anonymous.post(&format!("/comments/{t1}/endorse"), &csrf_of(&apage), &[]).await;
        assert_eq!(r.status, 303);
        assert!(r.location.is_some_and(|l| l.starts_with("/login")));
    }
}

on_both_backends! {
    async fn drafters_only_comments_are_read_by_that_consultations_drafters_alone(app) {
        app.seed_demo().await;
        let author = citizen(&app, "ent@example.com", "企业联系人").await;
        let r = comment(&author, ARTICLE, &[("stance", "amend"), ("body", "涉及商业秘密的意见"), ("visibility", "drafters")]).await;
        assert_eq!(r.status, 303);
        let (_, public) = app.get(ARTICLE).await;
        assert!(!public.contains("涉及商业秘密的意见"));
        let drafter = citizen(&app, "drafter@example.gov.cn", "起草人").await;
        let (_, before) = drafter.get(ARTICLE).await;
        assert!(!before.contains("涉及商业秘密的意见"));
        db::run(&app.pool, |conn| {
            let c = db::consultations::by_slug(conn, "ai-service-safety")?.expect("demo");
            yijian::roles::grant(conn, c.id, "drafter@example.gov.cn", yijian::roles::Role::Drafter, Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("granted");
        let (_, after) = drafter.get(ARTICLE).await;
        assert!(after.contains("涉及商业秘密的意见") && after.contains("仅起草机关可见"));
        let (_, toc) = app.get("/c/ai-service-safety").await;
        assert!(!toc.contains("共 1 条"), "the public count leaves it out");
    }
}

on_both_backends! {
    async fn the_list_shows_counts_filters_by_stance_and_type_and_pages_by_fifty(app) {
        app.seed_demo().await;
        register(&app.new_browser(), "ngo@example.org", "观察员", PASSWORD).await;
        register(&app.new_browser(), "gov@example.gov.cn", "政府联系人", PASSWORD).await;
        register(&app.new_browser(), "biz@example.com", "企业", PASSWORD).await;
        db::run(&app.pool, |conn| {
            let now = Utc::now().naive_utc();
            let base = url::Url::parse("http://127.0.0.1/").expect("url");
            for (email, kind) in [("ngo@example.org", "ngo"), ("gov@example.gov.cn", "government"), ("biz@example.com", "enterprise")] {
                let row = db::accounts::user_by_email(conn, email)?.expect("user");
                db::accounts::mark_verified(conn, row.id, now)?;
                db::accounts::update_profile(conn, row.id, &row.display_name, kind)?;
            }
            let stances = ["support", "oppose", "amend"];
            for i in 0..51 {
                let email = ["ngo@example.org", "gov@example.gov.cn", "biz@example.com"][i % 3];
                let user = yijian::accounts::User::try_from(db::accounts::user_by_email(conn, email)?.expect("user"))?;
                let input = CommentInput {
                    stance: stances[i % 3].into(),
                    body: format!("第 {i} 条测试意见"),
                    visibility: "named".into(),
                    ..CommentInput::default()
                };
                let valid = input.validate().expect("valid");
                // Spread over time so the throttle, per account, is not what this test measures.
                let at = now + Duration::minutes(i64::try_from(i).unwrap_or(0) * 11);
                comments::post(conn, "ai-service-safety", comments::Target::Article(5), &valid, &[], &user, None, &base, at)
                    .map_err(|e| db::DbError::Migration(e.to_string()))?;
            }
            Ok(())
        })
        .await
        .expect("comments posted");
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("共 51 条"));
        assert!(page.contains("支持 17") && page.contains("反对 17") && page.contains("修改建议 17") && page.contains("其他 0"));
        assert!(page.contains("社会组织 17") && page.contains("政府部门 17") && page.contains("企业 17"));
        assert_eq!(page.matches("class=\"comment depth-0\"").count(), 50);
        assert!(page.contains("第 1 页，共 2 页") && page.contains("第 50 条测试意见"), "newest first");
        let (_, second) = app.get(&format!("{ARTICLE}?page=2")).await;
        assert_eq!(second.matches("class=\"comment depth-0\"").count(), 1);
        assert!(second.contains("第 0 条测试意见"));
        let (_, oppose) = app.get(&format!("{ARTICLE}?stance=oppose")).await;
        assert!(oppose.contains("共 17 条"));
        assert_eq!(oppose.matches("<span class=\"stance stance-oppose\">").count(), 17);
        let (_, gov) = app.get(&format!("{ARTICLE}?type=government&stance=")).await;
        assert_eq!(gov.matches("<span class=\"who\">政府部门</span>").count(), 17);
        assert_eq!(app.get(&format!("{ARTICLE}?stance=angry")).await.0, 400);
        assert_eq!(app.get(&format!("{ARTICLE}?page=0")).await.0, 400);
        let (_, toc) = app.get("/c/ai-service-safety").await;
        assert!(toc.contains("共 51 条"), "the table of contents counts comments per article");
    }
}

/// Posts a comment with files as a browser would (multipart, the CSRF token first).
async fn comment_with_files(
    b: &Browser,
    files: Vec<(&str, Vec<u8>)>,
    csrf_first: bool,
) -> crate::harness::Reply {
    let (_, page) = b.get(ARTICLE).await;
    let csrf = csrf_of(&page);
    let mut form = reqwest::multipart::Form::new();
    if csrf_first {
        form = form.text("csrf", csrf.clone());
    }
    for (k, v) in [
        ("stance", "amend"),
        ("body", "附上我们的意见书。"),
        ("proposed_text", ""),
        ("visibility", "named"),
    ] {
        form = form.text(k, v);
    }
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    if !csrf_first {
        form = form.text("csrf", csrf);
    }
    let resp = b
        .client
        .post(format!("{}{ARTICLE}/comments", b.base))
        .multipart(form)
        .send()
        .await
        .expect("request");
    crate::harness::Reply::read(resp).await
}

async fn comment_count(app: &TestApp) -> i64 {
    db::run(&app.pool, |conn| {
        use diesel::prelude::*;
        Ok(yijian::db::schema::comments::table
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .expect("count")
}

on_both_backends! {
    async fn position_papers_are_attached_checked_by_content_and_served_as_downloads(app) {
        app.seed_demo().await;
        let b = citizen(&app, "assoc@example.org", "协会").await;
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
        let txt = "意见书\n建议修改第五条。\n".as_bytes().to_vec();
        let ok = comment_with_files(&b, vec![("意见书.pdf", pdf.clone()), ("说明.txt", txt)], true).await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let (_, page) = app.get(ARTICLE).await;
        assert!(page.contains("意见书.pdf") && page.contains("说明.txt"));
        let start = page.find("href=\"/attachments/").expect("link") + "href=\"".len();
        let href: String = page[start..].chars().take_while(|c| *c != '"').collect();
        let resp = app.client.get(format!("{}{href}", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 200);
        let h = resp.headers().clone();
        assert_eq!(h.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
        assert!(h.get("content-disposition").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("attachment;")));
        assert_eq!(h.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
        assert_eq!(resp.bytes().await.expect("body").to_vec(), pdf);
        assert_eq!(app.get("/attachments/99999").await.0, 404);

        let before = comment_count(&app).await;
        let exe = comment_with_files(&b, vec![("report.pdf", b"MZ\x90\0\x03\0\0\0\x04\0".to_vec())], true).await;
        assert_eq!(exe.status, 400);
        assert!(exe.body.contains("附件类型不受支持"), "{}", exe.body);
        let six: Vec<(&str, Vec<u8>)> = (0..6).map(|_| ("a.txt", b"text".to_vec())).collect();
        let many = comment_with_files(&b, six, true).await;
        assert_eq!(many.status, 400);
        assert!(many.body.contains("最多附 5 个文件"));
        let big = comment_with_files(&b, vec![("big.txt", vec![b'a'; 10 * 1024 * 1024 + 1])], true).await;
        assert_eq!(big.status, 413);
        assert!(big.body.contains("不能超过 10 MB"));
        let forged = comment_with_files(&b, vec![("x.txt", b"text".to_vec())], false).await;
        assert_eq!(forged.status, 403, "the token must come before any file");
        assert_eq!(comment_count(&app).await, before, "nothing was recorded for refused uploads");
    }
}

on_both_backends! {
    async fn citizen_comments_on_the_draft_as_a_whole_from_its_front_page(app) {
        app.seed_demo().await;
        let (_, page) = app.get("/c/ai-service-safety").await;
        assert!(page.contains("对征求意见稿的整体意见") && page.contains("登录后即可"));
        let b = citizen(&app, "whole@example.com", "整体").await;
        let bad = b.submit("/c/ai-service-safety", "/c/ai-service-safety/comments", &[("stance", ""), ("body", "保留"), ("visibility", "named")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("请选择您的态度") && bad.body.contains(">保留</textarea>"));
        let ok = b
            .submit("/c/ai-service-safety", "/c/ai-service-safety/comments", &[("stance", "support"), ("body", "总体支持，建议增加过渡期。"), ("visibility", "named")])
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let location = ok.location.expect("location");
        assert!(location.starts_with("/c/ai-service-safety#c-YJ-"));
        let tracking = tracking_in(&location);
        let (_, page) = app.get("/c/ai-service-safety").await;
        assert!(page.contains("总体支持，建议增加过渡期。") && page.contains(&format!("id=\"c-{tracking}\"")));
        let (_, receipt) = app.get(&format!("/receipt/{tracking}")).await;
        assert!(receipt.contains("整体意见"));
        let (_, article) = app.get(ARTICLE).await;
        assert!(!article.contains("总体支持，建议增加过渡期。"), "not listed under an article");
    }
}

/// The chapter page addresses linked from a consultation's table of contents, in order.
async fn chapter_links(app: &TestApp) -> Vec<String> {
    let (_, page) = app.get("/c/ai-service-safety").await;
    page.match_indices("href=\"/c/ai-service-safety/d/")
        .map(|(i, _)| {
            let rest = &page[i + "href=\"".len()..];
            rest[..rest.find('"').expect("closing quote")].to_owned()
        })
        .collect()
}

on_both_backends! {
    async fn citizen_reads_a_chapter_and_comments_on_it_as_a_whole(app) {
        app.seed_demo().await;
        let links = chapter_links(&app).await;
        assert!(links.len() >= 5, "every chapter and section is linked: {links:?}");
        let chapter_one = links[0].clone();
        let (status, page) = app.get(&chapter_one).await;
        assert_eq!(status, 200);
        assert!(page.contains("<h1>第一章 总则</h1>"), "{page}");
        assert!(page.contains(">第一条<") && page.contains(">第六条<") && page.contains("为了促进人工智能服务安全"));
        assert!(!page.contains(">第七条<"), "only this chapter's articles: {page}");
        assert!(page.contains("对本章节的意见") && page.contains("暂无对本章节的意见"));

        // A chapter with sections shows them, each linking to its own page.
        let (_, chapter_three) = app.get(&links[2]).await;
        assert!(chapter_three.contains("第三章 风险评估与预警") && chapter_three.contains("第一节 风险评估") && chapter_three.contains("第二节 监测预警"));

        let b = citizen(&app, "chapter@example.com", "章节读者").await;
        let bad = b.submit(&chapter_one, &format!("{chapter_one}/comments"), &[("stance", "oppose"), ("body", ""), ("visibility", "named")]).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("第一章 总则"), "the chapter page comes back with the error");
        let ok = b.submit(&chapter_one, &format!("{chapter_one}/comments"), &[("stance", "amend"), ("body", "总则应写明适用的例外情形。"), ("visibility", "anonymous")]).await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let location = ok.location.expect("location");
        assert!(location.starts_with(&format!("{chapter_one}#c-YJ-")), "{location}");
        let tracking = tracking_in(&location);

        let (_, page) = app.get(&chapter_one).await;
        assert!(page.contains("总则应写明适用的例外情形。") && page.contains(&format!("id=\"c-{tracking}\"")));
        let (_, front) = app.get("/c/ai-service-safety").await;
        assert!(!front.contains("总则应写明适用的例外情形。"), "not listed as a comment on the whole draft");
        let (_, other_chapter) = app.get(&links[1]).await;
        assert!(!other_chapter.contains("总则应写明适用的例外情形。"));
        let (_, receipt) = app.get(&format!("/receipt/{tracking}")).await;
        assert!(receipt.contains(&format!("href=\"{chapter_one}#c-{tracking}\"")) && receipt.contains("第一章"));

        // The same words twice on the same chapter are refused; an unknown chapter is a 404.
        let again = b.submit(&chapter_one, &format!("{chapter_one}/comments"), &[("stance", "amend"), ("body", "总则应写明适用的例外情形。"), ("visibility", "anonymous")]).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains(&tracking));
        assert_eq!(app.get("/c/ai-service-safety/d/99999").await.0, 404);
        let (_, signed_in) = b.get(&chapter_one).await;
        let csrf = csrf_of(&signed_in);
        let missing = b.post("/c/ai-service-safety/d/99999/comments", &csrf, &[("stance", "amend"), ("body", "无处可去"), ("visibility", "named")]).await;
        assert_eq!(missing.status, 404);
        let (_, english) = app.get(&format!("{chapter_one}?lang=en")).await;
        assert!(english.contains("Comments on this chapter"));
    }
}

on_both_backends! {
    async fn a_comment_recorded_through_another_instance_reaches_anonymous_readers_within_a_second(app) {
        app.seed_demo().await;
        let reader = citizen(&app, "reader@example.com", "读者").await;
        let (_, before) = app.get(ARTICLE).await;
        assert!(!before.contains("另一实例记录的意见"));
        assert!(!before.contains("name=\"csrf\""), "a page kept for anonymous readers holds no token");
        // Another instance of the application writes to the shared database: this instance's
        // POST handling never sees it.
        db::run(&app.pool, |conn| {
            let user = yijian::accounts::User::try_from(db::accounts::user_by_email(conn, "reader@example.com")?.expect("user"))?;
            let valid = CommentInput {
                stance: "support".into(),
                body: "另一实例记录的意见".into(),
                visibility: "named".into(),
                ..CommentInput::default()
            }
            .validate()
            .expect("valid");
            let base = url::Url::parse("http://127.0.0.1/").expect("url");
            comments::post(conn, "ai-service-safety", comments::Target::Article(5), &valid, &[], &user, None, &base, Utc::now().naive_utc())
                .map_err(|e| db::DbError::Migration(e.to_string()))?;
            Ok(())
        })
        .await
        .expect("posted");
        let (_, signed_in) = reader.get(ARTICLE).await;
        assert!(signed_in.contains("另一实例记录的意见"), "signed-in readers always get a fresh page");
        tokio::time::sleep(yijian::web::page_cache::FRESH_FOR + std::time::Duration::from_millis(100)).await;
        let (_, after) = app.get(ARTICLE).await;
        assert!(after.contains("另一实例记录的意见"), "anonymous readers see it once the kept page is stale");
    }
}
