//! A real browser: headless Chromium driven through chromedriver, clicking and typing as a person
//! would. A citizen registers, verifies through the mail, comments on an article with a proposed
//! text and gets the receipt; markup in a comment never runs. Screenshots of each page type go to
//! `target/screenshots/`.
//!
//! Without Chromium and chromedriver the test says why and passes, except under `CI=true`, where
//! `.ci/run` installs them and their absence fails the test.
//!
//! The W3C WebDriver protocol is a handful of JSON calls over HTTP, spoken here with the
//! `reqwest` client the tests already use.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver as a child process, and one browser session in it.
struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    shots: PathBuf,
    /// axe-core's source, when installed.
    axe: Option<String>,
    /// What axe-core found, page by page.
    violations: std::cell::RefCell<Vec<String>>,
}

impl Browser {
    async fn start() -> Self {
        let port = crate::harness::MailSink::unused_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let root = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{root}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not come up"
            );
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "prefs": {"intl.accept_languages": "zh-CN,zh"},
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,1024",
                         "--lang=zh-CN"]
            }
        }}});
        let reply = send(
            &http,
            reqwest::Method::POST,
            &format!("{root}/session"),
            Some(capabilities),
        )
        .await;
        let id = reply["value"]["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("target directory")
            .join("screenshots");
        std::fs::create_dir_all(&shots).expect("screenshots folder");
        Self {
            driver,
            http,
            session: format!("{root}/session/{id}"),
            axe: axe_core(&shots),
            shots,
            violations: Default::default(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        send(&self.http, method, &format!("{}{path}", self.session), body).await["value"].take()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks `css` and waits (at most 20 s) until the page it leads to has loaded.
    async fn click_and_wait(&self, css: &str) {
        let before = self.url().await;
        let marker = self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({
                    "script": "window.__yj_old = true; return true;", "args": []
                })),
            )
            .await;
        assert_eq!(marker, json!(true));
        self.click(css).await;
        let started = Instant::now();
        loop {
            let fresh = self
                .call(reqwest::Method::POST, "/execute/sync", Some(json!({
                    "script": "return window.__yj_old !== true && document.readyState === 'complete';",
                    "args": []
                })))
                .await;
            if fresh == json!(true) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no new page after clicking {css} on {before}"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn title(&self) -> String {
        self.call(reqwest::Method::GET, "/title", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Records what axe-core finds on the page, if it is installed.
    async fn check_accessibility(&self, name: &str) {
        if let Some(axe) = &self.axe {
            let found = self.accessibility_violations(axe).await;
            self.violations
                .borrow_mut()
                .extend(found.into_iter().map(|v| format!("{name}: {v}")));
        }
    }

    /// The WCAG 2.1 A and AA violations axe-core finds on the page, one line each.
    async fn accessibility_violations(&self, axe: &str) -> Vec<String> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": format!("{axe}\n;return true;"), "args": []
            })),
        )
        .await;
        let found = self
            .call(reqwest::Method::POST, "/execute/async", Some(json!({
                "script": "const done = arguments[arguments.length - 1];\
                    axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})\
                    .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +\
                        v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))\
                    .catch(e => done(['axe failed: ' + e]));",
                "args": []
            })))
            .await;
        found
            .as_array()
            .expect("a list of violations")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Saves a PNG of the page as `name.png` and checks the page with axe-core.
    async fn screenshot(&self, name: &str) {
        self.check_accessibility(name).await;
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("screenshot data"))
            .expect("base64 PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("screenshot written");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Value {
    let mut req = http.request(method, url);
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let text = req
        .send()
        .await
        .expect("chromedriver answers")
        .text()
        .await
        .expect("body");
    let value: Value = serde_json::from_str(&text).expect("JSON from chromedriver");
    assert!(
        value["value"]["error"].is_null(),
        "WebDriver error: {value}"
    );
    value
}

/// axe-core's source from `target/axe` (`.ci/run` installs it there with npm); without it
/// outside CI, the accessibility checks say why and are left out.
fn axe_core(shots: &Path) -> Option<String> {
    let path = shots
        .parent()
        .expect("target directory")
        .join("axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but axe-core is missing at {} ({e}): .ci/run installs it",
                path.display()
            );
            eprintln!(
                "accessibility not checked: no axe-core at {} ({e})",
                path.display()
            );
            None
        }
    }
}

/// Whether the browser is there; without it outside CI, why the test passes anyway.
fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {missing:?} missing: .ci/run installs Debian's chromium and chromium-driver"
    );
    eprintln!("skipped: {missing:?} not installed (apt-get install chromium chromium-driver)");
    false
}

