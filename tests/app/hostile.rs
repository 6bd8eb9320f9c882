//! Hostile input: well over a thousand generated requests against every form and route, each
//! refused with a 4xx page that says why (or, for harmless text in a free-text field, accepted and
//! shown escaped), never a 5xx, and nothing half-written.
//!
//! The requests come from tables: forms × fields × payloads, paths × payloads, routes × wrong
//! methods, POST routes × forged CSRF tokens and malformed bodies, and uploads. A new route is one
//! line in [`ROUTES`], plus one in [`FORMS`] when it takes fields and one in [`PATHS`] when it has
//! a path parameter.

use chrono::{Duration, Utc};
use reqwest::Method;

use crate::harness::{Browser, TestApp, csrf_of};
use crate::on_both_backends;
use crate::people::{self, Cast, PDF};

/// Who sends a request in the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    /// A visitor who is not signed in (and may become signed in by registering).
    Stranger,
    /// A verified citizen.
    Citizen,
    /// A verified enterprise account without an organisation yet.
    Applicant,
    /// A verified citizen who only uploads files.
    Uploader,
    /// The open consultation's moderator.
    Moderator,
    /// The site administrator.
    Admin,
}

/// A form: method, path (placeholders filled by [`Cast::fill`] and [`fill_dates`]), who sends
/// it, its fields with valid values, and the free-text fields in which any printable text is
/// legitimate content (hostile text may be accepted there, and must come back escaped).
type Form = (
    &'static str,
    &'static str,
    As,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

/// Fields with their values.
type Fields = &'static [(&'static str, &'static str)];

/// Multipart parts: name, file name (for a file), bytes.
type Parts = Vec<(&'static str, Option<String>, Vec<u8>)>;

const COMMENT: &[(&str, &str)] = &[
    ("stance", "amend"),
    ("body", "一条普通的意见"),
    ("proposed_text", "建议的条文"),
    ("visibility", "named"),
];
const COMMENT_FREE: &[&str] = &["body", "proposed_text"];

/// Every form (and every GET that takes parameters) on the site.
#[rustfmt::skip]
const FORMS: &[Form] = &[
    ("GET", "/", As::Stranger, &[("status", "open"), ("tier", "high")], &[]),
    ("GET", "/c/{open}/a/5", As::Stranger, &[("stance", "amend"), ("type", "citizen"), ("sort", "newest"), ("page", "1")], &[]),
    ("GET", "/search", As::Stranger, &[("q", "数据安全")], &["q"]),
    ("GET", "/login", As::Stranger, &[("next", "/account")], &["next"]),
    ("GET", "/verify", As::Stranger, &[("token", TOKEN)], &[]),
    ("GET", "/password-reset/confirm", As::Stranger, &[("token", TOKEN)], &[]),
    ("GET", "/dispute", As::Stranger, &[("token", TOKEN)], &[]),
    ("POST", "/register", As::Stranger, &[("email", "new.person@example.com"), ("display_name", "新人"), ("stakeholder_type", "citizen"), ("password", "一个足够长的新密码2026")], &["display_name", "password"]),
    ("POST", "/login", As::Stranger, &[("email", "citizen@example.com"), ("password", "不是这个密码不是这个密码")], &[]),
    ("POST", "/password-reset", As::Stranger, &[("email", "nobody@example.com")], &[]),
    ("POST", "/password-reset/confirm", As::Stranger, &[("token", TOKEN), ("password", "一个足够长的新密码2026")], &[]),
    ("POST", "/verify", As::Stranger, &[("token", TOKEN)], &[]),
    ("POST", "/dispute", As::Stranger, &[("token", TOKEN)], &[]),
    ("POST", "/account/profile", As::Citizen, &[("display_name", "市民"), ("stakeholder_type", "citizen")], &["display_name"]),
    ("POST", "/account/password", As::Citizen, &[("current_password", "不是这个密码不是这个密码"), ("new_password", "一个足够长的新密码2026")], &[]),
    ("POST", "/account/delete", As::Citizen, &[("password", "不是这个密码不是这个密码")], &[]),
    ("POST", "/account/organization", As::Applicant, &[("name", "申请单位"), ("org_type", "enterprise"), ("uscc", "91110000802100433B")], &["name"]),
    ("POST", "/c/{open}/a/5/comments", As::Citizen, COMMENT, COMMENT_FREE),
    ("POST", "/c/{open}/comments", As::Citizen, COMMENT, COMMENT_FREE),
    ("POST", "/c/{open}/d/{chapter}/comments", As::Citizen, COMMENT, COMMENT_FREE),
    ("POST", "/c/{closed}/a/1/comments", As::Citizen, COMMENT, &[]),
    ("POST", "/comments/{public}/report", As::Citizen, &[("reason", "广告")], &["reason"]),
    ("POST", "/c/{open}/moderation/{drafters}", As::Moderator, &[("decision", "hide"), ("reason", "违反规则")], &["reason"]),
    ("POST", "/admin/organizations/{org}", As::Admin, &[("decision", "reject"), ("reason", "名称不符")], &[]),
    ("POST", "/admin/consultations/{open}/edit", As::Admin, &[("title", "人工智能服务安全管理办法（征求意见稿）"), ("title_en", ""), ("issuer", "发布机关"), ("issuer_en", ""), ("summary", ""), ("summary_en", ""), ("risk_tier", "high"), ("topics", "安全"), ("opens", "{opens}"), ("closes", "{closes}")], &["title", "title_en", "issuer", "issuer_en", "summary", "summary_en", "topics"]),
    ("POST", "/admin/consultations/{open}/roles", As::Admin, &[("email", "nobody@example.com"), ("role", "drafter")], &[]),
    ("POST", "/admin/consultations/{open}/roles/revoke", As::Admin, &[("user_id", "{drafter_id}"), ("role", "reviewer")], &[]),
    ("POST", "/c/{open}/subscribe", As::Stranger, &[("email", "reader@example.com"), ("frequency", "daily"), ("article", "5")], &[]),
    ("POST", "/subscribe", As::Stranger, &[("email", "reader@example.com"), ("frequency", "weekly"), ("topic", ""), ("tier", "")], &["topic"]),
    ("POST", "/c/{open}/triage/{public}", As::Admin, &[("status", "read"), ("note", "内部备注")], &["note"]),
    ("POST", "/c/{open}/themes/{public}", As::Admin, &[("theme", "数据安全")], &["theme"]),
    ("POST", "/c/{open}/versions/2/changes/5/links", As::Admin, &[("comment", "1"), ("response", "1"), ("tracking", "YJ-2026-7Q4M-K2XD")], &[]),
    ("GET", "/c/{open}/versions/1/changes", As::Stranger, &[("view", "side")], &[]),
];

/// Fields whose value is only used after being replaced by a safe default when it is not one
/// (`next` after logging in): any payload there may be answered with the page.
const SANITIZED: &[&str] = &["next"];

/// Paths with one parameter (`{}`), requested with each payload in its place.
#[rustfmt::skip]
const PATHS: &[(&str, &str, As)] = &[
    ("GET", "/c/{}", As::Stranger),
    ("GET", "/c/{}/text", As::Stranger),
    ("GET", "/c/{open}/a/{}", As::Stranger),
    ("GET", "/c/{open}/d/{}", As::Stranger),
    ("GET", "/c/{}/moderation-log", As::Stranger),
    ("GET", "/receipt/{}", As::Stranger),
    ("GET", "/attachments/{}", As::Citizen),
    ("GET", "/c/{}/moderation", As::Moderator),
    ("GET", "/c/{}/export.csv", As::Admin),
    ("GET", "/c/{}/export.json", As::Admin),
    ("GET", "/c/{}/export.xlsx", As::Admin),
    ("GET", "/api/v1/consultations/{}", As::Stranger),
    ("GET", "/api/v1/consultations/{}/comments", As::Stranger),
    ("GET", "/admin/consultations/{}/edit", As::Admin),
    ("GET", "/admin/consultations/{}/roles", As::Admin),
    ("POST", "/comments/{}/endorse", As::Citizen),
    ("POST", "/comments/{}/report", As::Citizen),
    ("POST", "/c/{open}/a/{}/comments", As::Citizen),
    ("POST", "/c/{open}/moderation/{}", As::Moderator),
    ("POST", "/admin/organizations/{}", As::Admin),
    ("GET", "/c/{open}/dashboard/a/{}", As::Admin),
    ("GET", "/c/{open}/campaigns/{}", As::Admin),
    ("GET", "/c/{open}/versions/{}/changes", As::Stranger),
    ("GET", "/c/{open}/v/1/a/{}", As::Stranger),
    ("GET", "/c/{open}/v/{}", As::Stranger),
    ("POST", "/c/{open}/versions/2/changes/{}/links", As::Admin),
    ("GET", "/unsubscribe/{}", As::Stranger),
    ("POST", "/unsubscribe/{}", As::Stranger),
];

/// Requests with someone else's id or beyond the sender's rights: each must be refused.
#[rustfmt::skip]
const OTHERS: &[(&str, &str, As, Fields)] = &[
    ("GET", "/attachments/{drafters_file}", As::Citizen, &[]),
    ("GET", "/c/{open}/moderation", As::Citizen, &[]),
    ("GET", "/c/{closed}/moderation", As::Moderator, &[]),
    ("POST", "/c/{open}/moderation/{public}", As::Citizen, &[("decision", "hide"), ("reason", "x")]),
    ("POST", "/c/{closed}/moderation/{public}", As::Moderator, &[("decision", "hide"), ("reason", "x")]),
    ("POST", "/admin/organizations/{org}", As::Citizen, &[("decision", "reject"), ("reason", "x")]),
    ("POST", "/admin/consultations/{open}/roles", As::Citizen, &[("email", "citizen@example.com"), ("role", "drafter")]),
    ("POST", "/admin/consultations/{open}/roles/revoke", As::Moderator, &[("user_id", "{drafter_id}"), ("role", "drafter")]),
    ("GET", "/admin/consultations/{open}/edit", As::Moderator, &[]),
];

/// Every route on the site once (for wrong methods and, for POSTs, forged tokens and bodies).
#[rustfmt::skip]
const ROUTES: &[(&str, &str, As)] = &[
    ("GET", "/", As::Stranger),
    ("GET", "/c/{open}", As::Stranger),
    ("GET", "/c/{open}/a/5", As::Stranger),
    ("GET", "/c/{open}/d/{chapter}", As::Stranger),
    ("GET", "/c/{open}/text", As::Stranger),
    ("GET", "/c/{open}/moderation-log", As::Stranger),
    ("GET", "/search", As::Stranger),
    ("GET", "/receipt/{public}", As::Stranger),
    ("GET", "/attachments/{public_file}", As::Stranger),
    ("GET", "/healthz", As::Stranger),
    ("GET", "/static/style.css", As::Stranger),
    ("GET", "/c/{open}/report", As::Stranger),
    ("GET", "/c/{open}/ledger.jsonl", As::Stranger),
    ("GET", "/ledger-key", As::Stranger),
    ("GET", "/api/v1/consultations", As::Stranger),
    ("GET", "/api/v1/consultations/{open}", As::Stranger),
    ("GET", "/api/v1/consultations/{open}/articles", As::Stranger),
    ("GET", "/api/v1/consultations/{open}/comments", As::Stranger),
    ("GET", "/api/v1/consultations/{open}/responses", As::Stranger),
    ("GET", "/api/v1/openapi.json", As::Stranger),
    ("GET", "/c/{open}/subscribe", As::Stranger),
    ("GET", "/subscribe", As::Stranger),
    ("GET", "/subscriptions", As::Citizen),
    ("GET", "/c/{open}/dashboard", As::Admin),
    ("GET", "/c/{open}/dashboard/a/5", As::Admin),
    ("GET", "/c/{open}/campaigns", As::Admin),
    ("GET", "/c/{open}/export.csv", As::Admin),
    ("GET", "/c/{open}/export.json", As::Admin),
    ("GET", "/c/{open}/export.xlsx", As::Admin),
    ("GET", "/c/{open}/versions", As::Stranger),
    ("GET", "/c/{open}/v/1/a/5", As::Stranger),
    ("GET", "/c/{open}/v/1", As::Stranger),
    ("GET", "/register", As::Stranger),
    ("GET", "/login", As::Stranger),
    ("GET", "/password-reset", As::Stranger),
    ("GET", "/account", As::Citizen),
    ("GET", "/account/export.json", As::Citizen),
    ("GET", "/account/organization", As::Citizen),
    ("GET", "/c/{open}/moderation", As::Moderator),
    ("GET", "/admin", As::Admin),
    ("GET", "/admin/organizations", As::Admin),
    ("GET", "/admin/consultations", As::Admin),
    ("GET", "/admin/consultations/new", As::Admin),
    ("GET", "/admin/consultations/{open}/edit", As::Admin),
    ("GET", "/admin/consultations/{open}/roles", As::Admin),
    ("POST", "/register", As::Stranger),
    ("POST", "/login", As::Stranger),
    ("POST", "/logout", As::Citizen),
    ("POST", "/verify", As::Stranger),
    ("POST", "/password-reset", As::Stranger),
    ("POST", "/password-reset/confirm", As::Stranger),
    ("POST", "/dispute", As::Stranger),
    ("POST", "/account/verify/resend", As::Citizen),
    ("POST", "/account/profile", As::Citizen),
    ("POST", "/account/password", As::Citizen),
    ("POST", "/account/delete", As::Citizen),
    ("POST", "/account/organization", As::Applicant),
    ("POST", "/c/{open}/a/5/comments", As::Citizen),
    ("POST", "/c/{open}/comments", As::Citizen),
    ("POST", "/c/{open}/d/{chapter}/comments", As::Citizen),
    ("POST", "/c/{open}/subscribe", As::Stranger),
    ("POST", "/subscribe", As::Stranger),
    ("POST", "/c/{open}/responses", As::Admin),
    ("POST", "/c/{open}/conclude", As::Admin),
    ("POST", "/c/{open}/versions/2/changes/5/links", As::Admin),
    ("POST", "/comments/{public}/endorse", As::Citizen),
    ("POST", "/comments/{public}/report", As::Citizen),
    ("POST", "/c/{open}/moderation/{public}", As::Moderator),
    ("POST", "/admin/organizations/{org}", As::Admin),
    ("POST", "/admin/consultations/new", As::Admin),
    ("POST", "/admin/consultations/{open}/edit", As::Admin),
    ("POST", "/admin/consultations/{open}/roles", As::Admin),
    ("POST", "/admin/consultations/{open}/roles/revoke", As::Admin),
];

/// A link token of the right shape that names nothing.
const TOKEN: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// Markup that must never come back unescaped.
const MARKUP: [&str; 4] = ["<script", "<img src=x", "<svg/onload", "<iframe"];

/// A hostile value, already percent-encoded for a query string or form body.
struct Payload {
    name: &'static str,
    encoded: String,
    /// Printable text: legitimate in a free-text field, so it may be accepted there.
    text: bool,
}

fn text(name: &'static str, value: &str) -> Payload {
    Payload {
        name,
        encoded: encode(value),
        text: true,
    }
}

fn refused(name: &'static str, value: &str) -> Payload {
    Payload {
        name,
        encoded: encode(value),
        text: false,
    }
}

fn raw(name: &'static str, encoded: &str) -> Payload {
    Payload {
        name,
        encoded: encoded.to_owned(),
        text: false,
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Encodes a path segment: everything but unreserved characters, `/` included.
fn encode_segment(encoded_form_value: &str) -> String {
    // Form encoding writes spaces as `+`; in a path that is a literal plus, so spell it out.
    encoded_form_value.replace('+', "%20")
}

fn payloads() -> Vec<Payload> {
    vec![
        text("script", "<script>alert('yj')</script>"),
        text("img", "\"><img src=x onerror=alert(1)>"),
        text("svg", "<svg/onload=alert(1)>"),
        text("iframe", "<iframe src=javascript:alert(1)></iframe>"),
        text("js-url", "javascript:alert(document.cookie)"),
        text("sql-or", "' OR '1'='1"),
        text("sql-drop", "'; DROP TABLE comments; --"),
        text("sql-union", "1 UNION SELECT password_hash FROM users --"),
        text("template", "{{7*7}} ${7*7} {% if %} #{7*7}"),
        text("traversal", "../../../../etc/passwd"),
        text("traversal-encoded", "..%2F..%2F..%2Fetc%2Fpasswd"),
        text("bidi", "\u{202e}fdp.exe"),
        text("header", "x\r\nSet-Cookie: yj_session=evil"),
        text("fullwidth", "＜script＞alert(1)＜/script＞"),
        text("number", "99999999999999999999"),
        text("negative", "-1"),
        text("json", "{\"$gt\": \"\"}"),
        refused("nul", "abc\0def"),
        refused("control", "\u{7}\u{1b}[2J\u{8}"),
        refused("too-long", &"长".repeat(5001)),
        refused("oversize", &"a".repeat(300 * 1024)),
        raw("invalid-utf8", "%FF%FE%FD"),
        raw("overlong-utf8", "%C0%AE%C0%AE%C0%AF"),
        raw("surrogate", "%ED%A0%80"),
    ]
}

/// What the sweep saw.
#[derive(Default)]
struct Tally {
    sent: usize,
    refused: usize,
    accepted: usize,
    failures: Vec<String>,
}

struct Sweep<'a> {
    app: &'a TestApp,
    cast: &'a Cast,
    stranger: Browser,
    applicant: Browser,
    uploader: Browser,
    rows: Vec<(String, i64)>,
    tally: Tally,
}

impl Sweep<'_> {
    fn browser(&self, who: As) -> &Browser {
        match who {
            As::Stranger => &self.stranger,
            As::Citizen => &self.cast.citizen,
            As::Applicant => &self.applicant,
            As::Uploader => &self.uploader,
            As::Moderator => &self.cast.moderator,
            As::Admin => &self.cast.admin,
        }
    }

    async fn csrf(&self, who: As) -> String {
        let (_, page) = self.browser(who).get("/login").await;
        csrf_of(&page)
    }

    /// A request from `who`, with a body of type `content_type` when given.
    fn request(
        &self,
        who: As,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Option<reqwest::Body>,
    ) -> reqwest::RequestBuilder {
        let b = self.browser(who);
        let mut req = b.client.request(method, format!("{}{path}", b.base));
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        req
    }

    /// Builds and sends one request (see [`Self::send`]).
    #[allow(clippy::too_many_arguments)]
    async fn go(
        &mut self,
        label: String,
        who: As,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Option<reqwest::Body>,
        may_accept: bool,
    ) {
        let req = self.request(who, method, path, content_type, body);
        self.send(label, req, may_accept).await;
    }

    /// Sends one request and checks the answer; `may_accept` allows a 2xx or 3xx.
    async fn send(&mut self, label: String, req: reqwest::RequestBuilder, may_accept: bool) {
        self.tally.sent += 1;
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                self.tally
                    .failures
                    .push(format!("{label}: no answer ({e})"));
                return;
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap_or_default();
        self.check(label, status, &headers, &body, may_accept).await;
    }

    async fn check(
        &mut self,
        label: String,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &str,
        may_accept: bool,
    ) {
        let lower = body.to_lowercase();
        if let Some(m) = MARKUP.iter().find(|m| lower.contains(*m)) {
            self.tally
                .failures
                .push(format!("{label}: {status} echoes {m} unescaped"));
        }
        if headers.get_all("set-cookie").iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.contains("evil") || v.contains("yj_session=x"))
        }) {
            self.tally
                .failures
                .push(format!("{label}: a header was injected"));
        }
        let now = people::row_counts(self.app).await;
        if (400..500).contains(&status) {
            self.tally.refused += 1;
            let is_page = body.contains("<html lang=\"") && body.contains("class=\"error\"");
            let is_download = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| !v.starts_with("text/html"));
            if !is_page && !is_download {
                self.tally
                    .failures
                    .push(format!("{label}: {status} without a page that says why"));
            }
            if now != self.rows {
                self.tally.failures.push(format!(
                    "{label}: refused with {status} but rows changed: {:?} → {now:?}",
                    self.rows
                ));
            }
        } else if status >= 500 {
            self.tally
                .failures
                .push(format!("{label}: {status} {}", snippet(body)));
        } else if may_accept {
            self.tally.accepted += 1;
        } else {
            self.tally.failures.push(format!(
                "{label}: accepted with {status}, expected a refusal: {}",
                snippet(body)
            ));
        }
        self.rows = now;
    }
}

