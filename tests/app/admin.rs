//! Administration: organisations verified, consultations created from uploaded drafts, roles
//! assigned, and every administration route closed to everyone else.

use yijian::accounts;
use yijian::db;

use crate::accounts::{PASSWORD, login, register};
use crate::harness::{Browser, TestApp, csrf_of};
use crate::on_both_backends;

/// Creates an administrator directly in the database and returns a browser logged in as it.
pub async fn admin(app: &TestApp) -> Browser {
    let hash = accounts::password::hash(PASSWORD.to_owned())
        .await
        .expect("hash");
    db::run(&app.pool, move |conn| {
        accounts::create_or_promote_admin(
            conn,
            "admin@example.gov.cn",
            &hash,
            chrono::Utc::now().naive_utc(),
        )
        .map_err(|e| db::DbError::Migration(e.to_string()))
    })
    .await
    .expect("admin created");
    let browser = app.new_browser();
    assert_eq!(
        login(&browser, "admin@example.gov.cn", PASSWORD)
            .await
            .status,
        303
    );
    browser
}

/// Registers an account of `kind` and returns its browser.
async fn member(app: &TestApp, email: &str, kind: &str) -> Browser {
    let b = app.new_browser();
    assert_eq!(register(&b, email, "联系人", PASSWORD).await.status, 303);
    let r = b
        .submit(
            "/account",
            "/account/profile",
            &[("display_name", "联系人"), ("stakeholder_type", kind)],
        )
        .await;
    assert_eq!(r.status, 303);
    b
}

on_both_backends! {
    async fn an_industry_association_registers_and_an_admin_verifies_it(app) {
        let assoc = member(&app, "contact@ai-association.org.cn", "industry_association").await;
        let wrong = assoc
            .submit("/account/organization", "/account/organization", &[("name", "中国人工智能产业示范协会"), ("org_type", "industry_association"), ("uscc", "91350100M000100Y44")])
            .await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("校验码不符"), "{}", wrong.body);
        assert!(wrong.body.contains("应为“3”"), "the expected check character is named");
        let bad_char = assoc
            .submit("/account/organization", "/account/organization", &[("name", "协会"), ("org_type", "industry_association"), ("uscc", "91350100M000100I43")])
            .await;
        assert!(bad_char.body.contains("第 16 位的“I”不是有效字符"), "{}", bad_char.body);
        let ok = assoc
            .submit("/account/organization", "/account/organization", &[("name", "中国人工智能产业示范协会"), ("org_type", "industry_association"), ("uscc", "91350100m000100y43")])
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let (_, page) = assoc.get("/account/organization").await;
        assert!(page.contains("91350100M000100Y43") && page.contains("待审核"));

        // A second account cannot claim the same code.
        let other = member(&app, "other@example.com", "enterprise").await;
        let taken = other
            .submit("/account/organization", "/account/organization", &[("name", "冒名企业"), ("org_type", "enterprise"), ("uscc", "91350100M000100Y43")])
            .await;
        assert_eq!(taken.status, 422);
        assert!(taken.body.contains("已被登记"));

        let admin = admin(&app).await;
        let (_, queue) = admin.get("/admin/organizations").await;
        assert!(queue.contains("中国人工智能产业示范协会") && queue.contains("contact@ai-association.org.cn"));
        let id_start = queue.find("action=\"/admin/organizations/").expect("a review form") + "action=\"/admin/organizations/".len();
        let id: String = queue[id_start..].chars().take_while(char::is_ascii_digit).collect();
        let reply = admin
            .post(&format!("/admin/organizations/{id}"), &csrf_of(&queue), &[("decision", "verify")])
            .await;
        assert_eq!(reply.status, 303);
        let (_, page) = assoc.get("/account/organization").await;
        assert!(page.contains("已认证"), "{page}");
        let (_, home) = assoc.get("/").await;
        assert!(home.contains("✓ 中国人工智能产业示范协会"), "members show the verified badge on every page");
        let (_, before) = other.get("/").await;
        assert!(!before.contains("✓"), "others do not");
        let (_, queue) = admin.get("/admin/organizations").await;
        assert!(queue.contains("没有待审核的组织"));
    }
}

