//! The people of the quality suites, each with a signed-in browser, and the things they made:
//! the demo consultation and a closed one, comments, attachments and an organisation.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use yijian::consultations::{RiskTier, Slug};
use yijian::db;
use yijian::drafts::{self, NewConsultation};
use yijian::roles::{self, Role};

use crate::accounts::{PASSWORD, register};
use crate::harness::{Browser, Reply, TestApp, csrf_of};

/// The demo consultation, open for comments.
pub const OPEN: &str = "ai-service-safety";
/// A consultation whose window has closed; the other drafter drafts it.
pub const CLOSED: &str = "closed-rules";
/// A valid 统一社会信用代码 (checked by its checksum), registered by the organisation member.
pub const USCC: &str = "91350100M000100Y43";
/// The smallest file the attachment check takes for a PDF.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Who is asking: the columns of the authorization matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    Citizen,
    OrgMember,
    Moderator,
    OtherDrafter,
    Drafter,
    Admin,
}

impl Who {
    /// Every role, in the matrix's column order.
    pub const ALL: [Who; 7] = [
        Who::Anonymous,
        Who::Citizen,
        Who::OrgMember,
        Who::Moderator,
        Who::OtherDrafter,
        Who::Drafter,
        Who::Admin,
    ];
}

/// Everyone, signed in, and what they left behind.
pub struct Cast {
    pub anonymous: Browser,
    pub citizen: Browser,
    pub org_member: Browser,
    pub moderator: Browser,
    pub other_drafter: Browser,
    pub drafter: Browser,
    pub admin: Browser,
    /// A public comment by the citizen on article 5, with a PDF attached.
    pub public_comment: String,
    /// Its attachment's id.
    pub public_attachment: i32,
    /// A drafters-only comment by the organisation member on article 5, with a PDF attached.
    pub drafters_comment: String,
    /// Its attachment's id.
    pub drafters_attachment: i32,
    /// The organisation member's organisation (verified).
    pub organization: i32,
    /// The drafter's user id.
    pub drafter_id: i32,
    /// The position of the open consultation's first chapter (its page is `/c/{open}/d/{chapter}`).
    pub chapter: String,
}

impl Cast {
    /// The browser of `who`.
    pub fn browser(&self, who: Who) -> &Browser {
        match who {
            Who::Anonymous => &self.anonymous,
            Who::Citizen => &self.citizen,
            Who::OrgMember => &self.org_member,
            Who::Moderator => &self.moderator,
            Who::OtherDrafter => &self.other_drafter,
            Who::Drafter => &self.drafter,
            Who::Admin => &self.admin,
        }
    }

    /// Replaces `{open}`, `{closed}`, `{public}`, `{drafters}`, `{public_file}`,
    /// `{drafters_file}`, `{org}`, `{drafter_id}` and `{chapter}` in `template`.
    pub fn fill(&self, template: &str) -> String {
        template
            .replace("{open}", OPEN)
            .replace("{closed}", CLOSED)
            .replace("{public}", &self.public_comment)
            .replace("{drafters}", &self.drafters_comment)
            .replace("{public_file}", &self.public_attachment.to_string())
            .replace("{drafters_file}", &self.drafters_attachment.to_string())
            .replace("{org}", &self.organization.to_string())
            .replace("{drafter_id}", &self.drafter_id.to_string())
            .replace("{chapter}", &self.chapter)
    }