fn snippet(body: &str) -> String {
    body.chars().take(300).collect()
}

/// The window of the open consultation as the edit form takes it: still open after the edit.
fn fill_dates(s: &str) -> String {
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    s.replace("{opens}", &(today - Duration::days(1)).to_string())
        .replace("{closes}", &(today + Duration::days(30)).to_string())
}

fn form_body(csrf: Option<&str>, fields: &[(&str, String)]) -> String {
    let mut parts: Vec<String> = csrf.map(|c| format!("csrf={c}")).into_iter().collect();
    parts.extend(fields.iter().map(|(k, v)| format!("{k}={v}")));
    parts.join("&")
}

const URLENCODED: &str = "application/x-www-form-urlencoded";

async fn forms(s: &mut Sweep<'_>, payloads: &[Payload]) {
    for (i, &(method, path, who, fields, free)) in FORMS.iter().enumerate() {
        let path = fill_dates(&s.cast.fill(path));
        let defaults: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| (*k, encode(&fill_dates(&s.cast.fill(v)))))
            .collect();
        for (field, _) in fields.iter() {
            for (n, p) in payloads.iter().enumerate() {
                // Each request differs, so a comment is never refused as a repeat of the last.
                let values: Vec<(&str, String)> = defaults
                    .iter()
                    .map(|(k, v)| {
                        if k == field {
                            (*k, p.encoded.clone())
                        } else if *k == "body" {
                            (*k, format!("{v}{i}-{n}"))
                        } else {
                            (*k, v.clone())
                        }
                    })
                    .collect();
                if method == "GET" && p.name == "oversize" {
                    // A 300 KiB URL is refused by the client before it leaves.
                    continue;
                }
                let may_accept = (p.text && free.contains(field)) || SANITIZED.contains(field);
                let label = format!("{method} {path} {field}={}", p.name);
                if method == "GET" {
                    let query = form_body(None, &values);
                    s.go(
                        label,
                        who,
                        Method::GET,
                        &format!("{path}?{query}"),
                        None,
                        None,
                        may_accept,
                    )
                    .await;
                } else {
                    let csrf = s.csrf(who).await;
                    let body = form_body(Some(&csrf), &values);
                    s.go(
                        label,
                        who,
                        Method::POST,
                        &path,
                        Some(URLENCODED),
                        Some(body.into()),
                        may_accept,
                    )
                    .await;
                }
            }
        }
    }
}

