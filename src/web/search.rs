//! The search page: the words of a query found in every consultation's current text.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use fluent_templates::fluent_bundle::FluentValue;
use serde::Deserialize;

use super::ctx::Ctx;
use super::errors::WebError;
use super::{AppState, render};
use crate::db;
use crate::search::{self, MAX_HITS, MAX_QUERY_CHARS, QueryError, SearchQuery, SearchResults};

/// What the search form sends.
#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    /// The query as typed, shown again in the form.
    q: String,
    /// Why the query cannot be searched.
    error: Option<String>,
    /// What the query found; `None` before a query.
    results: Option<SearchResults>,
    max_chars: usize,
}

impl SearchPage {
    fn new(ctx: Ctx, q: String) -> Self {
        Self {
            ctx,
            q,
            error: None,
            results: None,
            max_chars: MAX_QUERY_CHARS,
        }
    }
}

#[get("/search")]
async fn search_page(
    state: web::Data<AppState>,
    ctx: Ctx,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, WebError> {
    let q = params.into_inner().q.unwrap_or_default();
    if q.trim().is_empty() {
        return render(StatusCode::OK, &SearchPage::new(ctx, String::new()));
    }
    if q.chars().any(char::is_control) {
        // Shown back without them: a NUL or an escape sequence has no place in a page.
        let mut page = SearchPage::new(ctx, q.chars().filter(|c| !c.is_control()).collect());
        page.error = Some(page.ctx.t("text-control-chars"));
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let query = match SearchQuery::parse(&q) {
        Ok(query) => query,
        Err(e) => {
            let message = match e {
                QueryError::TooLong => ctx.locale.t_args(
                    "search-too-long",
                    &[("max", FluentValue::from(MAX_QUERY_CHARS))],
                ),
                QueryError::NothingToSearch => ctx.t("search-nothing"),
            };
            let mut page = SearchPage::new(ctx, q);
            page.error = Some(message);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let locale = ctx.locale;
    let results = db::run(&state.pool, move |conn| {
        search::search(conn, &query, locale, MAX_HITS)
    })
    .await?;
    let mut page = SearchPage::new(ctx, q);
    page.results = Some(results);
    render(StatusCode::OK, &page)
}

/// Registers the search page.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(search_page);
}