on_both_backends! {
    async fn a_rejection_needs_a_reason_which_the_applicant_sees(app) {
        let ngo = member(&app, "ngo@example.org", "ngo").await;
        ngo.submit("/account/organization", "/account/organization", &[("name", "数字权利观察"), ("org_type", "ngo"), ("uscc", "91110000802100433B")])
            .await;
        let individual = app.new_browser();
        register(&individual, "citizen@example.com", "市民", PASSWORD).await;
        let (_, page) = individual.get("/account/organization").await;
        assert!(page.contains("个人账户不能登记组织"));
        let refused = individual
            .submit("/account/organization", "/account/organization", &[("name", "X"), ("org_type", "ngo"), ("uscc", "91110000802100433B")])
            .await;
        assert_eq!(refused.status, 403);

        let admin = admin(&app).await;
        let (_, queue) = admin.get("/admin/organizations").await;
        let id_start = queue.find("action=\"/admin/organizations/").expect("form") + "action=\"/admin/organizations/".len();
        let id: String = queue[id_start..].chars().take_while(char::is_ascii_digit).collect();
        let csrf = csrf_of(&queue);
        let empty = admin.post(&format!("/admin/organizations/{id}"), &csrf, &[("decision", "reject"), ("reason", " ")]).await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("此项必填"));
        let ok = admin
            .post(&format!("/admin/organizations/{id}"), &csrf, &[("decision", "reject"), ("reason", "统一社会信用代码与名称不符")])
            .await;
        assert_eq!(ok.status, 303);
        let (_, page) = ngo.get("/account/organization").await;
        assert!(page.contains("未通过") && page.contains("统一社会信用代码与名称不符"));
        let again = admin.post(&format!("/admin/organizations/{id}"), &csrf, &[("decision", "verify")]).await;
        assert_eq!(again.status, 404, "a decided organisation is not reviewed twice");
    }
}

/// Posts the multipart creation form.
async fn create_consultation(
    admin: &Browser,
    slug: &str,
    draft: &str,
    opens: &str,
    closes: &str,
) -> crate::harness::Reply {
    let (_, page) = admin.get("/admin/consultations/new").await;
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf_of(&page));
    for (k, v) in [
        ("slug", slug),
        ("title", ""),
        ("title_en", "Rules for Testing AI Systems"),
        ("issuer", "测试发布机关"),
        ("issuer_en", ""),
        ("summary", "用于测试的征求意见稿"),
        ("summary_en", ""),
        ("risk_tier", "medium"),
        ("topics", "测试，评估"),
        ("opens", opens),
        ("closes", closes),
        ("draft_text", ""),
    ] {
        form = form.text(k, v.to_owned());
    }
    let part = reqwest::multipart::Part::bytes(draft.as_bytes().to_vec()).file_name("draft.txt");
    form = form.part("draft", part);
    let resp = admin
        .client
        .post(format!("{}/admin/consultations/new", admin.base))
        .multipart(form)
        .send()
        .await
        .expect("request");
    crate::harness::Reply::read(resp).await
}