async fn paths(s: &mut Sweep<'_>, payloads: &[Payload]) {
    for &(method, template, who) in PATHS {
        for p in payloads.iter().filter(|p| p.name != "oversize") {
            let path = s
                .cast
                .fill(template)
                .replace("{}", &encode_segment(&p.encoded));
            let label = format!("{method} {template} {{}}={}", p.name);
            if method == "GET" {
                s.go(label, who, Method::GET, &path, None, None, false)
                    .await;
            } else {
                let csrf = s.csrf(who).await;
                let body = form_body(
                    Some(&csrf),
                    &[
                        ("reason", encode("广告")),
                        ("decision", "dismiss".into()),
                        ("stance", "support".into()),
                        ("body", encode(&format!("路径测试 {}", p.name))),
                        ("visibility", "named".into()),
                    ],
                );
                s.go(
                    label,
                    who,
                    Method::POST,
                    &path,
                    Some(URLENCODED),
                    Some(body.into()),
                    false,
                )
                .await;
            }
        }
    }
}

async fn others(s: &mut Sweep<'_>) {
    for &(method, template, who, fields) in OTHERS {
        let path = s.cast.fill(template);
        let label = format!("{method} {path} as {who:?}");
        if method == "GET" {
            s.go(label, who, Method::GET, &path, None, None, false)
                .await;
        } else {
            let values: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, v)| (*k, encode(&s.cast.fill(v))))
                .collect();
            let csrf = s.csrf(who).await;
            let body = form_body(Some(&csrf), &values);
            s.go(
                label,
                who,
                Method::POST,
                &path,
                Some(URLENCODED),
                Some(body.into()),
                false,
            )
            .await;
        }
    }
}

