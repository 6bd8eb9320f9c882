//! `GET /healthz`: whether this instance can reach its database.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};

use super::AppState;
use crate::db;

#[get("/healthz")]
async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match db::ping(&state.pool, Duration::from_secs(2)).await {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unavailable\n")
        }
    }
}

/// Registers the health check.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz);
}
