//! The demo consultation: an original sample AI governance draft, imported by the same importer
//! drafters use.

use chrono::{Duration, NaiveDateTime};

use crate::consultations::{RiskTier, Slug};
use crate::db::{self, DbConnection};
use crate::drafts::{self, ImportDraftError, NewConsultation};

/// The demo consultation's slug.
pub const DEMO_SLUG: &str = "ai-service-safety";

const DEMO_TEXT_ZH: &[u8] = include_bytes!("seed/ai_safety_governance.txt");
const DEMO_TEXT_EN: &[u8] = include_bytes!("seed/ai_safety_governance.en.txt");

/// How long the demo accepts comments from first start.
pub const DEMO_WINDOW_DAYS: i64 = 30;

/// Whether seeding created the demo or found it there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The demo was created now.
    Created,
    /// It existed already; nothing changed.
    AlreadyThere,
}

/// Creates the demo consultation, open for [`DEMO_WINDOW_DAYS`] from `now`, unless it exists.
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
        opens_at: now,
        closes_at: now + Duration::days(DEMO_WINDOW_DAYS),
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
