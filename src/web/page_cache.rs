//! Reading pages as anonymous readers get them, kept for a moment: a national consultation's
//! article page is read far more often than it changes, and rendering it with its comments costs
//! several queries and most of the request's time.
//!
//! Only pages for readers without a session and without a one-time message are kept, so no entry
//! holds anything personal (no CSRF token, no name, no endorsement state). An entry is served for at
//! most [`FRESH_FOR`]; a successful POST to this instance drops every entry at once, so a writer's
//! change shows on the next read here, and a change made through another instance shows within
//! [`FRESH_FOR`].

use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use actix_web::web::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::ctx::Ctx;
use super::errors::WebError;
use crate::i18n::Locale;

/// How long a page is served from memory.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Memory for kept pages, in bytes of HTML.
const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

type Key = (Locale, String);

#[derive(Clone)]
struct Entry {
    at: Instant,
    body: Bytes,
}

#[derive(Clone)]
struct BySize;

impl Weighter<Key, Entry> for BySize {
    fn weight(&self, key: &Key, entry: &Entry) -> u64 {
        (key.1.len() + entry.body.len()) as u64
    }
}

/// The pages kept by this instance.
#[derive(Clone)]
pub struct PageCache {
    pages: std::sync::Arc<Cache<Key, Entry, BySize>>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self {
            pages: std::sync::Arc::new(Cache::with_weighter(1024, CAPACITY_BYTES, BySize)),
        }
    }
}

impl PageCache {
    /// The key of the page `ctx` asks for, when it may be shared: an anonymous reader with no
    /// one-time message.
    pub fn key(ctx: &Ctx) -> Option<(Locale, String)> {
        (ctx.user.is_none() && ctx.flash.is_none()).then(|| (ctx.locale, ctx.here().to_owned()))
    }

    /// The kept page for `key`, while fresh.
    pub fn get(&self, key: &Option<(Locale, String)>) -> Option<HttpResponse> {
        let entry = self.pages.get(key.as_ref()?)?;
        (entry.at.elapsed() < FRESH_FOR).then(|| html(entry.body))
    }

    /// Renders `page`, keeps it for `key` (when there is one) and answers with it.
    pub fn put(
        &self,
        key: Option<(Locale, String)>,
        page: &impl askama::Template,
    ) -> Result<HttpResponse, WebError> {
        let body = Bytes::from(
            page.render()
                .map_err(|e| WebError::Internal(e.to_string()))?,
        );
        if let Some(key) = key {
            self.pages.insert(
                key,
                Entry {
                    at: Instant::now(),
                    body: body.clone(),
                },
            );
        }
        Ok(html(body))
    }

    /// Drops every kept page, after a change.
    pub fn clear(&self) {
        self.pages.clear();
    }
}

fn html(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}
