//! Accounts: registering, logging in and out, throttling, the profile, export and deletion.

use yijian::db;

use crate::harness::{Browser, TestApp};
use crate::on_both_backends;

pub const PASSWORD: &str = "人工智能治理人人参与2026";

/// Registers `email` as a citizen from `browser` and returns the reply (303 on success).
pub async fn register(
    browser: &Browser,
    email: &str,
    name: &str,
    password: &str,
) -> crate::harness::Reply {
    browser
        .submit(
            "/register",
            "/register",
            &[
                ("email", email),
                ("display_name", name),
                ("stakeholder_type", "citizen"),
                ("password", password),
            ],
        )
        .await
}

/// Logs `browser` in.
pub async fn login(browser: &Browser, email: &str, password: &str) -> crate::harness::Reply {
    browser
        .submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
}

async fn user_count(app: &TestApp) -> i64 {
    db::run(&app.pool, |conn| {
        use diesel::prelude::*;
        Ok(yijian::db::schema::users::table
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .expect("count")
}

on_both_backends! {
    async fn citizen_registers_and_is_signed_in_but_not_yet_verified(app) {
        let reply = register(&app, "Li.Ming@Example.com", "李明", PASSWORD).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        assert_eq!(reply.location.as_deref(), Some("/account"));
        let (status, page) = app.get("/account").await;
        assert_eq!(status, 200);
        assert!(page.contains("li.ming@example.com"), "the address is stored in lower case");
        assert!(page.contains("注册成功"), "a flash message confirms");
        assert!(page.contains("未验证"));
        assert!(page.contains(">李明</a>"), "the header shows who is signed in");
        let (_, again) = app.get("/account").await;
        assert!(!again.contains("注册成功"), "the flash message shows once");
    }
}

on_both_backends! {
    async fn registration_refuses_bad_input_and_keeps_what_was_typed(app) {
        let reply = register(&app, "not-an-address", "", "password1234").await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("请输入有效的电子邮箱地址"));
        assert!(reply.body.contains("此项必填"));
        assert!(reply.body.contains("这是常见密码"));
        assert!(reply.body.contains("value=\"not-an-address\""), "the typed address is kept");
        assert!(!reply.body.contains("password1234"), "the password is never echoed");
        assert!(reply.body.contains("aria-invalid=\"true\""));

        let reply = register(&app, "wang@example.com", "王", "short").await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("至少需要 12 个字符"));
        let reply = register(&app, "wang@example.com", &"名".repeat(51), PASSWORD).await;
        assert!(reply.body.contains("最多 50 个字"));
        let reply = register(&app, "wangwei@example.com", "王伟", "wangwei-has-a-password").await;
        assert!(reply.body.contains("不能包含您的邮箱名"));
        assert_eq!(user_count(&app).await, 0);

        let reply = app
            .submit("/register?lang=en", "/register", &[("email", "x"), ("display_name", "X"), ("stakeholder_type", "robot"), ("password", PASSWORD)])
            .await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("Please choose a type from the list."), "errors are in the reader's language");
    }
}

on_both_backends! {
    async fn the_same_address_cannot_register_twice(app) {
        assert_eq!(register(&app, "zhao@example.com", "赵", PASSWORD).await.status, 303);
        let other = app.new_browser();
        let reply = register(&other, "ZHAO@example.com", "另一个赵", PASSWORD).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("该邮箱已注册"));
        assert_eq!(user_count(&app).await, 1);
    }
}

on_both_backends! {
    async fn a_form_without_the_right_csrf_token_is_refused_and_changes_nothing(app) {
        app.get("/register").await;
        let fields = [("email", "qian@example.com"), ("display_name", "钱"), ("stakeholder_type", "citizen"), ("password", PASSWORD)];
        let reply = app.post("/register", "0".repeat(64).as_str(), &fields).await;
        assert_eq!(reply.status, 403);
        assert!(reply.body.contains("表单已过期或来源不明"), "{}", reply.body);
        let fresh = app.new_browser();
        let reply = fresh.post("/register", "", &fields).await;
        assert_eq!(reply.status, 403);
        assert_eq!(user_count(&app).await, 0);
    }
}

