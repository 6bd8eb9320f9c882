//! The drafters' exports: every comment of a consultation as a CSV or JSON download, streamed.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use tokio::sync::mpsc;

use super::AppState;
use super::drafter::drafted;
use super::errors::WebError;
use super::session::CurrentUser;
use crate::exports::{self, Encoder, Format, PAGE_SIZE};

/// Encoded pages waiting for the client: the producer runs at most this far ahead of the socket.
const CHANNEL_PAGES: usize = 2;

type Chunk = Result<Bytes, std::io::Error>;

/// Reads the export on a blocking thread and sends its pieces down `tx` until done, failed or
/// the client has gone.
fn produce(pool: crate::db::DbPool, consultation_id: i32, format: Format, tx: mpsc::Sender<Chunk>) {
    let send = |bytes: Vec<u8>| tx.blocking_send(Ok(Bytes::from(bytes))).is_ok();
    let fail = |e: String| {
        tracing::error!(error = %e, "export failed");
        // The client sees a cut-off download rather than a file that looks complete.
        let _ = tx.blocking_send(Err(std::io::Error::other(e)));
    };
    let mut conn = match pool.get() {
        Ok(c) => c,
        Err(e) => return fail(e.to_string()),
    };
    let mut encoder = Encoder::new(format);
    match encoder.start() {
        Ok(bytes) => {
            if !send(bytes) {
                return;
            }
        }
        Err(e) => return fail(e.to_string()),
    }
    let mut encode_error = None;
    let read = exports::each_page(
        &mut conn,
        consultation_id,
        PAGE_SIZE,
        |records| match encoder.page(&records) {
            Ok(bytes) => send(bytes),
            Err(e) => {
                encode_error = Some(e.to_string());
                false
            }
        },
    );
    if let Err(e) = read {
        return fail(e.to_string());
    }
    if let Some(e) = encode_error {
        return fail(e);
    }
    send(encoder.finish());
}

async fn export(
    state: &AppState,
    user: &crate::accounts::User,
    slug: String,
    format: Format,
) -> Result<HttpResponse, WebError> {
    let c = drafted(state, slug, user).await?;
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL_PAGES);
    let (pool, id) = (state.pool.clone(), c.id);
    tokio::task::spawn_blocking(move || produce(pool, id, format, tx));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let (content_type, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json; charset=utf-8", "json"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-comments.{ext}\"", c.slug),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

#[get("/c/{slug}/export.csv")]
async fn export_csv(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    export(&state, &user, slug.into_inner(), Format::Csv).await
}

#[get("/c/{slug}/export.json")]
async fn export_json(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    export(&state, &user, slug.into_inner(), Format::Json).await
}

/// Registers the export routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(export_csv).service(export_json);
}