#[actix_web::test]
async fn a_citizen_registers_verifies_comments_and_gets_the_receipt_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    app.seed_demo().await;
    let b = Browser::start().await;
    let base = app.base.clone();

    b.goto(&format!("{base}/")).await;
    b.screenshot("index").await;
    if let Some(axe) = &b.axe {
        // The checker itself: an image without a text alternative must be reported.
        b.call(reqwest::Method::POST, "/execute/sync", Some(json!({
            "script": "const i = document.createElement('img'); i.src = '/static/style.css'; document.querySelector('main').appendChild(i); return true;",
            "args": []
        })))
        .await;
        let found = b.accessibility_violations(axe).await;
        assert!(
            found.iter().any(|v| v.starts_with("image-alt")),
            "axe-core found {found:?}"
        );
    }
    b.click_and_wait("a[href=\"/c/ai-service-safety\"]").await;
    assert!(b.url().await.ends_with("/c/ai-service-safety"));
    b.screenshot("consultation").await;
    b.click_and_wait("a[href=\"/c/ai-service-safety/text\"]")
        .await;
    b.screenshot("full-text").await;
    b.goto(&format!("{base}/c/ai-service-safety")).await;
    b.click_and_wait("a[href^=\"/c/ai-service-safety/d/\"]")
        .await;
    let chapter = b
        .url()
        .await
        .rsplit('/')
        .next()
        .expect("position")
        .to_owned();
    b.screenshot("division").await;

    // Register.
    b.click_and_wait("a[href=\"/register\"]").await;
    b.screenshot("register").await;
    b.type_into("#f-email", "wang.fang@example.com").await;
    b.type_into("#f-display_name", "王芳").await;
    b.type_into("#f-password", crate::accounts::PASSWORD).await;
    b.click_and_wait("form[action=\"/register\"] button[type=\"submit\"]")
        .await;
    assert!(b.url().await.ends_with("/account"), "{}", b.url().await);
    b.screenshot("account").await;

    // Verify through the link in the mail, as a mail client opens it.
    app.run_outbox_until_empty().await;
    let mail = app.mail.wait_for(1).await[0]
        .parsed()
        .body_text(0)
        .expect("text")
        .into_owned();
    let link = mail
        .split_whitespace()
        .find(|w| w.contains("/verify?token="))
        .expect("a verification link")
        .to_owned();
    b.goto(&link).await;
    b.screenshot("verify").await;
    b.click_and_wait("form[action=\"/verify\"] button[type=\"submit\"]")
        .await;
    app.run_outbox_until_empty().await;

    // Comment on article 5 with a proposed text.
    b.goto(&format!("{base}/c/ai-service-safety")).await;
    b.click_and_wait("a[href=\"/c/ai-service-safety/a/5\"]")
        .await;
    b.click("input[name=\"stance\"][value=\"amend\"]").await;
    b.type_into("#f-body", "建议写明报告时限。\n“及时”过于模糊。")
        .await;
    b.type_into(
        "#f-proposed_text",
        "国家人工智能服务安全治理主管部门负责统筹协调，并在十个工作日内答复。",
    )
    .await;
    b.screenshot("article-form").await;
    b.click_and_wait("form[action=\"/c/ai-service-safety/a/5/comments\"] button[type=\"submit\"]")
        .await;
    let at = b.url().await;
    assert!(
        at.contains("/c/ai-service-safety/a/5#c-YJ-"),
        "{at}: {}",
        b.source().await
    );
    let tracking = at.rsplit("#c-").next().expect("tracking").to_owned();
    let page = b.source().await;
    assert!(
        page.contains("您的意见已提交") && page.contains("建议写明报告时限。"),
        "{page}"
    );
    b.screenshot("article").await;

    // The receipt page, and the receipt mail with the same number.
    b.click_and_wait(&format!("a[href=\"/receipt/{tracking}\"]"))
        .await;
    assert!(b.source().await.contains(&tracking));
    b.screenshot("receipt").await;
    app.run_outbox_until_empty().await;
    let receipts: Vec<String> = app
        .mail
        .wait_for(2)
        .await
        .iter()
        .filter_map(|m| m.parsed().body_text(0).map(|t| t.into_owned()))
        .filter(|t| t.contains(&tracking))
        .collect();
    assert_eq!(receipts.len(), 1, "one receipt mail names {tracking}");

    // Markup in a name and in a comment is shown as text and never runs.
    b.goto(&format!("{base}/account")).await;
    let name = b.find("#f-display_name").await;
    b.call(
        reqwest::Method::POST,
        &format!("/element/{name}/clear"),
        Some(json!({})),
    )
    .await;
    b.type_into("#f-display_name", "<svg onload=document.title='pwned'>")
        .await;
    b.click_and_wait("form[action=\"/account/profile\"] button[type=\"submit\"]")
        .await;
    b.goto(&format!("{base}/c/ai-service-safety/a/6")).await;
    b.click("input[name=\"stance\"][value=\"oppose\"]").await;
    b.type_into(
        "#f-body",
        "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">\n\
         <iframe src=\"javascript:parent.document.title='pwned'\"></iframe><a href=\"javascript:document.title='pwned'\">x</a>",
    )
    .await;
    b.type_into("#f-proposed_text", "<svg/onload=document.title='pwned'>")
        .await;
    b.click_and_wait("form[action=\"/c/ai-service-safety/a/6/comments\"] button[type=\"submit\"]")
        .await;
    b.goto(&format!("{base}/c/ai-service-safety/a/6")).await;
    assert!(
        b.source().await.contains("&lt;script&gt;")
            || b.source().await.contains("&#60;script&#62;")
    );
    assert!(
        b.source().await.contains("&lt;svg onload"),
        "the name is shown as text"
    );
    let links = b
        .call(reqwest::Method::POST, "/execute/sync", Some(json!({
            "script": "return document.querySelectorAll('main script, main img[onerror], main iframe, main svg, main a[href^=\"javascript:\"]').length;",
            "args": []
        })))
        .await;
    assert_eq!(links, json!(0), "markup from a comment became elements");
    assert_ne!(b.title().await, "pwned", "a payload ran in the browser");

    // The remaining page types.
    b.goto(&format!("{base}/search?q=数据")).await;
    b.screenshot("search").await;
    b.goto(&format!("{base}/c/ai-service-safety/moderation-log"))
        .await;
    b.screenshot("moderation-log").await;
    b.goto(&format!("{base}/c/no-such-draft")).await;
    b.screenshot("error-404").await;
    b.goto(&format!("{base}/c/ai-service-safety/a/5?lang=en"))
        .await;
    b.screenshot("article-en").await;
    b.goto(&format!("{base}/login")).await;
    b.screenshot("login").await;
    // A revised version, so that the changes page has something to show, inline and side by side.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/seed/ai_safety_governance.txt"
    ))
    .expect("demo text");
    let revised = text.replacen("适用本办法。\n", "适用本办法；法律另有规定的除外。\n", 1);
    assert_ne!(revised, text);
    yijian::db::run(&app.pool, move |conn| {
        let c = yijian::db::consultations::by_slug(conn, "ai-service-safety")?.expect("demo");
        yijian::versions::publish(
            conn,
            &c,
            revised.as_bytes(),
            "revised.txt",
            &Default::default(),
            chrono::Utc::now().naive_utc(),
        )
        .map_err(|e| yijian::db::DbError::Migration(e.to_string()))
    })
    .await
    .expect("version 2 published");
    for (name, path) in [
        ("version-changes", "/c/ai-service-safety/versions/2/changes"),
        (
            "version-changes-side",
            "/c/ai-service-safety/versions/2/changes?view=side",
        ),
    ] {
        b.goto(&format!("{base}{path}")).await;
        b.screenshot(name).await;
    }
    // Every page type again in English.
    for (name, path) in [
        ("index-en", "/?lang=en"),
        ("consultation-en", "/c/ai-service-safety?lang=en"),
        ("division-en", "/c/ai-service-safety/d/{chapter}?lang=en"),
        ("full-text-en", "/c/ai-service-safety/text?lang=en"),
        ("receipt-en", "/receipt/{tracking}?lang=en"),
        ("search-en", "/search?q=data&lang=en"),
        ("account-en", "/account?lang=en"),
        (
            "moderation-log-en",
            "/c/ai-service-safety/moderation-log?lang=en",
        ),
        ("versions-en", "/c/ai-service-safety/versions?lang=en"),
        ("version-contents-en", "/c/ai-service-safety/v/1?lang=en"),
        ("version-article-en", "/c/ai-service-safety/v/1/a/5?lang=en"),
        (
            "version-changes-en",
            "/c/ai-service-safety/versions/2/changes?view=side&lang=en",
        ),
        ("error-404-en", "/c/no-such-draft?lang=en"),
        ("register-en", "/register?lang=en"),
    ] {
        let path = path
            .replace("{tracking}", &tracking)
            .replace("{chapter}", &chapter);
        b.goto(&format!("{base}{path}")).await;
        b.check_accessibility(name).await;
    }
    println!("screenshots in {}", b.shots.display());
    let violations = b.violations.borrow();
    if b.axe.is_some() {
        println!("axe-core: {} violations", violations.len());
    }
    assert!(
        violations.is_empty(),
        "WCAG 2.1 AA violations:\n{}",
        violations.join("\n")
    );
}
