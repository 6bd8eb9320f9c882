//! The public, read-only JSON API: consultations, their articles, public comments and responses.
//! It carries only what the public pages show: no e-mail addresses, no drafters-only or hidden
//! text, and no author on anonymous comments.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::errors::WebError;
use crate::consultations::{Consultation, ListFilter};
use crate::db;
use crate::exports::{self, API_MAX_LIMIT, PublicComment, iso};

/// The API's description, OpenAPI 3.1.
const OPENAPI: &str = include_str!("../../static/openapi.json");

/// The most consultations the list returns.
const MAX_CONSULTATIONS: i64 = 500;

/// A consultation as the API shows it.
#[derive(Serialize)]
struct PublicConsultation {
    slug: String,
    title: String,
    title_en: Option<String>,
    issuer: String,
    issuer_en: Option<String>,
    summary: String,
    summary_en: Option<String>,
    risk_tier: &'static str,
    topics: Vec<String>,
    status: &'static str,
    opens_at: String,
    closes_at: String,
    concluded_at: Option<String>,
}

impl PublicConsultation {
    fn new(c: Consultation, now: chrono::NaiveDateTime) -> Self {
        Self {
            status: c.status(now).as_str(),
            risk_tier: c.risk_tier.as_str(),
            opens_at: iso(c.opens_at),
            closes_at: iso(c.closes_at),
            concluded_at: c.concluded_at.map(iso),
            slug: c.slug,
            title: c.title,
            title_en: c.title_en,
            issuer: c.issuer,
            issuer_en: c.issuer_en,
            summary: c.summary,
            summary_en: c.summary_en,
            topics: c.topics,
        }
    }
}

/// An article of the current draft.
#[derive(Serialize)]
struct PublicArticle {
    number: i32,
    label: String,
    body: String,
}

/// One page of comments and the cursor of the next.
#[derive(Serialize)]
struct CommentPage {
    comments: Vec<PublicComment>,
    /// Pass as `after` for the next page; `None` on the last.
    next_after: Option<i32>,
}

/// The comments' cursor.
#[derive(Deserialize)]
struct PageQuery {
    after: Option<i32>,
    limit: Option<i64>,
}

fn json(body: &impl Serialize) -> Result<HttpResponse, WebError> {
    let body = serde_json::to_string(body).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(body))
}

async fn consultation(state: &AppState, slug: String) -> Result<Consultation, WebError> {
    db::run(&state.pool, move |conn| {
        Ok(db::consultations::by_slug(conn, &slug)?)
    })
    .await?
    .ok_or(WebError::NotFound)
}

#[get("/api/v1/consultations")]
async fn list(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let now = state.now();
    let all = db::run(&state.pool, move |conn| {
        Ok(db::consultations::list(
            conn,
            ListFilter::default(),
            now,
            MAX_CONSULTATIONS,
        )?)
    })
    .await?;
    let all: Vec<PublicConsultation> = all
        .into_iter()
        .map(|c| PublicConsultation::new(c, now))
        .collect();
    json(&all)
}

#[get("/api/v1/consultations/{slug}")]
async fn show(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let c = consultation(&state, slug.into_inner()).await?;
    json(&PublicConsultation::new(c, state.now()))
}

#[get("/api/v1/consultations/{slug}/articles")]
async fn articles(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let c = consultation(&state, slug.into_inner()).await?;
    let articles = match c.current_version_id {
        Some(version) => {
            db::run(&state.pool, move |conn| {
                Ok(db::drafts::articles(conn, version)?)
            })
            .await?
        }
        None => Vec::new(),
    };
    let articles: Vec<PublicArticle> = articles
        .into_iter()
        .map(|a| PublicArticle {
            number: a.head.number,
            label: a.head.label,
            body: a.body,
        })
        .collect();
    json(&articles)
}

#[get("/api/v1/consultations/{slug}/comments")]
async fn comments(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    let bad = WebError::BadRequest("error-bad-filter");
    let limit = query.limit.unwrap_or(50);
    let after = query.after.unwrap_or(0);
    if !(1..=API_MAX_LIMIT).contains(&limit) || after < 0 {
        return Err(bad);
    }
    let c = consultation(&state, slug.into_inner()).await?;
    let comments = db::run(&state.pool, move |conn| {
        exports::public_comments(conn, c.id, after, limit)
    })
    .await?;
    let next_after = match comments.last() {
        Some(last) if comments.len() as i64 == limit => Some(last.id),
        _ => None,
    };
    json(&CommentPage {
        comments,
        next_after,
    })
}

#[get("/api/v1/consultations/{slug}/responses")]
async fn responses(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let c = consultation(&state, slug.into_inner()).await?;
    let responses = db::run(&state.pool, move |conn| {
        exports::public_responses(conn, c.id)
    })
    .await?;
    json(&responses)
}

#[get("/api/v1/openapi.json")]
async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(OPENAPI)
}

/// Registers the API routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(show)
        .service(articles)
        .service(comments)
        .service(responses)
        .service(openapi);
}