on_both_backends! {
    async fn citizen_logs_out_and_back_in_and_a_wrong_password_is_told_plainly(app) {
        register(&app, "sun@example.com", "孙", PASSWORD).await;
        let (_, page) = app.get("/account").await;
        let csrf = crate::harness::csrf_of(&page);
        let reply = app.post("/logout", &csrf, &[]).await;
        assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/")));
        let (_, after) = app.get("/account").await;
        assert!(after.is_empty() || !after.contains("sun@example.com"));

        let wrong = login(&app, "sun@example.com", "not the password at all").await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("邮箱或密码错误"));
        assert!(wrong.body.contains("value=\"sun@example.com\""));
        let unknown = login(&app, "nobody@example.com", PASSWORD).await;
        assert_eq!(unknown.status, 422);
        assert!(unknown.body.contains("邮箱或密码错误"), "unknown addresses get the same answer");

        let ok = login(&app, "SUN@example.com", PASSWORD).await;
        assert_eq!((ok.status, ok.location.as_deref()), (303, Some("/account")));
        let (status, page) = app.get("/account").await;
        assert_eq!(status, 200);
        assert!(page.contains("sun@example.com"));
    }
}

on_both_backends! {
    async fn repeated_wrong_passwords_lock_the_account_for_a_while(app) {
        register(&app, "zhou@example.com", "周", PASSWORD).await;
        let attacker = app.new_browser();
        for _ in 0..5 {
            assert_eq!(login(&attacker, "zhou@example.com", "guessing-wrong-password").await.status, 422);
        }
        let locked = login(&attacker, "zhou@example.com", PASSWORD).await;
        assert_eq!(locked.status, 429, "{}", locked.body);
        assert!(locked.body.contains("尝试次数过多"), "{}", locked.body);
        assert!(locked.body.contains("之后再试"));
        let en = attacker
            .client
            .get(format!("{}/login?lang=en", app.base))
            .send()
            .await
            .expect("request");
        assert_eq!(en.status().as_u16(), 200);
        let locked_en = login(&attacker, "zhou@example.com", PASSWORD).await;
        assert!(locked_en.body.contains("Too many attempts. Please try again after"), "{}", locked_en.body);
    }
}

on_both_backends! {
    async fn an_anonymous_visitor_is_sent_to_log_in_and_brought_back(app) {
        register(&app, "wu@example.com", "吴", PASSWORD).await;
        let visitor = app.new_browser();
        let resp = visitor.client.get(format!("{}/account", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 303);
        assert_eq!(resp.headers().get("location").and_then(|v| v.to_str().ok()), Some("/login?next=%2Faccount"));
        let (_, form) = visitor.get("/login?next=%2Faccount").await;
        let csrf = crate::harness::csrf_of(&form);
        assert!(form.contains("name=\"next\" value=\"/account\""));
        let reply = visitor
            .post("/login", &csrf, &[("email", "wu@example.com"), ("password", PASSWORD), ("next", "/account")])
            .await;
        assert_eq!(reply.location.as_deref(), Some("/account"));
        for evil in ["//evil.example/steal", "https://evil.example/", "/\\evil.example"] {
            let reply = visitor
                .post("/login", &csrf, &[("email", "wu@example.com"), ("password", PASSWORD), ("next", evil)])
                .await;
            assert_eq!(reply.location.as_deref(), Some("/account"), "{evil} is not followed");
        }
    }
}

on_both_backends! {
    async fn profile_changes_are_validated_and_saved(app) {
        register(&app, "zheng@example.com", "郑", PASSWORD).await;
        let bad = app
            .submit("/account", "/account/profile", &[("display_name", ""), ("stakeholder_type", "enterprise")])
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("此项必填"));
        let ok = app
            .submit("/account", "/account/profile", &[("display_name", "郑研究员"), ("stakeholder_type", "academic")])
            .await;
        assert_eq!(ok.status, 303);
        let (_, page) = app.get("/account").await;
        assert!(page.contains("value=\"郑研究员\""));
        assert!(page.contains("<option value=\"academic\" selected>科研机构</option>"), "{page}");
    }
}