async fn wrong_methods(s: &mut Sweep<'_>) {
    for &(method, template, who) in ROUTES {
        let path = s.cast.fill(template);
        let mut wrong = vec![Method::PUT, Method::DELETE, Method::PATCH];
        let served_by_get = ROUTES.iter().any(|&(m, t, _)| m == "GET" && t == template);
        if method == "POST" && !served_by_get {
            wrong.push(Method::GET);
        }
        for m in wrong {
            let label = format!("{m} {path}");
            s.go(
                label,
                who,
                m,
                &path,
                Some(URLENCODED),
                Some("a=1".into()),
                false,
            )
            .await;
        }
    }
}

async fn forged_tokens_and_bodies(s: &mut Sweep<'_>) {
    let strangers = s.csrf(As::Stranger).await;
    for &(method, template, who) in ROUTES.iter().filter(|r| r.0 == "POST") {
        let path = s.cast.fill(template);
        let own = s.csrf(who).await;
        let other = if who == As::Stranger {
            s.csrf(As::Citizen).await
        } else {
            strangers.clone()
        };
        let forged: Vec<(&str, Option<String>)> = vec![
            ("missing", None),
            ("empty", Some(String::new())),
            ("random", Some("ab".repeat(32))),
            ("another visitor's", Some(other)),
            ("upper case", Some(own.to_uppercase())),
            ("one digit longer", Some(format!("{own}0"))),
            ("not hex", Some("zz".repeat(32))),
            ("with NUL", Some(format!("{}%00", &own[..63]))),
            ("huge", Some("a".repeat(100_000))),
        ];
        for (name, token) in forged {
            let body = form_body(
                token.as_deref(),
                &[
                    ("body", encode("伪造")),
                    ("email", "x%40example.com".into()),
                ],
            );
            let label = format!("{method} {path} csrf {name}");
            s.go(
                label,
                who,
                Method::POST,
                &path,
                Some(URLENCODED),
                Some(body.into()),
                false,
            )
            .await;
        }
        let mut raw_body = format!("csrf={own}&body=").into_bytes();
        raw_body.extend_from_slice(b"\xff\xfe\xc0\xaf");
        let oversize = format!("csrf={own}&body={}", "a".repeat(300 * 1024));
        let bodies: Vec<(&str, &str, reqwest::Body)> = vec![
            ("raw invalid UTF-8", URLENCODED, raw_body.into()),
            ("oversize", URLENCODED, oversize.into()),
            (
                "JSON",
                "application/json",
                format!("{{\"csrf\":\"{own}\"}}").into(),
            ),
            (
                "multipart without boundary",
                "multipart/form-data",
                format!(
                    "--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{own}\r\n--x--\r\n"
                )
                .into(),
            ),
        ];
        for (name, ct, body) in bodies {
            let label = format!("{method} {path} body {name}");
            s.go(label, who, Method::POST, &path, Some(ct), Some(body), false)
                .await;
        }
    }
}

