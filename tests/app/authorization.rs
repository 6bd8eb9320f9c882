//! The authorization matrix: every route asked by every kind of person, and what each gets.
//!
//! One row per route: method, path (placeholders filled by [`Cast::fill`]), form fields, and the
//! expected answer for anonymous visitor, citizen, organisation member, moderator of the open
//! consultation, drafter of another consultation, drafter of the open one, and administrator. POST
//! forms carry the sender's valid CSRF token; forms that would change something irreversible carry
//! input that is refused once the sender is let in (422), so a 422 means "allowed in".

use crate::harness::{Reply, csrf_of};
use crate::on_both_backends;
use crate::people::{Cast, Who};

/// What one person gets from one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// 200: the page.
    Page,
    /// 303 to somewhere other than the log-in page: done.
    Done,
    /// 303 to the log-in page.
    Login,
    /// 400: refused as malformed, after being let in.
    Bad,
    /// 403.
    Deny,
    /// 404: nothing there for this person.
    Hidden,
    /// 415: let in, the body is not of the form's type.
    WrongType,
    /// 422: let in, the input refused.
    Invalid,
}

use Expect::{Bad, Deny, Done, Hidden, Invalid, Login, Page, WrongType};

/// A route, its fields, and the answer per [`Who::ALL`] column:
/// anonymous, citizen, organisation member, moderator, other drafter, drafter, admin.
type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    [Expect; 7],
);

const ADMIN_ONLY: [Expect; 7] = [Login, Deny, Deny, Deny, Deny, Deny, Page];
const EVERYONE: [Expect; 7] = [Page; 7];
const SIGNED_IN: [Expect; 7] = [Login, Page, Page, Page, Page, Page, Page];
const MODERATORS: [Expect; 7] = [Login, Deny, Deny, Page, Deny, Deny, Page];
const COMMENTERS: [Expect; 7] = [Login, Done, Done, Done, Done, Done, Done];
const NOT_OPEN: [Expect; 7] = [Login, Deny, Deny, Deny, Deny, Deny, Deny];
const DRAFTERS: [Expect; 7] = [Login, Deny, Deny, Deny, Deny, Page, Page];

