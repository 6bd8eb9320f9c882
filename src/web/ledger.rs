//! The public record: the `.jsonl` download of a consultation's log and the signing key's page.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, web};
use askama::Template;
use futures_util::stream;

use super::errors::WebError;
use super::{AppState, ctx::Ctx, render};
use crate::db::{self, DbPool};
use crate::ledger;

/// Entries read per query while streaming a log: a national consultation's log does not fit in
/// one response buffer.
const PAGE: i64 = 5000;

/// The next page of the log after `after`: (text, last seq), or `None` at the end.
async fn page(
    pool: &DbPool,
    consultation_id: i32,
    slug: String,
    after: i64,
) -> Result<Option<(String, i64)>, db::DbError> {
    db::run(pool, move |conn| {
        ledger::export_page(conn, consultation_id, &slug, after, PAGE)
    })
    .await
}

#[get("/c/{slug}/ledger.jsonl")]
async fn download(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let slug = slug.into_inner();
    let find = slug.clone();
    let consultation = db::run(&state.pool, move |conn| {
        Ok(db::consultations::by_slug(conn, &find)?)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    // The first page is read before answering, so a database failure is an error page; a later
    // one aborts the transfer, which a client sees as an incomplete download, never a short log.
    let first = page(&state.pool, consultation.id, slug.clone(), 0).await?;
    let pool = state.pool.clone();
    let id = consultation.id;
    let name = slug.clone();
    let body = stream::unfold(Some(first), move |next| {
        let (pool, slug) = (pool.clone(), name.clone());
        async move {
            let (text, last) = next??;
            let following = page(&pool, id, slug, last).await;
            let item = match following {
                Ok(p) => (Ok(web::Bytes::from(text)), Some(p)),
                Err(e) => {
                    tracing::warn!(error = %e, "ledger download aborted");
                    (Err(actix_web::error::ErrorServiceUnavailable(e)), None)
                }
            };
            Some(item)
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{slug}-ledger.jsonl\""),
        ))
        .streaming(body))
}

#[derive(Template)]
#[template(path = "ledger_key.html")]
struct KeyPage {
    ctx: Ctx,
    key: String,
}

#[get("/ledger-key")]
async fn key_page(state: web::Data<AppState>, ctx: Ctx) -> Result<HttpResponse, WebError> {
    let key = db::run(&state.pool, ledger::public_key_hex).await?;
    render(StatusCode::OK, &KeyPage { ctx, key })
}

/// Registers the ledger routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(download).service(key_page);
}