/// One multipart request: `parts` of (name, file name, bytes), the token first or not at all.
async fn upload(
    s: &mut Sweep<'_>,
    label: &str,
    path: &str,
    who: As,
    parts: Parts,
    may_accept: bool,
) {
    let csrf = s.csrf(who).await;
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf);
    for (name, file_name, bytes) in parts {
        let mut part = reqwest::multipart::Part::bytes(bytes);
        if let Some(f) = file_name {
            part = part.file_name(f);
        }
        form = form.part(name.to_owned(), part);
    }
    let b = s.browser(who);
    let req = b.client.post(format!("{}{path}", b.base)).multipart(form);
    s.send(label.to_owned(), req, may_accept).await;
}

fn comment_parts(body: &str) -> Parts {
    vec![
        ("stance", None, b"amend".to_vec()),
        ("body", None, body.as_bytes().to_vec()),
        ("visibility", None, b"named".to_vec()),
    ]
}

async fn uploads(s: &mut Sweep<'_>) {
    let path = s.cast.fill("/c/{open}/a/6/comments");
    let names = [
        "../../../../etc/passwd.pdf",
        "..\\..\\..\\windows\\system32\\config.pdf",
        "/etc/shadow.pdf",
        "%2e%2e%2f%2e%2e%2fescape.pdf",
        "nul\0byte.pdf",
        "<script>alert(1)</script>.pdf",
        "\u{202e}fdp.exe",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut parts = comment_parts(&format!("附件名测试 {i}"));
        parts.push(("attachments", Some((*name).to_owned()), PDF.to_vec()));
        upload(
            s,
            &format!("upload named {name:?}"),
            &path,
            As::Uploader,
            parts,
            true,
        )
        .await;
    }
    let long_name = format!("{}.pdf", "长".repeat(300));
    let mut parts = comment_parts("很长的文件名");
    parts.push(("attachments", Some(long_name), PDF.to_vec()));
    upload(
        s,
        "upload with a 300-character name",
        &path,
        As::Uploader,
        parts,
        true,
    )
    .await;

    let refusals: Vec<(&str, Parts)> = vec![
        ("an executable named .pdf", {
            let mut p = comment_parts("可执行文件");
            p.push((
                "attachments",
                Some("report.pdf".into()),
                b"MZ\x90\0\x03\0\0\0\x04\0".to_vec(),
            ));
            p
        }),
        ("an HTML file", {
            let mut p = comment_parts("网页文件");
            p.push((
                "attachments",
                Some("page.html".into()),
                b"<html><script>alert(1)</script></html>".to_vec(),
            ));
            p
        }),
        ("six files", {
            let mut p = comment_parts("六个文件");
            for _ in 0..6 {
                p.push(("attachments", Some("a.pdf".into()), PDF.to_vec()));
            }
            p
        }),
        ("a file over 10 MB", {
            let mut p = comment_parts("大文件");
            let mut big = PDF.to_vec();
            big.resize(10 * 1024 * 1024 + 1, b' ');
            p.push(("attachments", Some("big.pdf".into()), big));
            p
        }),
        (
            "invalid UTF-8 in a text part",
            vec![
                ("stance", None, b"amend".to_vec()),
                ("body", None, b"\xff\xfe bad".to_vec()),
                ("visibility", None, b"named".to_vec()),
            ],
        ),
        (
            "a text part over the form limit",
            vec![
                ("stance", None, b"amend".to_vec()),
                ("body", None, vec![b'a'; 300 * 1024]),
                ("visibility", None, b"named".to_vec()),
            ],
        ),
        (
            "a script body with a bad stance",
            vec![
                ("stance", None, b"<script>".to_vec()),
                ("body", None, b"<script>alert(1)</script>".to_vec()),
                ("visibility", None, b"named".to_vec()),
            ],
        ),
    ];
    for (name, parts) in refusals {
        upload(
            s,
            &format!("upload: {name}"),
            &path,
            As::Uploader,
            parts,
            false,
        )
        .await;
    }

    // A token after the file, and no token at all: refused before anything is stored.
    for (name, token_last) in [("token after the file", true), ("no token", false)] {
        let b = s.browser(As::Uploader);
        let mut form = reqwest::multipart::Form::new()
            .text("stance", "amend")
            .text("body", name)
            .text("visibility", "named")
            .part(
                "attachments",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("late.pdf"),
            );
        if token_last {
            let (_, page) = b.get("/login").await;
            form = form.text("csrf", csrf_of(&page));
        }
        let req = b.client.post(format!("{}{path}", b.base)).multipart(form);
        s.send(format!("upload: {name}"), req, false).await;
    }

    // The administrator's draft upload.
    let admin_path = "/admin/consultations/new";
    let consultation = |slug: &str, draft: Vec<u8>, file: &str| {
        let mut parts: Vec<(&str, Option<String>, Vec<u8>)> = [
            ("slug", slug),
            ("title", ""),
            ("title_en", ""),
            ("issuer", "测试机关"),
            ("issuer_en", ""),
            ("summary", ""),
            ("summary_en", ""),
            ("risk_tier", "low"),
            ("topics", ""),
            ("opens", "2026-12-01"),
            ("closes", "2026-12-31"),
            ("draft_text", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k, None, v.as_bytes().to_vec()))
        .collect();
        parts.push(("draft", Some(file.to_owned()), draft));
        parts
    };
    let (gbk, _, _) = encoding_rs::GB18030.encode("测试规定\n第一条　内容。\n");
    let drafts: Vec<(&str, Parts)> = vec![
        (
            "a GB18030 draft",
            consultation("gbk-draft", gbk.into_owned(), "draft.txt"),
        ),
        (
            "a binary draft",
            consultation("bin-draft", b"MZ\x90\0\x03\0\0\0".to_vec(), "draft.txt"),
        ),
        (
            "a draft with a NUL",
            consultation(
                "nul-draft",
                "标题\n第一条　内\0容。\n".as_bytes().to_vec(),
                "draft.txt",
            ),
        ),
        (
            "a slug with a script",
            consultation(
                "<script>",
                "标题\n第一条　内容。\n".as_bytes().to_vec(),
                "draft.txt",
            ),
        ),
        (
            "a traversal slug",
            consultation(
                "../../etc",
                "标题\n第一条　内容。\n".as_bytes().to_vec(),
                "draft.txt",
            ),
        ),
        (
            "a traversal file name with a bad draft",
            consultation("trav-draft", b"\xff\xfe".to_vec(), "../../../etc/passwd"),
        ),
        (
            "an oversize draft",
            consultation("big-draft", vec![b'a'; 8 * 1024 * 1024], "draft.txt"),
        ),
    ];
    for (name, parts) in drafts {
        upload(
            s,
            &format!("draft upload: {name}"),
            admin_path,
            As::Admin,
            parts,
            false,
        )
        .await;
    }
}