/// Every route on the site. A new route is one line here.
#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // Reading, open to all.
    ("GET", "/", &[], EVERYONE),
    ("GET", "/c/{open}", &[], EVERYONE),
    ("GET", "/c/{open}/a/5", &[], EVERYONE),
    ("GET", "/c/{open}/d/{chapter}", &[], EVERYONE),
    ("GET", "/c/{open}/text", &[], EVERYONE),
    ("GET", "/c/{closed}", &[], EVERYONE),
    ("GET", "/c/{closed}/a/1", &[], EVERYONE),
    ("GET", "/search?q=数据", &[], EVERYONE),
    ("GET", "/c/{open}/moderation-log", &[], EVERYONE),
    ("GET", "/receipt/{public}", &[], EVERYONE),
    ("GET", "/attachments/{public_file}", &[], EVERYONE),
    ("GET", "/healthz", &[], EVERYONE),
    ("GET", "/c/{open}/report", &[], EVERYONE),
    ("GET", "/c/{open}/ledger.jsonl", &[], EVERYONE),
    ("GET", "/ledger-key", &[], EVERYONE),
    ("GET", "/api/v1/consultations", &[], EVERYONE),
    ("GET", "/api/v1/consultations/{open}", &[], EVERYONE),
    ("GET", "/api/v1/consultations/{open}/articles", &[], EVERYONE),
    ("GET", "/api/v1/consultations/{open}/comments?after=0&limit=200", &[], EVERYONE),
    ("GET", "/api/v1/consultations/{open}/responses", &[], EVERYONE),
    ("GET", "/api/v1/openapi.json", &[], EVERYONE),
    ("GET", "/c/{open}/subscribe", &[], EVERYONE),
    ("GET", "/subscribe", &[], EVERYONE),
    ("GET", "/subscriptions", &[], SIGNED_IN),
    // The drafters' workspace: that consultation's drafters and the administrators.
    ("GET", "/c/{open}/dashboard", &[], DRAFTERS),
    ("GET", "/c/{open}/dashboard/a/5", &[], DRAFTERS),
    ("GET", "/c/{open}/dashboard/draft", &[], DRAFTERS),
    ("GET", "/c/{open}/campaigns", &[], DRAFTERS),
    ("GET", "/c/{open}/export.csv", &[], DRAFTERS),
    ("GET", "/c/{open}/export.json", &[], DRAFTERS),
    ("GET", "/c/{open}/export.xlsx", &[], DRAFTERS),
    ("GET", "/static/style.css", &[], EVERYONE),
    // Revised versions (issue 7): history public, publishing for the consultation's drafters.
    ("GET", "/c/{open}/versions", &[], EVERYONE),
    ("GET", "/c/{open}/v/1/a/5", &[], EVERYONE),
    ("GET", "/c/{open}/v/1", &[], EVERYONE),
    ("GET", "/c/{open}/versions/new", &[], [Login, Deny, Deny, Deny, Deny, Page, Page]),
    // The first version changed nothing; linking a change is for the drafters, and refused
    // (400) once let in because the open consultation has no second version.
    ("GET", "/c/{open}/versions/1/changes", &[], [Hidden; 7]),
    ("POST", "/c/{open}/versions/2/changes/5/links", &[("comment", "1")], [Login, Deny, Deny, Deny, Deny, Bad, Bad]),
    // A drafters-only comment's attachment: that consultation's drafters alone, not even its author.
    ("GET", "/attachments/{drafters_file}", &[], [Hidden, Hidden, Hidden, Hidden, Hidden, Page, Hidden]),
    // Accounts.
    ("GET", "/register", &[], EVERYONE),
    ("GET", "/login", &[], EVERYONE),
    ("GET", "/password-reset", &[], EVERYONE),
    ("GET", "/verify?token={token}", &[], EVERYONE),
    ("GET", "/dispute?token={token}", &[], EVERYONE),
    ("GET", "/account", &[], SIGNED_IN),
    ("GET", "/account/export.json", &[], SIGNED_IN),
    ("GET", "/account/organization", &[], SIGNED_IN),
    ("POST", "/register", &[("email", "not an address"), ("display_name", "某人"), ("stakeholder_type", "citizen"), ("password", "x")], [Invalid; 7]),
    ("POST", "/login", &[("email", "nobody@example.com"), ("password", "")], [Invalid; 7]),
    ("POST", "/password-reset", &[("email", "nobody@example.com")], EVERYONE),
    ("POST", "/password-reset/confirm", &[("token", "{token}"), ("password", "一个足够长的新密码2026")], [Bad; 7]),
    ("POST", "/verify", &[("token", "{token}")], [Bad; 7]),
    ("POST", "/dispute", &[("token", "{token}")], [Bad; 7]),
    ("POST", "/account/verify/resend", &[], [Login, Done, Done, Done, Done, Done, Done]),
    ("POST", "/account/profile", &[("display_name", ""), ("stakeholder_type", "citizen")], [Login, Invalid, Invalid, Invalid, Invalid, Invalid, Invalid]),
    ("POST", "/account/password", &[("current_password", "不是这个密码不是这个密码"), ("new_password", "一个足够长的新密码2026")], [Login, Invalid, Invalid, Invalid, Invalid, Invalid, Invalid]),
    ("POST", "/account/delete", &[("password", "不是这个密码不是这个密码")], [Login, Invalid, Invalid, Invalid, Invalid, Invalid, Invalid]),
    // Individuals and accounts that already speak for an organisation cannot register one (the
    // moderator, drafters and administrator are government accounts without one).
    ("POST", "/account/organization", &[("name", "某单位"), ("org_type", "government"), ("uscc", "123")], [Login, Deny, Deny, Invalid, Invalid, Invalid, Invalid]),
    // Comments: verified accounts while the window is open.
    ("POST", "/c/{open}/a/5/comments", &[("stance", "support"), ("body", "矩阵：条文意见"), ("visibility", "named")], COMMENTERS),
    ("POST", "/c/{open}/comments", &[("stance", "support"), ("body", "矩阵：整体意见"), ("visibility", "named")], COMMENTERS),
    ("POST", "/c/{open}/d/{chapter}/comments", &[("stance", "support"), ("body", "矩阵：章节意见"), ("visibility", "named")], COMMENTERS),
    ("POST", "/c/{closed}/a/1/comments", &[("stance", "support"), ("body", "矩阵：截止后"), ("visibility", "named")], NOT_OPEN),
    ("POST", "/c/{closed}/a/1/comments", &[("stance", ""), ("body", ""), ("visibility", "named")], NOT_OPEN),
    ("POST", "/c/{closed}/comments", &[("stance", "support"), ("body", "矩阵：截止后整体"), ("visibility", "named")], NOT_OPEN),
    ("POST", "/comments/{public}/endorse", &[], COMMENTERS),
    // Moderation: the open consultation's moderators and the site's administrators.
    ("GET", "/c/{open}/moderation", &[], MODERATORS),
    ("GET", "/c/{closed}/moderation", &[], [Login, Deny, Deny, Deny, Deny, Deny, Page]),
    ("POST", "/c/{open}/moderation/{public}", &[("decision", "dismiss")], [Login, Deny, Deny, Done, Deny, Deny, Done]),
    ("POST", "/c/{open}/moderation/{drafters}", &[("decision", "hide"), ("reason", "")], [Login, Deny, Deny, Invalid, Deny, Deny, Invalid]),
    ("POST", "/c/{closed}/moderation/{public}", &[("decision", "dismiss")], [Login, Deny, Deny, Deny, Deny, Deny, Hidden]),
    // Administration.
    ("GET", "/admin", &[], ADMIN_ONLY),
    ("GET", "/admin/organizations", &[], ADMIN_ONLY),
    ("GET", "/admin/consultations", &[], ADMIN_ONLY),
    ("GET", "/admin/consultations/new", &[], ADMIN_ONLY),
    ("GET", "/admin/consultations/{open}/edit", &[], ADMIN_ONLY),
    ("GET", "/admin/consultations/{open}/roles", &[], ADMIN_ONLY),
    ("POST", "/admin/organizations/{org}", &[("decision", "undecided")], [Login, Deny, Deny, Deny, Deny, Deny, Bad]),
    ("POST", "/admin/consultations/new", &[("slug", "x")], [Login, Deny, Deny, Deny, Deny, Deny, WrongType]),
    ("POST", "/admin/consultations/{open}/edit", &[("title", ""), ("issuer", ""), ("risk_tier", "high"), ("opens", ""), ("closes", "")], [Login, Deny, Deny, Deny, Deny, Deny, Invalid]),
    ("POST", "/admin/consultations/{open}/roles", &[("email", "nobody@example.com"), ("role", "drafter")], [Login, Deny, Deny, Deny, Deny, Deny, Invalid]),
    ("POST", "/admin/consultations/{open}/roles/revoke", &[("user_id", "0"), ("role", "drafter")], [Login, Deny, Deny, Deny, Deny, Deny, Done]),
    // Last: the third verified report holds the comment, so later reporters no longer find it;
    // logging out ends the sessions.
    ("POST", "/comments/{public}/report", &[("reason", "矩阵测试")], [Login, Done, Done, Done, Hidden, Hidden, Hidden]),
    ("POST", "/logout", &[], [Done; 7]),
];

