//! The HTTP edge: routes, extractors, error pages and the middleware around them.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod assets;
pub mod campaigns;
pub mod comments;
pub mod ctx;
pub mod drafter;
pub mod errors;
pub mod exports;
pub mod health;
pub mod ledger;
pub mod moderation;
pub mod organizations;
pub mod page_cache;
pub mod pages;
pub mod search;
pub mod session;
pub mod subscriptions;
pub mod versions;

use std::net::TcpListener;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{App, HttpMessage, HttpResponse, HttpServer, web};
use askama::Template;
use chrono::NaiveDateTime;

use crate::config::{Config, SecretKey};
use crate::db::DbPool;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Database connections.
    pub pool: DbPool,
    /// Settings.
    pub config: Config,
    /// The key that signs tokens and cookies.
    pub secret: SecretKey,
    /// Reading pages kept for anonymous readers.
    pub pages: page_cache::PageCache,
    /// Wakes the sequencer that chains posted comments into the public record.
    pub ledger: crate::ledger::scheduler::Wake,
}

impl AppState {
    /// Whether cookies must be marked Secure: the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.config.base_url.scheme() == "https"
    }

    /// A 303 redirect to `location` that shows the message `flash` on the next page.
    pub fn redirect_with_flash(
        &self,
        location: impl Into<String>,
        flash: &'static str,
    ) -> HttpResponse {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location.into()))
            .cookie(session::flash_cookie(flash, self.secure_cookies()))
            .finish()
    }

    /// The current time in UTC, as stored.
    pub fn now(&self) -> NaiveDateTime {
        chrono::Utc::now().naive_utc()
    }
}

/// Renders `page` as an HTML response with `status` (422 for a form with errors, for instance).
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, errors::WebError> {
    let body = page
        .render()
        .map_err(|e| errors::WebError::Internal(e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A fixed extra route, used by the benchmark to serve a static body beside the real pages.
#[derive(Clone)]
pub struct FixedRoute {
    /// Path it answers.
    pub path: &'static str,
    /// Body it returns.
    pub body: web::Bytes,
}

/// Starts the HTTP server on `listener` with `workers` worker threads (0: one per core).
pub fn serve(
    listener: TcpListener,
    state: AppState,
    workers: usize,
    fixed: Option<FixedRoute>,
) -> std::io::Result<Server> {
    let secure_cookies = state.secure_cookies();
    let pages = state.pages.clone();
    // Handlers reach the database on each worker's blocking pool, where a task beyond the pool's
    // connections only waits for one: more threads than connections would add their stacks and
    // allocator arenas (tens of MiB under 256 connections) and nothing else.
    let blocking_threads = usize::try_from(state.pool.max_size()).unwrap_or(16);
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        let fixed = fixed.clone();
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(session::MAX_FORM_BYTES))
            .app_data(
                actix_multipart::form::MultipartFormConfig::default()
                    .total_limit(7 * 1024 * 1024)
                    .memory_limit(7 * 1024 * 1024),
            )
            .configure(pages::routes)
            .configure(search::routes)
            .configure(accounts::routes)
            .configure(comments::routes)
            .configure(moderation::routes)
            .configure(ledger::routes)
            .configure(campaigns::routes)
            .configure(drafter::routes)
            .configure(versions::routes)
            .configure(exports::routes)
            .configure(api::routes)
            .configure(organizations::routes)
            .configure(subscriptions::routes)
            .configure(admin::routes)
            .configure(health::routes)
            .configure(assets::routes)
            .configure(move |cfg| {
                if let Some(f) = fixed {
                    let body = f.body;
                    cfg.route(
                        f.path,
                        web::get().to(move || {
                            let body = body.clone();
                            async move {
                                HttpResponse::Ok()
                                    .content_type("text/html; charset=utf-8")
                                    .body(body)
                            }
                        }),
                    );
                }
            })
            .wrap(
                ErrorHandlers::new()
                    .default_handler_client(errors::render_error_page)
                    .default_handler_server(errors::render_error_page),
            )
            .wrap(actix_web::middleware::from_fn(session::middleware))
            .wrap(
                DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    .add((header::REFERRER_POLICY, "same-origin"))
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                    ))
                    .add((header::VARY, "Accept-Language, Cookie"))
                    .add((header::CACHE_CONTROL, "private, no-cache")),
            )
            .wrap_fn(move |req, srv| {
                let (locale, chosen) = ctx::resolve_locale(&req);
                req.extensions_mut().insert(locale);
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if chosen {
                        res.response_mut()
                            .add_cookie(&ctx::lang_cookie(locale, secure_cookies))
                            .map_err(actix_web::error::ErrorInternalServerError)?;
                    }
                    Ok(res)
                }
            })
            .wrap_fn({
                let pages = pages.clone();
                move |req, srv| {
                    let changes = req.method() == actix_web::http::Method::POST;
                    let fut = srv.call(req);
                    let pages = pages.clone();
                    async move {
                        let res = fut.await?;
                        // Whatever a POST changed shows on the next read from this instance.
                        if changes
                            && !res.status().is_client_error()
                            && !res.status().is_server_error()
                        {
                            pages.clear();
                        }
                        Ok(res)
                    }
                }
            })
            .wrap_fn(|req, srv| {
                let start = Instant::now();
                let method = req.method().clone();
                let path = req.path().to_owned();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    tracing::info!(
                        method = %method,
                        path = %path,
                        status = res.status().as_u16(),
                        ms = format_args!("{:.1}", start.elapsed().as_secs_f64() * 1000.0),
                        "request"
                    );
                    Ok(res)
                }
            })
    })
    .worker_max_blocking_threads(blocking_threads)
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
