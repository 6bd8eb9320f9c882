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

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use chrono::Utc;
use yijian::mail::digest::Period;
use yijian::roles::Role;
use yijian::subscriptions::Frequency;

use crate::harness::{Backend, TestApp};
use crate::on_both_backends;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// WebDriver's code for the Tab key.
const TAB: &str = "\u{E004}";
/// WebDriver's code for the Enter key.
const ENTER: &str = "\u{E007}";

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
    /// How many pages axe-core checked.
    checked: std::cell::Cell<usize>,
    /// How many pages were checked from the keyboard.
    tabbed: std::cell::Cell<usize>,
    /// Whether the pages' own scripts run.
    javascript: std::cell::Cell<bool>,
}

impl Browser {
    /// A browser whose pages run no JavaScript: the site must work without it.
    async fn without_javascript() -> Self {
        let b = Self::start().await;
        b.set_page_scripts(false).await;
        b.javascript.set(false);
        // Proof that pages run no scripts here (WebDriver's own scripts still run).
        b.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
            .await;
        assert_eq!(b.title().await, "off", "JavaScript is switched off");
        b
    }

    /// The checkers themselves, on a page made to fail them: a first Tab that misses the skip
    /// link, and an image without a text alternative, must be reported.
    async fn assert_checkers_report_violations(&self) {
        self.goto("data:text/html,<html lang=en><title>t</title><main><a href=%23x>x</a><img src=x.png></main>")
            .await;
        assert!(
            matches!(self.keyboard_check().await, Some(Err(_))),
            "a page without a skip link passes the keyboard check"
        );
        let Some(axe) = &self.axe else { return };
        let found = self.accessibility_violations(axe).await;
        assert!(
            found.iter().any(|v| v.starts_with("image-alt")),
            "axe-core found {found:?}"
        );
    }

    /// A browser with JavaScript on, as most visitors have it.
    async fn start() -> Self {
        let port = crate::harness::MailSink::unused_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
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
        let b = Self {
            driver,
            http,
            session: format!("{root}/session/{id}"),
            axe: axe_core(&shots),
            shots,
            violations: Default::default(),
            checked: Default::default(),
            tabbed: Default::default(),
            javascript: std::cell::Cell::new(true),
        };
        b.assert_checkers_report_violations().await;
        b
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

    /// How many elements match `css`.
    async fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .map_or(0, Vec::len)
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
        let before = self.mark_page().await;
        self.click(css).await;
        self.wait_for_new_page(&before, &format!("clicking {css}"))
            .await;
    }

    /// Presses `keys` on the focused element and waits until the page it leads to has loaded.
    async fn press_and_wait(&self, keys: &str) {
        let before = self.mark_page().await;
        self.press(keys).await;
        self.wait_for_new_page(&before, &format!("pressing {keys:?}"))
            .await;
    }

    /// Marks the page so that [`Self::wait_for_new_page`] can tell its successor; returns its URL.
    async fn mark_page(&self) -> String {
        let marker = self.script("window.__yj_old = true; return true;").await;
        assert_eq!(marker, json!(true));
        self.url().await
    }