/// A link token of the right shape that names nothing.
const TOKEN: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn classify(reply: &Reply) -> Option<Expect> {
    Some(match reply.status {
        200 => Page,
        303 if reply
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")) =>
        {
            Login
        }
        303 => Done,
        400 => Bad,
        403 => Deny,
        404 => Hidden,
        415 => WrongType,
        422 => Invalid,
        _ => return None,
    })
}

on_both_backends! {
    async fn every_route_answers_each_kind_of_person_as_the_matrix_says(app) {
        let cast = Cast::assemble(&app).await;
        let mut tokens = Vec::new();
        for who in Who::ALL {
            let (_, page) = cast.browser(who).get("/login").await;
            tokens.push(csrf_of(&page));
        }
        let mut wrong = Vec::new();
        let mut table = String::new();
        for &(method, template, fields, expected) in MATRIX {
            let path = cast.fill(template).replace("{token}", TOKEN);
            let mut line = format!("{method:4} {template:45}");
            for (i, who) in Who::ALL.into_iter().enumerate() {
                let b = cast.browser(who);
                let reply = if method == "GET" {
                    let resp = b.client.get(format!("{}{path}", b.base)).send().await.expect("request");
                    Reply::read(resp).await
                } else {
                    let values: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, cast.fill(v).replace("{token}", TOKEN))).collect();
                    let fields: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    b.post(&path, &tokens[i], &fields).await
                };
                let got = classify(&reply);
                line.push_str(&format!(" {:>3}", reply.status));
                if got != Some(expected[i]) {
                    wrong.push(format!("{method} {template} as {who:?}: expected {:?}, got {} {:?}", expected[i], reply.status, reply.location));
                }
                if reply.status >= 500 {
                    wrong.push(format!("{method} {template} as {who:?}: {}", reply.body));
                }
            }
            table.push_str(&line);
            table.push('\n');
        }
        println!("{:50} anon cit org mod oth dra adm\n{table}", "route");
        assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
    }
}