on_both_backends! {
    async fn changing_the_password_ends_sessions_everywhere_else(app) {
        register(&app, "feng@example.com", "冯", PASSWORD).await;
        let laptop = app.new_browser();
        assert_eq!(login(&laptop, "feng@example.com", PASSWORD).await.status, 303);
        assert_eq!(laptop.get("/account").await.0, 200);

        let wrong = app
            .submit("/account", "/account/password", &[("current_password", "not my password!"), ("new_password", "a brand new passphrase 2026")])
            .await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("密码不正确"));
        let ok = app
            .submit("/account", "/account/password", &[("current_password", PASSWORD), ("new_password", "a brand new passphrase 2026")])
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(app.get("/account").await.0, 200, "the browser that changed it stays signed in");
        let resp = laptop.client.get(format!("{}/account", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 303, "the other session has ended");
        assert_eq!(login(&laptop, "feng@example.com", PASSWORD).await.status, 422);
        assert_eq!(login(&laptop, "feng@example.com", "a brand new passphrase 2026").await.status, 303);
    }
}

on_both_backends! {
    async fn citizen_downloads_their_data_and_deletes_the_account(app) {
        register(&app, "chen@example.com", "陈", PASSWORD).await;
        let resp = app.client.get(format!("{}/account/export.json", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 200);
        assert!(resp.headers().get("content-disposition").is_some());
        let data: serde_json::Value = serde_json::from_str(&resp.text().await.expect("body")).expect("json");
        assert_eq!(data["email"], "chen@example.com");
        assert_eq!(data["display_name"], "陈");
        assert_eq!(data["stakeholder_type"], "citizen");
        assert_eq!(data["sessions"].as_array().map(Vec::len), Some(1));

        let wrong = app.submit("/account", "/account/delete", &[("current_password", "wrong password here")]).await;
        assert_eq!(wrong.status, 422);
        let gone = app.submit("/account", "/account/delete", &[("current_password", PASSWORD)]).await;
        assert_eq!((gone.status, gone.location.as_deref()), (303, Some("/")));
        let (_, home) = app.get("/").await;
        assert!(home.contains("账户已注销"));
        assert_eq!(login(&app.new_browser(), "chen@example.com", PASSWORD).await.status, 422);
        let row = db::run(&app.pool, |conn| {
            use diesel::prelude::*;
            use yijian::db::schema::users;
            Ok(users::table
                .select((users::email, users::display_name, users::password_hash, users::deleted_at.is_not_null()))
                .first::<(String, String, String, bool)>(conn)?)
        })
        .await
        .expect("row");
        assert!(row.0.ends_with("@deleted.invalid") && row.1.is_empty() && row.2.is_empty() && row.3, "{row:?}");
    }
}

/// The first link in the text part of the newest mail to `to` that starts with `prefix`.
async fn link_in_mail(app: &TestApp, to: &str, count: usize, prefix: &str) -> String {
    app.run_outbox_until_empty().await;
    let mails = app.mail.wait_for(count).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == to))
        .expect("a mail to the address");
    let parsed = mail.parsed();
    let text = parsed.body_text(0).expect("a text part").into_owned();
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in: {text}"));
    text[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_owned()
}