    async fn wait_for_new_page(&self, before: &str, what: &str) {
        let started = Instant::now();
        loop {
            let fresh = self
                .script("return window.__yj_old !== true && document.readyState === 'complete';")
                .await;
            if fresh == json!(true) {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no new page after {what} on {before}"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses and releases each key of `keys` in turn on whatever has the focus, as a keyboard
    /// does (`TAB`, `ENTER` or plain characters).
    async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|k| {
                [
                    json!({"type": "keyDown", "value": k.to_string()}),
                    json!({"type": "keyUp", "value": k.to_string()}),
                ]
            })
            .collect();
        self.call(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Presses Tab until the element matching `css` has the focus: it is reachable by keyboard.
    async fn tab_to(&self, css: &str) {
        let test = format!(
            "return document.activeElement !== null && document.activeElement.matches({});",
            json!(css)
        );
        for _ in 0..60 {
            let focused = self.script(&test).await;
            if focused == json!(true) {
                return;
            }
            self.press(TAB).await;
        }
        panic!("{css} never got the focus by Tab on {}", self.url().await);
    }

    /// The current `value` of the form control matching `css`.
    async fn value(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{el}/property/value"),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
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

    /// Lets the pages' scripts run or not, through the DevTools protocol; WebDriver's own scripts
    /// run either way, but axe-core's timers need the page's.
    async fn set_page_scripts(&self, on: bool) {
        self.call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.setScriptExecutionDisabled", "params": {"value": !on}})),
        )
        .await;
    }

    /// Records what the keyboard check and axe-core (if installed) find on the page.
    async fn check_accessibility(&self, name: &str) {
        match self.keyboard_check().await {
            Some(Ok(())) => self.tabbed.set(self.tabbed.get() + 1),
            Some(Err(problem)) => self
                .violations
                .borrow_mut()
                .push(format!("{name}: keyboard: {problem}")),
            None => {}
        }
        if let Some(axe) = &self.axe {
            // Only for the check: the page has loaded and been used without JavaScript.
            if !self.javascript.get() {
                self.set_page_scripts(true).await;
            }
            let found = self.accessibility_violations(axe).await;
            if !self.javascript.get() {
                self.set_page_scripts(false).await;
            }
            self.checked.set(self.checked.get() + 1);
            self.violations
                .borrow_mut()
                .extend(found.into_iter().map(|v| format!("{name}: {v}")));
        }
    }

    /// On a page fresh from loading (nothing focused, no fragment): the first Tab must reach the
    /// skip link with a visible outline, and Enter on it must move the focus into `main`. `None`
    /// when the page is not fresh.
    async fn keyboard_check(&self) -> Option<Result<(), String>> {
        let fresh = self
            .script(
                "return (document.activeElement === null || document.activeElement === document.body) && location.hash === '';",
            )
            .await;
        if fresh != json!(true) {
            return None;
        }
        self.press(TAB).await;
        let found = self
            .script(
                "const a = document.activeElement;\
                 if (!a || !a.matches('a.skip')) return 'the first Tab reaches ' + (a ? a.outerHTML.slice(0, 80) : 'nothing') + ', not the skip link';\
                 const s = getComputedStyle(a), r = a.getBoundingClientRect();\
                 if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0) return 'the focused skip link has no outline';\
                 if (r.right <= 0 || r.bottom <= 0) return 'the focused skip link stays off screen';\
                 return '';",
            )
            .await;
        if found != json!("") {
            return Some(Err(found.as_str().unwrap_or_default().to_owned()));
        }
        self.press(ENTER).await;
        let landed = self
            .script(
                "return document.activeElement !== null && document.activeElement.id === 'main';",
            )
            .await;
        Some(if landed == json!(true) {
            Ok(())
        } else {
            Err("Enter on the skip link does not focus main".to_owned())
        })
    }

    /// Runs `script` in the page (WebDriver's scripts run even where the page's may not).
    async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
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

    /// Saves a PNG of the page as `name.png`, then checks the page from the keyboard and with
    /// axe-core.
    async fn screenshot(&self, name: &str) {
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("screenshot data"))
            .expect("base64 PNG");
        // Through a file of this thread's own: a test's two backends may save the same page at once.
        let partial = self
            .shots
            .join(format!(".{name}.{:?}.png", std::thread::current().id()));
        std::fs::write(&partial, png).expect("screenshot written");
        std::fs::rename(&partial, self.shots.join(format!("{name}.png"))).expect("screenshot kept");
        self.check_accessibility(name).await;
    }

    /// Screenshots and checks the page as it is, in Chinese, then the same address in English as
    /// `{name}-en`, and comes back in Chinese. Only for pages a GET may show again.
    async fn screenshot_in_both_languages(&self, name: &str) {
        // Before the keyboard check follows the skip link to `#main`.
        let here = self.url().await;
        self.screenshot(name).await;
        self.goto(&with_lang(&here, "en")).await;
        assert_eq!(self.lang().await, "en", "{here} in English");
        self.screenshot(&format!("{name}-en")).await;
        self.goto(&with_lang(&here, "zh-CN")).await;
        assert_eq!(self.lang().await, "zh-CN", "{here} back in Chinese");
    }

    /// The page's `<html lang>`.
    async fn lang(&self) -> String {
        let html = self.find("html").await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{html}/attribute/lang"),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Fails with every WCAG violation axe-core found during the journey.
    fn assert_accessible(&self) {
        println!("screenshots in {}", self.shots.display());
        let violations = self.violations.borrow();
        println!(
            "{} pages checked by axe-core, {} from the keyboard: {} violations",
            self.checked.get(),
            self.tabbed.get(),
            violations.len()
        );
        assert!(
            violations.is_empty(),
            "WCAG 2.1 AA violations:\n{}",
            violations.join("\n")
        );
    }
}

/// `url` with its `lang` parameter set to `tag`, before any fragment.
fn with_lang(url: &str, tag: &str) -> String {
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, f)) => (rest, format!("#{f}")),
        None => (url, String::new()),
    };
    let kept: Vec<&str> = rest
        .split_once('?')
        .map(|(_, q)| q.split('&').filter(|p| !p.starts_with("lang=")).collect())
        .unwrap_or_default();
    let path = rest.split('?').next().unwrap_or(rest);
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!("{path}?{query}lang={tag}{fragment}")
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium runs as chromedriver's children, in chromedriver's own process group: end
        // the whole group, or every test would leave a browser running.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
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

/// The first link in `text` that contains `marker`.
fn link_in(text: &str, marker: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains(marker))
        .unwrap_or_else(|| panic!("no link with {marker} in {text}"))
        .to_owned()
}

