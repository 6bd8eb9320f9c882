//! The demo consultation: an original sample AI governance draft, imported by the same importer
//! drafters use, and generated comments on it (`comments`).

pub mod comments;
mod phrases;

use chrono::{Duration, NaiveDateTime};

use crate::consultations::{RiskTier, Slug};
use crate::db::{self, DbConnection, DbError};
use crate::drafts::{self, ImportDraftError, NewConsultation};
use crate::organizations::uscc::UsccError;

/// The demo consultation's slug.
pub const DEMO_SLUG: &str = "ai-service-safety";

const DEMO_TEXT_ZH: &[u8] = include_bytes!("seed/ai_safety_governance.txt");
const DEMO_TEXT_EN: &[u8] = include_bytes!("seed/ai_safety_governance.en.txt");

/// How long the demo accepts comments.
pub const DEMO_WINDOW_DAYS: i64 = 30;
/// How many days before its creation the demo opened, so that its generated comments spread over
/// a week as real ones would.
pub const DEMO_OPENED_DAYS_AGO: i64 = 7;

/// Whether seeding created the demo or found it there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The demo was created now.
    Created,
    /// It existed already; nothing changed.
    AlreadyThere,
}

/// Creates the demo consultation unless it exists: open for [`DEMO_WINDOW_DAYS`], of which
/// [`DEMO_OPENED_DAYS_AGO`] lie before `now`.
pub fn demo(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Seeded, ImportDraftError> {
    if db::consultations::by_slug(conn, DEMO_SLUG)?.is_some() {
        return Ok(Seeded::AlreadyThere);
    }
    let slug =
        Slug::parse(DEMO_SLUG).map_err(|e| ImportDraftError::InvalidSlug(DEMO_SLUG.into(), e))?;
    let meta = NewConsultation {
        slug,
        title: None,
        title_en: Some("Measures for the Safety Governance of AI Services (Draft for Comment)".into()),
        issuer: "意见征集演示机关（虚构）".into(),
        issuer_en: Some("yijian Demonstration Authority (fictional)".into()),
        summary: "本征求意见稿为演示文本，围绕人工智能服务的分级分类监管、风险评估与预警、提供者和使用者的权利义务、监督管理和法律责任作出规定。欢迎逐条发表意见。".into(),
        summary_en: Some("A demonstration draft on tiered, category-based supervision of AI services, risk assessment and early warning, the rights and duties of providers and users, supervision and legal liability. Comment article by article.".into()),
        risk_tier: RiskTier::High,
        topics: vec!["生成式人工智能".into(), "分级分类".into(), "风险评估".into(), "个人信息保护".into()],
        is_demo: true,
        opens_at: now - Duration::days(DEMO_OPENED_DAYS_AGO),
        closes_at: now - Duration::days(DEMO_OPENED_DAYS_AGO) + Duration::days(DEMO_WINDOW_DAYS),
    };
    db::transaction(conn, |conn| {
        drafts::import_new_consultation(
            conn,
            DEMO_TEXT_ZH,
            "ai_safety_governance.txt",
            &meta,
            now,
        )?;
        drafts::import_translation(
            conn,
            DEMO_TEXT_EN,
            "ai_safety_governance.en.txt",
            DEMO_SLUG,
            now,
        )?;
        Ok(Seeded::Created)
    })
}

/// Why demonstration data could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The demo text could not be imported.
    #[error(transparent)]
    Import(#[from] ImportDraftError),
    /// There is no demo consultation (with a text) to comment on.
    #[error("the demo consultation '{DEMO_SLUG}' does not exist; run `yijian seed-demo` first")]
    NoDemo,
    /// The demo has no article with this number.
    #[error("the demo consultation has no article {0}")]
    NoArticle(i32),
    /// A generated organisation code failed its own check.
    #[error("generated organisation code {0} is invalid: {1}")]
    BadCode(String, UsccError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for SeedError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// On a database without any consultation, creates the demo with
/// [`comments::FIRST_START_COMMENTS`] generated comments; `None` when there was a consultation.
pub fn first_start(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<Option<comments::Report>, SeedError> {
    if db::consultations::count(conn)? > 0 {
        return Ok(None);
    }
    demo(conn, now)?;
    comments::generate(
        conn,
        comments::FIRST_START_COMMENTS,
        comments::Target::Everywhere,
        now,
        &mut |_| {},
    )
    .map(Some)
}
