//! Static assets, compiled into the binary so it runs from any directory.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

const STYLE_CSS: &str = include_str!("../../static/style.css");

#[get("/static/style.css")]
async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLE_CSS)
}

/// Registers the asset routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(style);
}