/// The link containing `marker` in the mail the outbox sends to `to`.
async fn mailed_link(app: &TestApp, to: &str, marker: &str) -> String {
    app.run_outbox_until_empty().await;
    link_in(&app.mail.wait_for_text(to, marker).await, marker)
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
    b.screenshot_in_both_languages("verify").await;
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

    // Its "this was not me" link opens a page with a button.
    let dispute = link_in(&receipts[0], "/dispute?token=");
    b.goto(&dispute).await;
    b.screenshot_in_both_languages("dispute").await;

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
    b.assert_accessible();
}

on_both_backends! {
    async fn a_drafter_opens_the_dashboard_and_answers_an_article_in_a_real_browser(app) {
        if !browser_available() {
            return;
        }
        app.seed_demo().await;
        let citizen = crate::digests::citizen(&app, "zhang.wei@example.com", "张伟").await;
        let amend = crate::drafter::post(&citizen, 5, "amend", "建议写明报告时限，“及时”过于模糊。").await;
        let support = crate::drafter::post(&citizen, 5, "support", "赞成本条的总体思路。").await;
        crate::drafter::verified(&app, "drafter@example.gov.cn").await;
        crate::drafter::grant(&app, "ai-service-safety", "drafter@example.gov.cn", Role::Drafter).await;
        let b = Browser::without_javascript().await;
        let base = app.base.clone();

        // The dashboard asks for a login first, done with the keyboard alone: type, Tab, type, Enter.
        b.goto(&format!("{base}/c/ai-service-safety/dashboard")).await;
        assert!(b.url().await.contains("/login?next="), "{}", b.url().await);
        b.screenshot_in_both_languages("login").await;
        b.type_into("#f-email", "drafter@example.gov.cn").await;
        b.press(TAB).await;
        b.press(crate::accounts::PASSWORD).await;
        b.press_and_wait(ENTER).await;
        assert!(b.url().await.ends_with("/c/ai-service-safety/dashboard"), "{}", b.url().await);
        b.screenshot_in_both_languages("dashboard").await;

        // The consultation's page leads drafters to it too.
        b.goto(&format!("{base}/c/ai-service-safety")).await;
        b.click_and_wait("a[href=\"/c/ai-service-safety/dashboard\"]").await;
        assert!(b.source().await.contains("逐条意见分布"));

        // A heat-map cell opens the article's comments filtered the same way.
        b.click_and_wait("a[href^=\"/c/ai-service-safety/a/5?type=\"][href*=\"stance=amend\"]").await;
        assert!(b.url().await.contains("stance=amend"), "{}", b.url().await);
        assert_eq!(b.value("#c-stance").await, "amend");
        let filtered = b.source().await;
        assert!(filtered.contains(&format!("id=\"c-{amend}\"")) && !filtered.contains(&format!("id=\"c-{support}\"")));
        b.screenshot_in_both_languages("article-filtered").await;

        // The article's workspace: triage a comment.
        b.goto(&format!("{base}/c/ai-service-safety/dashboard")).await;
        b.click_and_wait("th a[href=\"/c/ai-service-safety/dashboard/a/5\"]").await;
        b.screenshot_in_both_languages("workspace").await;
        b.click(&format!("#tr-{amend} option[value=\"studied\"]")).await;
        b.type_into(&format!("#note-{amend}"), "与第十二条一并研究").await;
        b.click_and_wait(&format!("form[action=\"/c/ai-service-safety/triage/{amend}\"] button[type=\"submit\"]")).await;
        assert!(b.url().await.ends_with(&format!("/dashboard/a/5#w-{amend}")), "{}", b.url().await);
        assert_eq!(b.value(&format!("#tr-{amend}")).await, "studied");
        assert_eq!(b.value(&format!("#tr-{support}")).await, "unread");

        // A response without a decision is sent back with the reason.
        b.click_and_wait("#response-form button[type=\"submit\"]").await;
        assert!(b.source().await.contains("请选择处理结果"));
        b.screenshot("response-form-errors").await;

        // The response: decision, reasoning and the comment it answers.
        b.click("input[name=\"decision\"][value=\"partly-adopted\"]").await;
        b.type_into("#f-reasoning", "增加报告时限的规定；具体时限另行规定。").await;
        b.click(&format!("#w-{amend} input[name=\"answers\"]")).await;
        b.click_and_wait("#response-form button[type=\"submit\"]").await;
        assert!(b.source().await.contains("部分采纳"), "{}", b.url().await);

        // The article's public page shows it, to everyone.
        b.click_and_wait("p.crumbs a[href=\"/c/ai-service-safety/a/5\"]").await;
        let page = b.source().await;
        assert!(page.contains("起草机关的回应") && page.contains("部分采纳") && page.contains("具体时限另行规定。"));
        b.screenshot_in_both_languages("article-response").await;
        let (_, public) = app.get("/c/ai-service-safety/a/5").await;
        assert!(public.contains("具体时限另行规定。"), "anonymous readers see the response");
        let answered = &public[public.find(&format!("id=\"c-{amend}\"")).expect("the answered comment")..];
        assert!(answered.split("</header>").next().expect("meta").contains("已回应"));
        assert!(!public.contains("与第十二条一并研究"), "the triage note stays internal");
        b.assert_accessible();
    }
}