on_both_backends! {
    async fn citizen_verifies_through_the_mail_and_resets_a_forgotten_password(app) {
        assert_eq!(register(&app, "li.ming@example.com", "李明", PASSWORD).await.status, 303);
        let link = link_in_mail(&app, "li.ming@example.com", 1, &format!("{}/verify?token=", app.base)).await;
        let mails = app.mail.messages();
        let parsed = mails[0].parsed();
        assert_eq!(parsed.subject(), Some("请验证您在意见征集的电子邮箱"));
        assert!(parsed.body_html(0).is_some_and(|h| h.contains("验证邮箱")), "an HTML part too");

        // Opening the link changes nothing until the button is pressed (mail scanners fetch links).
        let path = link.trim_start_matches(&app.base).to_owned();
        let (status, page) = app.get(&path).await;
        assert_eq!(status, 200);
        assert!(page.contains("确认邮箱"));
        let (_, account) = app.get("/account").await;
        assert!(account.contains("未验证"));
        let token: String = path.rsplit('=').next().expect("token").to_owned();
        let confirmed = app.post("/verify", &crate::harness::csrf_of(&page), &[("token", &token)]).await;
        assert_eq!(confirmed.status, 303);
        let (_, account) = app.get("/account").await;
        assert!(account.contains("已验证") && account.contains("邮箱已验证"), "{account}");
        let reused = app.post("/verify", &crate::harness::csrf_of(&page), &[("token", &token)]).await;
        assert_eq!(reused.status, 400, "a verification link works once");
        assert!(reused.body.contains("链接无效或已过期"));

        // Forgotten password: the answer is the same for a known and an unknown address.
        let stranger = app.new_browser();
        let unknown = stranger.submit("/password-reset", "/password-reset", &[("email", "nobody@example.com")]).await;
        let known = stranger.submit("/password-reset", "/password-reset", &[("email", "li.ming@example.com")]).await;
        assert_eq!((unknown.status, known.status), (200, 200));
        assert!(unknown.body.contains("如果该邮箱已注册") && known.body.contains("如果该邮箱已注册"));
        let reset = link_in_mail(&app, "li.ming@example.com", 2, &format!("{}/password-reset/confirm?token=", app.base)).await;
        assert_eq!(app.mail.messages().len(), 2, "no mail went to the unknown address");
        let reset_path = reset.trim_start_matches(&app.base).to_owned();
        let (status, form) = stranger.get(&reset_path).await;
        assert_eq!(status, 200);
        let reset_token: String = reset_path.rsplit('=').next().expect("token").to_owned();
        let weak = stranger.post("/password-reset/confirm", &crate::harness::csrf_of(&form), &[("token", &reset_token), ("password", "qwertyuiop123")]).await;
        assert_eq!(weak.status, 422);
        let done = stranger
            .post("/password-reset/confirm", &crate::harness::csrf_of(&form), &[("token", &reset_token), ("password", "a new and better passphrase")])
            .await;
        assert_eq!((done.status, done.location.as_deref()), (303, Some("/login")));

        // Every session ended; the old password no longer works, the new one does.
        let resp = app.client.get(format!("{}/account", app.base)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 303, "the registering browser was logged out");
        assert_eq!(login(&stranger, "li.ming@example.com", PASSWORD).await.status, 422);
        assert_eq!(login(&stranger, "li.ming@example.com", "a new and better passphrase").await.status, 303);
        let (status, _) = stranger.get(&reset_path).await;
        assert_eq!(status, 400, "a reset link works once");
    }
}

on_both_backends! {
    async fn verification_mails_can_be_resent_a_few_times_an_hour(app) {
        register(&app, "he@example.com", "何", PASSWORD).await;
        for _ in 0..3 {
            let r = app.submit("/account", "/account/verify/resend", &[]).await;
            assert_eq!(r.status, 303);
        }
        let refused = app.submit("/account", "/account/verify/resend", &[]).await;
        assert_eq!(refused.status, 429);
        assert!(refused.body.contains("尝试次数过多"));
        app.run_outbox_until_empty().await;
        let mails = app.mail.wait_for(4).await;
        assert_eq!(mails.len(), 4, "one at registration and three resends");
        // Only the newest link works.
        let newest = mails.last().expect("mail").parsed().body_text(0).expect("text").into_owned();
        let oldest = mails[0].parsed().body_text(0).expect("text").into_owned();
        let token_of = |text: &str| -> String {
            let start = text.find("token=").expect("token") + "token=".len();
            text[start..].chars().take_while(char::is_ascii_hexdigit).collect()
        };
        let (_, page) = app.get("/account").await;
        let csrf = crate::harness::csrf_of(&page);
        assert_eq!(app.post("/verify", &csrf, &[("token", &token_of(&oldest))]).await.status, 400);
        assert_eq!(app.post("/verify", &csrf, &[("token", &token_of(&newest))]).await.status, 303);
    }
}
