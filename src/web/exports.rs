//! The drafters' exports: every comment of a consultation as a CSV, JSON or XLSX download, streamed.

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

/// Bytes gathered before a piece of an XLSX file is sent.
const XLSX_PIECE: usize = 64 * 1024;

/// A writer that sends what it is given down the response channel in pieces.
struct ChannelWriter {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(XLSX_PIECE),
        ));
        self.tx
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= XLSX_PIECE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Writes the XLSX export down `tx`.
fn produce_xlsx(pool: crate::db::DbPool, consultation_id: i32, tx: mpsc::Sender<Chunk>) {
    let mut out = ChannelWriter {
        tx: tx.clone(),
        buf: Vec::with_capacity(XLSX_PIECE),
    };
    let written = pool
        .get()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            exports::write_xlsx(&mut conn, consultation_id, PAGE_SIZE, &mut out)
                .map_err(|e| e.to_string())
        })
        .and_then(|()| std::io::Write::flush(&mut out).map_err(|e| e.to_string()));
    if let Err(e) = written {
        tracing::error!(error = %e, "export failed");
        let _ = tx.blocking_send(Err(std::io::Error::other(e)));
    }
}

/// The kinds of file a drafter can download.
#[derive(Clone, Copy)]
enum Download {
    /// Encoded page by page.
    Text(Format),
    /// An Excel workbook.
    Xlsx,
}

async fn export(
    state: &AppState,
    user: &crate::accounts::User,
    slug: String,
    download: Download,
) -> Result<HttpResponse, WebError> {
    let c = drafted(state, slug, user).await?;
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL_PAGES);
    let (pool, id) = (state.pool.clone(), c.id);
    tokio::task::spawn_blocking(move || match download {
        Download::Text(format) => produce(pool, id, format, tx),
        Download::Xlsx => produce_xlsx(pool, id, tx),
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let (content_type, ext) = match download {
        Download::Text(Format::Csv) => ("text/csv; charset=utf-8", "csv"),
        Download::Text(Format::Json) => ("application/json; charset=utf-8", "json"),
        Download::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
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

/// One route for every format, chosen by the file extension: `.csv`, `.json` or `.xlsx`.
#[get("/c/{slug}/export.{ext}")]
async fn export_comments(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (slug, ext) = path.into_inner();
    let download = match ext.as_str() {
        "csv" => Download::Text(Format::Csv),
        "json" => Download::Text(Format::Json),
        "xlsx" => Download::Xlsx,
        _ => return Err(WebError::NotFound),
    };
    export(&state, &user, slug, download).await
}

/// Registers the export routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(export_comments);
}