on_both_backends! {
    async fn a_subscriber_subscribes_confirms_gets_a_digest_and_unsubscribes_in_a_real_browser(app) {
        if !browser_available() {
            return;
        }
        app.seed_demo().await;
        let b = Browser::without_javascript().await;
        let base = app.base.clone();

        // Subscribe from the consultation's page, with the keyboard alone once the address is typed.
        b.goto(&format!("{base}/c/ai-service-safety")).await;
        b.click_and_wait("a[href=\"/c/ai-service-safety/subscribe\"]").await;
        b.screenshot_in_both_languages("subscribe").await;
        b.type_into("#sub-email", "li.na@example.cn").await;
        b.tab_to("form.subscribe-form button[type=\"submit\"]").await;
        b.press_and_wait(ENTER).await;
        assert!(b.url().await.ends_with("/c/ai-service-safety#subscribe"), "{}", b.url().await);
        assert!(b.source().await.contains("请查收确认邮件"));
        b.screenshot("subscribed").await;

        // The confirmation mail's link opens a page whose button confirms.
        let link = mailed_link(&app, "li.na@example.cn", "/subscriptions/confirm?token=").await;
        b.goto(&link).await;
        b.screenshot_in_both_languages("subscription-confirm").await;
        b.tab_to("form[action=\"/subscriptions/confirm\"] button[type=\"submit\"]").await;
        b.press_and_wait(ENTER).await;
        assert!(b.url().await.ends_with("/c/ai-service-safety"), "{}", b.url().await);
        assert!(b.source().await.contains("订阅已确认"));
        b.screenshot("subscription-confirmed").await;

        // A comment, then the day's digest.
        let author = crate::digests::citizen(&app, "zhang.wei@example.com", "张伟").await;
        crate::drafter::post(&author, 5, "amend", "建议写明报告时限，“及时”过于模糊。").await;
        let links = crate::digests::links_for(&app.db, &format!("{base}/"));
        let today = Period::containing(Frequency::Daily, Utc::now().naive_utc());
        let report = crate::digests::run_period(&app.pool, &links, &today).await;
        assert_eq!((report.subscriptions, report.queued), (1, 1), "{report:?}");
        app.run_outbox_until_empty().await;
        let body = app.mail.wait_for_text("li.na@example.cn", "新增意见").await;
        assert!(body.contains("建议写明报告时限"), "{body}");
        let unsubscribe = link_in(&body, "/unsubscribe/");

        // Its unsubscribe link opens a page; the button unsubscribes.
        b.goto(&unsubscribe).await;
        b.screenshot_in_both_languages("unsubscribe").await;
        assert_eq!(crate::digests::count_subscriptions(&app.pool).await, 1, "opening the page changes nothing");
        b.click_and_wait(&format!("form[action=\"{}\"] button[type=\"submit\"]", unsubscribe.trim_start_matches(&base))).await;
        assert!(b.source().await.contains("您将不再收到这份摘要"));
        b.screenshot("unsubscribed").await;
        assert_eq!(crate::digests::count_subscriptions(&app.pool).await, 0);

        // The next run sends nothing.
        let mails = app.mail.messages().len();
        crate::drafter::post(&author, 6, "support", "赞成本条。").await;
        let next = Period::containing(Frequency::Daily, Utc::now().naive_utc());
        let rerun = crate::digests::run_period(&app.pool, &links, &next).await;
        assert_eq!((rerun.subscriptions, rerun.queued), (0, 0), "{rerun:?}");
        app.run_outbox_until_empty().await;
        let digests_after = app.mail.messages()[mails..]
            .iter()
            .filter(|m| m.to == ["li.na@example.cn"])
            .count();
        assert_eq!(digests_after, 0, "no mail to the unsubscribed address");
        b.assert_accessible();
    }
}