/// Pages where accepted hostile text would be shown; none may carry it unescaped.
async fn pages_show_everything_escaped(s: &mut Sweep<'_>) {
    let pages: [(&str, As); 12] = [
        ("/", As::Stranger),
        ("/c/{open}", As::Stranger),
        ("/c/{open}/a/5", As::Citizen),
        ("/c/{open}/a/6", As::Stranger),
        ("/c/{open}/d/{chapter}", As::Stranger),
        ("/c/{open}/text", As::Stranger),
        ("/c/{open}/moderation-log", As::Stranger),
        ("/c/{open}/moderation", As::Moderator),
        ("/search?q=alert", As::Stranger),
        ("/account", As::Citizen),
        ("/account/organization", As::Applicant),
        ("/admin/organizations", As::Admin),
    ];
    for (template, who) in pages {
        let path = s.cast.fill(template);
        let (status, body) = s.browser(who).get(&path).await;
        if status != 200 {
            s.tally
                .failures
                .push(format!("GET {path} after the sweep: {status}"));
        }
        let lower = body.to_lowercase();
        for m in MARKUP.iter().filter(|m| lower.contains(*m)) {
            s.tally
                .failures
                .push(format!("GET {path} after the sweep shows {m} unescaped"));
        }
        for path_in_name in ["/passwd.pdf", "\\config.pdf", "/shadow.pdf"] {
            if body.contains(path_in_name) {
                s.tally.failures.push(format!(
                    "GET {path} shows a file name with a path: {path_in_name}"
                ));
            }
        }
    }
}

