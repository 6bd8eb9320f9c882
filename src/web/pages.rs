//! The public reading pages: the list of consultations, a consultation, an article, the full text.

use actix_web::{get, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::AppState;
use super::ctx::Ctx;
use super::errors::WebError;
use crate::consultations::{Consultation, ListFilter, RiskTier, Status};
use crate::db;
use crate::drafts::{Article, Section};
use crate::reading::{self, ArticleView, Overview};

/// What the list's filter form sends.
#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    tier: Option<String>,
}

impl ListQuery {
    /// Parses the filter; an empty value means "any".
    fn filter(&self) -> Result<ListFilter, WebError> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Status::parse(s).ok_or(WebError::BadRequest("error-bad-filter"))?),
        };
        let tier = match self.tier.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(RiskTier::parse(s).ok_or(WebError::BadRequest("error-bad-filter"))?),
        };
        Ok(ListFilter { status, tier })
    }
}

/// A consultation with its status at the time of the request.
struct Listed {
    c: Consultation,
    status: Status,
}

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct IndexPage {
    ctx: Ctx,
    items: Vec<Listed>,
    filter: ListFilter,
    statuses: [Status; 3],
    tiers: [RiskTier; 3],
}

impl IndexPage {
    fn status_selected(&self, s: &Status) -> bool {
        self.filter.status == Some(*s)
    }

    fn tier_selected(&self, t: &RiskTier) -> bool {
        self.filter.tier == Some(*t)
    }
}

#[get("/")]
async fn index(
    state: web::Data<AppState>,
    ctx: Ctx,
    query: web::Query<ListQuery>,
) -> Result<IndexPage, WebError> {
    let filter = query.filter()?;
    let now = state.now();
    let list = db::run(&state.pool, move |conn| reading::list(conn, filter, now)).await?;
    let items = list
        .into_iter()
        .map(|c| Listed {
            status: c.status(now),
            c,
        })
        .collect();
    Ok(IndexPage {
        ctx,
        items,
        filter,
        statuses: Status::ALL,
        tiers: RiskTier::ALL,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "consultation.html")]
struct ConsultationPage {
    ctx: Ctx,
    o: Overview,
    status: Status,
}

#[get("/c/{slug}")]
async fn consultation(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<ConsultationPage, WebError> {
    let locale = ctx.locale;
    let o = db::run(&state.pool, move |conn| {
        reading::overview(conn, &slug, locale)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = o.shown.consultation.status(state.now());
    Ok(ConsultationPage { ctx, o, status })
}

#[derive(Template, WebTemplate)]
#[template(path = "article.html")]
struct ArticlePage {
    ctx: Ctx,
    v: ArticleView,
    status: Status,
}

impl ArticlePage {
    fn comments_key(&self) -> &'static str {
        match self.status {
            Status::Upcoming => "comments-upcoming",
            Status::Open => "comments-open",
            Status::Closed => "comments-closed",
        }
    }
}

#[get("/c/{slug}/a/{number}")]
async fn article(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32)>,
) -> Result<ArticlePage, WebError> {
    let (slug, number) = path.into_inner();
    let locale = ctx.locale;
    let v = db::run(&state.pool, move |conn| {
        reading::article(conn, &slug, number, locale)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = v.shown.consultation.status(state.now());
    Ok(ArticlePage { ctx, v, status })
}

#[derive(Template, WebTemplate)]
#[template(path = "text.html")]
struct TextPage {
    ctx: Ctx,
    t: reading::FullText,
    status: Status,
}

impl TextPage {
    /// Heading level of an article: one below its division's heading.
    fn article_level(&self, s: &Section<Article>) -> usize {
        if s.heading.is_some() {
            (s.depth + 3).min(6)
        } else {
            2
        }
    }
}

#[get("/c/{slug}/text")]
async fn full_text(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<TextPage, WebError> {
    let locale = ctx.locale;
    let t = db::run(&state.pool, move |conn| {
        reading::full_text(conn, &slug, locale)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = t.shown.consultation.status(state.now());
    Ok(TextPage { ctx, t, status })
}

/// Registers the reading pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(consultation)
        .service(article)
        .service(full_text);
}