on_both_backends! {
    async fn an_admin_creates_a_consultation_from_an_uploaded_draft_and_assigns_a_drafter(app) {
        let admin = admin(&app).await;
        let bad = create_consultation(&admin, "testing-rules", "标题\n第一条　甲。\n第三条　乙。\n第二条　丙。\n", "2026-12-01", "2026-12-31").await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("草案文本无法导入") && bad.body.contains("line 4"), "{}", bad.body);
        let window = create_consultation(&admin, "testing-rules", "标题\n第一条　甲。\n", "2026-12-31", "2026-12-01").await;
        assert!(window.body.contains("截止日期不能早于开始日期"));

        let ok = create_consultation(&admin, "testing-rules", "人工智能测试规定（征求意见稿）\n第一章　总则\n第一条　为了测试，制定本规定。\n第二条　本规定自公布之日起施行。\n", "2026-12-01", "2026-12-31").await;
        assert_eq!((ok.status, ok.location.as_deref()), (303, Some("/c/testing-rules")), "{}", ok.body);
        let (_, page) = app.get("/c/testing-rules").await;
        assert!(page.contains("人工智能测试规定（征求意见稿）") && page.contains("第一章 总则"));
        assert!(page.contains("2026年12月1日 00:00 至 2027年1月1日 00:00"), "{page}");

        let taken = create_consultation(&admin, "testing-rules", "X\n第一条　甲。\n", "2026-12-01", "2026-12-31").await;
        assert!(taken.body.contains("该网址名称已被使用"));

        let edit = admin
            .submit("/admin/consultations/testing-rules/edit", "/admin/consultations/testing-rules/edit", &[
                ("title", "人工智能测试规定（修订征求意见稿）"), ("title_en", ""), ("issuer", "测试发布机关"), ("issuer_en", ""),
                ("summary", ""), ("summary_en", ""), ("risk_tier", "high"), ("topics", ""), ("opens", "2026-12-01"), ("closes", "2027-01-15"),
            ])
            .await;
        assert_eq!(edit.status, 303, "{}", edit.body);
        let (_, page) = app.get("/c/testing-rules").await;
        assert!(page.contains("修订征求意见稿") && page.contains("高风险"));

        let drafter = app.new_browser();
        register(&drafter, "drafter@example.gov.cn", "起草人甲", PASSWORD).await;
        let missing = admin
            .submit("/admin/consultations/testing-rules/roles", "/admin/consultations/testing-rules/roles", &[("email", "nobody@example.com"), ("role", "drafter")])
            .await;
        assert_eq!(missing.status, 422);
        assert!(missing.body.contains("没有使用该邮箱的账户"));
        let granted = admin
            .submit("/admin/consultations/testing-rules/roles", "/admin/consultations/testing-rules/roles", &[("email", "Drafter@example.gov.cn"), ("role", "drafter")])
            .await;
        assert_eq!(granted.status, 303);
        let (_, roles) = admin.get("/admin/consultations/testing-rules/roles").await;
        assert!(roles.contains("drafter@example.gov.cn") && roles.contains("起草人"));
    }
}

on_both_backends! {
    async fn every_admin_route_refuses_anonymous_visitors_and_non_admins(app) {
        app.seed_demo().await;
        let admin = admin(&app).await;
        let citizen = app.new_browser();
        register(&citizen, "plain@example.com", "普通用户", PASSWORD).await;
        let anonymous = app.new_browser();
        anonymous.get("/").await;
        let slug = yijian::seed::DEMO_SLUG;
        let gets = [
            "/admin".to_owned(),
            "/admin/organizations".to_owned(),
            "/admin/consultations".to_owned(),
            "/admin/consultations/new".to_owned(),
            format!("/admin/consultations/{slug}/edit"),
            format!("/admin/consultations/{slug}/roles"),
        ];
        for path in &gets {
            let resp = anonymous.client.get(format!("{}{path}", app.base)).send().await.expect("request");
            assert_eq!(resp.status().as_u16(), 303, "anonymous GET {path}");
            assert!(resp.headers().get("location").and_then(|v| v.to_str().ok()).is_some_and(|l| l.starts_with("/login?next=")));
            assert_eq!(citizen.get(path).await.0, 403, "citizen GET {path}");
            assert_eq!(admin.get(path).await.0, 200, "admin GET {path}");
        }
        let posts = [
            "/admin/organizations/1".to_owned(),
            "/admin/consultations/new".to_owned(),
            format!("/admin/consultations/{slug}/edit"),
            format!("/admin/consultations/{slug}/roles"),
            format!("/admin/consultations/{slug}/roles/revoke"),
        ];
        let (_, page) = citizen.get("/").await;
        let citizen_csrf = csrf_of(&page);
        let (_, page) = anonymous.get("/login").await;
        let anonymous_csrf = csrf_of(&page);
        for path in &posts {
            let reply = anonymous.post(path, &anonymous_csrf, &[("decision", "verify")]).await;
            assert_eq!(reply.status, 303, "anonymous POST {path}");
            let reply = citizen.post(path, &citizen_csrf, &[("decision", "verify")]).await;
            assert_eq!(reply.status, 403, "citizen POST {path}");
            assert!(reply.body.contains("只有管理员可以访问此页面"), "{path}");
        }
    }
}