on_both_backends! {
    async fn over_a_thousand_hostile_requests_get_a_4xx_page_and_change_nothing(app) {
        let cast = Cast::assemble(&app).await;
        let applicant = people::verified(&app, "applicant@example.com", "enterprise").await;
        let uploader = people::verified(&app, "uploader@example.com", "citizen").await;
        let stranger = app.new_browser();
        stranger.get("/").await;
        let rows = people::row_counts(&app).await;
        let mut s = Sweep { app: &app, cast: &cast, stranger, applicant, uploader, rows, tally: Tally::default() };
        let payloads = payloads();
        forms(&mut s, &payloads).await;
        paths(&mut s, &payloads).await;
        others(&mut s).await;
        wrong_methods(&mut s).await;
        forged_tokens_and_bodies(&mut s).await;
        uploads(&mut s).await;
        pages_show_everything_escaped(&mut s).await;

        // Stored files carry their hash as their name, in the attachments folder only.
        let dir = app.db.mail_dir.path().join("attachments");
        for entry in walk(&dir) {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if !(name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())) {
                s.tally.failures.push(format!("a file left in the attachments folder: {}", entry.display()));
            }
        }
        for stray in walk(app.db.mail_dir.path()).into_iter().filter(|p| !p.starts_with(&dir)) {
            s.tally.failures.push(format!("a file outside the attachments folder: {}", stray.display()));
        }

        let t = &s.tally;
        println!("hostile requests: {} sent, {} refused with a 4xx page, {} accepted as harmless text, {} failures", t.sent, t.refused, t.accepted, t.failures.len());
        assert!(t.failures.is_empty(), "{} of {} hostile requests went wrong:\n{}", t.failures.len(), t.sent, t.failures.join("\n"));
        assert!(t.sent >= 1000, "only {} hostile requests", t.sent);
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
