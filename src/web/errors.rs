//! HTTP errors: one error type for handlers, and one localized page per status code.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use chrono::NaiveDateTime;

use super::ctx::Ctx;
use crate::db::DbError;

/// What can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The request is malformed; the key names the message shown.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The upload is larger than allowed; the key names the message shown.
    #[error("too large: {0}")]
    TooLarge(&'static str),
    /// Not allowed; the key names the message shown.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The page needs a signed-in user; the path is where to return after logging in.
    #[error("login required for {0}")]
    LoginRequired(String),
    /// Too many attempts; allowed again at this time (UTC).
    #[error("throttled until {0}")]
    Throttled(NaiveDateTime),
    /// The database cannot be reached.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the details go to the log, never to the page.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable(e.to_string())
        } else {
            Self::Internal(e.to_string())
        }
    }
}

/// What an error response tells the page renderer beyond its status.
#[derive(Clone, Copy, Debug)]
enum Detail {
    /// A message key.
    Key(&'static str),
    /// When to try again.
    RetryAt(NaiveDateTime),
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            Self::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            Self::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        if let Self::LoginRequired(back) = self {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", back)
                .finish();
            let target = format!("/login?{query}");
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .finish();
        }
        let mut resp = HttpResponse::new(self.status_code());
        match self {
            Self::BadRequest(key) | Self::Forbidden(key) | Self::TooLarge(key) => {
                resp.extensions_mut().insert(Detail::Key(key));
            }
            Self::Throttled(at) => {
                resp.extensions_mut().insert(Detail::RetryAt(*at));
            }
            _ => {}
        }
        resp
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    status: u16,
    title: String,
    message: String,
}

/// The body of an API error: programs read JSON, so `/api/` answers errors in JSON too.
#[derive(serde::Serialize)]
struct ApiError {
    status: u16,
    error: String,
    message: String,
}

/// Replaces the body of an error response that is not already a page with the localized page
/// for its status (a JSON object under `/api/`), so framework errors (unknown route, bad path,
/// a query that does not parse) read like ours.
pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let ctx = Ctx::of(res.request());
    let (title_key, default_message_key) = match status.as_u16() {
        400 => ("error-400-title", "error-400-message"),
        403 => ("error-403-title", "error-403-message"),
        404 => ("error-404-title", "error-404-message"),
        405 => ("error-405-title", "error-405-message"),
        413 => ("error-413-title", "error-413-message"),
        429 => ("error-429-title", "error-429-message"),
        503 => ("error-503-title", "error-503-message"),
        s if s >= 500 => ("error-500-title", "error-500-message"),
        _ => ("error-400-title", "error-400-message"),
    };
    let detail = res.response().extensions().get::<Detail>().copied();
    let message = match detail {
        Some(Detail::Key(key)) => ctx.t(key),
        Some(Detail::RetryAt(at)) => ctx.retry_message(&at),
        None => ctx.t(default_message_key),
    };
    let title = ctx.t(title_key);
    let (content_type, body) = if res.request().path().starts_with("/api/") {
        let error = ApiError {
            status: status.as_u16(),
            error: title,
            message,
        };
        let body = serde_json::to_string(&error).unwrap_or_else(|_| status.to_string());
        ("application/json; charset=utf-8", body)
    } else {
        let page = ErrorPage {
            title,
            message,
            status: status.as_u16(),
            ctx,
        };
        let body = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "error page failed to render");
            status.to_string()
        });
        ("text/html; charset=utf-8", body)
    };
    let (req, res) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    let res = builder
        .content_type(content_type)
        .body(body)
        .map_into_right_body();
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(
        req, res,
    )))
}