on_both_backends! {
    async fn every_other_page_type_passes_the_accessibility_check_in_chinese_and_english(app) {
        if !browser_available() {
            return;
        }
        app.seed_demo().await;
        // Something on each page: a campaign of form letters, one of them held by three reports,
        // a revised version, and an administrator who may register an organisation.
        let copies = [
            crate::campaigns::LETTER.to_owned(),
            crate::campaigns::LETTER.replace('，', ",").replace('。', "!"),
            format!("我是一名普通市民。{}", crate::campaigns::LETTER),
            format!("{}谢谢！", crate::campaigns::LETTER),
            crate::campaigns::LETTER.replace("坚决", "强烈").replace("建议", "提议"),
        ];
        let mut senders = Vec::new();
        let mut held = String::new();
        for (i, text) in copies.iter().enumerate() {
            let s = crate::campaigns::verified(&app, &format!("sender{i}@example.com"), "citizen").await;
            held = crate::campaigns::post(&s, text).await;
            senders.push(s);
        }
        for s in &senders[..3] {
            assert_eq!(crate::moderation::report(s, &held, "广告").await.status, 303);
        }
        assert_eq!(crate::campaigns::cluster(&app).await.totals.clusters, 1);
        crate::versions::create(&app).await;
        let admin = crate::admin::admin(&app).await;
        assert_eq!(crate::versions::upload(&admin, crate::versions::VERSION_2, true).await.status, 303);
        let profile = admin
            .submit("/account", "/account/profile", &[("display_name", "管理员"), ("stakeholder_type", "enterprise")])
            .await;
        assert_eq!(profile.status, 303);
        let b = Browser::without_javascript().await;
        let base = app.base.clone();

        // A forgotten password: the request form, and the page the mailed link opens.
        b.goto(&format!("{base}/password-reset")).await;
        b.screenshot_in_both_languages("password-reset").await;
        b.type_into("#f-email", "admin@example.gov.cn").await;
        b.click_and_wait("form[action=\"/password-reset\"] button[type=\"submit\"]").await;
        b.screenshot("password-reset-sent").await;
        let link = mailed_link(&app, "admin@example.gov.cn", "/password-reset/confirm?token=").await;
        b.goto(&link).await;
        b.screenshot_in_both_languages("password-reset-confirm").await;

        b.goto(&format!("{base}/login")).await;
        b.type_into("#f-email", "admin@example.gov.cn").await;
        b.type_into("#f-password", crate::accounts::PASSWORD).await;
        b.click_and_wait("form[action=\"/login\"] button[type=\"submit\"]").await;
        b.goto(&format!("{base}/c/ai-service-safety/campaigns")).await;
        let cluster = crate::campaigns::first_cluster_link(&b.source().await);
        for (name, path) in [
            ("admin", "/admin"),
            ("admin-consultations", "/admin/consultations"),
            ("admin-consultation-new", "/admin/consultations/new"),
            ("admin-consultation-edit", "/admin/consultations/ai-service-safety/edit"),
            ("admin-roles", "/admin/consultations/ai-service-safety/roles"),
            ("admin-organizations", "/admin/organizations"),
            ("organization", "/account/organization"),
            ("campaigns", "/c/ai-service-safety/campaigns"),
            ("campaign", &cluster),
            ("moderation", "/c/ai-service-safety/moderation"),
            ("workspace-draft", "/c/ai-service-safety/dashboard/draft"),
            ("report", "/c/ai-service-safety/report"),
            ("version-history", "/c/wuye/versions"),
            ("version-changes", "/c/wuye/versions/2/changes"),
            ("version-article", "/c/wuye/v/1/a/3"),
            ("version-new", "/c/wuye/versions/new"),
            ("ledger-key", "/ledger-key"),
            ("subscribe-new", "/subscribe"),
            ("subscriptions", "/subscriptions"),
        ] {
            b.goto(&format!("{base}{path}")).await;
            assert_eq!(b.count("section.error").await, 0, "{path} is an error page");
            b.screenshot_in_both_languages(name).await;
        }
        b.assert_accessible();
    }
}