    /// Seeds the demo and a closed consultation, and signs everyone in.
    pub async fn assemble(app: &TestApp) -> Self {
        app.seed_demo().await;
        db::run(&app.pool, |conn| {
            let now = Utc::now().naive_utc();
            let meta = NewConsultation {
                slug: Slug::parse(CLOSED).expect("slug"),
                title: None,
                title_en: None,
                issuer: "机关".into(),
                issuer_en: None,
                summary: String::new(),
                summary_en: None,
                risk_tier: RiskTier::Low,
                topics: vec![],
                is_demo: false,
                opens_at: now - Duration::days(30),
                closes_at: now - Duration::days(1),
            };
            drafts::import_new_consultation(
                conn,
                "已截止的规定\n第一章　总则\n第一条　内容。\n".as_bytes(),
                "closed.txt",
                &meta,
                now,
            )
            .map_err(|e| db::DbError::Migration(e.to_string()))
        })
        .await
        .expect("closed consultation");

        let citizen = verified(app, "citizen@example.com", "citizen").await;
        let org_member = verified(app, "member@example.com", "enterprise").await;
        let moderator = verified(app, "moderator@example.gov.cn", "government").await;
        let other_drafter = verified(app, "other.drafter@example.gov.cn", "government").await;
        let drafter = verified(app, "drafter@example.gov.cn", "government").await;
        let admin = crate::admin::admin(app).await;
        let anonymous = app.new_browser();
        let (_, overview) = anonymous.get(&format!("/c/{OPEN}")).await;
        let marker = format!("href=\"/c/{OPEN}/d/");
        let start = overview.find(&marker).expect("a chapter link") + marker.len();
        let chapter: String = overview[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();

        let registered = org_member
            .submit(
                "/account/organization",
                "/account/organization",
                &[
                    ("name", "示范科技有限公司"),
                    ("org_type", "enterprise"),
                    ("uscc", USCC),
                ],
            )
            .await;
        assert_eq!(registered.status, 303, "{}", registered.body);
        let (organization, drafter_id) = db::run(&app.pool, |conn| {
            let now = Utc::now().naive_utc();
            let member = db::accounts::user_by_email(conn, "member@example.com")?.expect("member");
            let admin = db::accounts::user_by_email(conn, "admin@example.gov.cn")?.expect("admin");
            let org = member.organization_id.expect("organisation registered");
            yijian::organizations::review(
                conn,
                org,
                &yijian::organizations::Decision::Verify,
                admin.id,
                now,
            )
            .map_err(|e| db::DbError::Migration(format!("{e:?}")))?;
            let grant = |conn: &mut db::DbConnection, slug: &str, email: &str, role: Role| {
                let c = db::consultations::by_slug(conn, slug)?.expect("consultation");
                roles::grant(conn, c.id, email, role, now)
                    .map_err(|e| db::DbError::Migration(format!("{e:?}")))
            };
            grant(conn, OPEN, "moderator@example.gov.cn", Role::Moderator)?;
            grant(conn, OPEN, "drafter@example.gov.cn", Role::Drafter)?;
            grant(conn, CLOSED, "other.drafter@example.gov.cn", Role::Drafter)?;
            let drafter =
                db::accounts::user_by_email(conn, "drafter@example.gov.cn")?.expect("drafter");
            Ok((org, drafter.id))
        })
        .await
        .expect("roles granted");

        let public_comment = comment_with_pdf(&citizen, "公开意见，附意见书。", "named").await;
        let drafters_comment =
            comment_with_pdf(&org_member, "仅供起草人阅读的意见。", "drafters").await;
        let (public_attachment, drafters_attachment) = {
            let ids = attachment_ids(app).await;
            assert_eq!(ids.len(), 2);
            (ids[0], ids[1])
        };
        Self {
            anonymous,
            citizen,
            org_member,
            moderator,
            other_drafter,
            drafter,
            admin,
            public_comment,
            public_attachment,
            drafters_comment,
            drafters_attachment,
            organization,
            drafter_id,
            chapter,
        }
    }
}

/// Registers `email` with stakeholder type `kind` and verifies it directly in the database.
pub async fn verified(app: &TestApp, email: &str, kind: &str) -> Browser {
    let b = app.new_browser();
    let r = register(&b, email, "参与者", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    if kind != "citizen" {
        let r = b
            .submit(
                "/account",
                "/account/profile",
                &[("display_name", "参与者"), ("stakeholder_type", kind)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    app.mark_verified(email).await;
    b
}

/// Posts a comment on article 5 of the open consultation with a PDF; returns its tracking number.
async fn comment_with_pdf(b: &Browser, body: &str, visibility: &str) -> String {
    let (_, page) = b.get(&format!("/c/{OPEN}/a/5")).await;
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf_of(&page));
    for (k, v) in [
        ("stance", "amend"),
        ("body", body),
        ("visibility", visibility),
    ] {
        form = form.text(k, v.to_owned());
    }
    form = form.part(
        "attachments",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("意见书.pdf"),
    );
    let resp = b
        .client
        .post(format!("{}/c/{OPEN}/a/5/comments", b.base))
        .multipart(form)
        .send()
        .await
        .expect("request");
    let reply = Reply::read(resp).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply
        .location
        .expect("location")
        .rsplit("#c-")
        .next()
        .expect("tracking")
        .to_owned()
}

async fn attachment_ids(app: &TestApp) -> Vec<i32> {
    db::run(&app.pool, |conn| {
        use yijian::db::schema::attachments::dsl::*;
        Ok(attachments.select(id).order(id).load::<i32>(conn)?)
    })
    .await
    .expect("attachments")
}

/// The number of rows in each table that records what people did (throttles, settings and
/// the search index left out), for "nothing was written" checks.
pub async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    const TABLES: [&str; 15] = [
        "consultations",
        "draft_versions",
        "articles",
        "users",
        "sessions",
        "user_tokens",
        "organizations",
        "consultation_roles",
        "comments",
        "endorsements",
        "disputes",
        "reports",
        "moderation_actions",
        "attachments",
        "outbox",
    ];
    let sql = TABLES
        .iter()
        .map(|t| format!("SELECT '{t}' AS t, count(*) AS n FROM {t}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut counts: Vec<(String, i64)> = db::run(&app.pool, move |conn| {
        Ok(diesel::sql_query(sql)
            .load::<Row>(conn)?
            .into_iter()
            .map(|r| (r.t, r.n))
            .collect())
    })
    .await
    .expect("row counts");
    counts.sort();
    counts
}
