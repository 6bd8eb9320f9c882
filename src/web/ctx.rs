//! Per-request context every page carries: the language and the path used by the language switch.

use std::future::{Ready, ready};

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use fluent_templates::fluent_bundle::FluentValue;

use chrono::NaiveDateTime;

use super::session;
use crate::accounts::{FieldError, StakeholderType, User};
use crate::comments::Stance;
use crate::consultations::{Consultation, RiskTier, Status};
use crate::i18n::Locale;
use crate::roles::Role;

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// What templates need from the request.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The language of the page.
    pub locale: Locale,
    /// The request path and query without `lang`, for the language switch.
    path: String,
    /// The signed-in user.
    pub user: Option<User>,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// A one-time message from the previous request, already translated.
    pub flash: Option<String>,
    /// The verified organisation the signed-in user speaks for.
    pub verified_org: Option<String>,
}

impl Ctx {
    /// Builds the context of `req`, using the locale the middleware resolved.
    pub fn of(req: &HttpRequest) -> Self {
        let locale = req
            .extensions()
            .get::<Locale>()
            .copied()
            .unwrap_or_default();
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .filter(|(k, _)| k != "lang")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let path = if query.is_empty() {
            req.path().to_owned()
        } else {
            let q = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish();
            format!("{}?{q}", req.path())
        };
        let session = session::of(req);
        Self {
            locale,
            path,
            user: session.user,
            csrf: session.csrf,
            flash: session.flash.map(|key| locale.t(&key)),
            verified_org: session.verified_org,
        }
    }

    /// The path (with query) of this page, for links that come back to it.
    pub fn here(&self) -> &str {
        &self.path
    }

    /// "Try again after …" for a lock-out ending at `at` (UTC).
    pub fn retry_message(&self, at: &NaiveDateTime) -> String {
        self.locale.t_args(
            "throttled-until",
            &[("time", FluentValue::from(self.locale.datetime(at)))],
        )
    }

    /// The message of a form field error.
    pub fn error(&self, e: &FieldError) -> String {
        let args: Vec<(&'static str, FluentValue<'static>)> = e
            .args
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.clone())))
            .collect();
        self.locale.t_args(e.message, &args)
    }

    /// A file size for people: KB below a megabyte, MB above.
    pub fn size(&self, bytes: &i64) -> String {
        if *bytes < 1024 * 1024 {
            format!("{} KB", (bytes + 1023) / 1024)
        } else {
            format!("{:.1} MB", *bytes as f64 / (1024.0 * 1024.0))
        }
    }

    /// The name of a stance.
    pub fn stance(&self, s: &Stance) -> String {
        self.t(&format!("stance-{}", s.as_str()))
    }

    /// "Page 2 of 7".
    pub fn t_page(&self, page: &i64, pages: &i64) -> String {
        self.locale.t_args(
            "page-of",
            &[
                ("page", FluentValue::from(*page)),
                ("pages", FluentValue::from(*pages)),
            ],
        )
    }

    /// The name of a per-consultation role.
    pub fn role(&self, r: &Role) -> String {
        self.t(match r {
            Role::Drafter => "role-drafter",
            Role::Moderator => "role-moderator",
        })
    }

    /// The name of a stakeholder type.
    pub fn stakeholder(&self, t: &StakeholderType) -> String {
        self.t(&format!("stakeholder-{}", t.as_str().replace('_', "-")))
    }

    /// The text for `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    /// The text for `key` with one count `n`, given by value or by reference.
    pub fn tn(&self, key: &str, n: impl std::borrow::Borrow<usize>) -> String {
        self.locale
            .t_args(key, &[("n", FluentValue::from(*n.borrow()))])
    }

    /// A consultation's title in the page's language.
    pub fn title<'a>(&self, c: &'a Consultation) -> &'a str {
        c.title_in(self.locale)
    }

    /// A consultation's issuing body in the page's language.
    pub fn issuer<'a>(&self, c: &'a Consultation) -> &'a str {
        c.issuer_in(self.locale)
    }

    /// A consultation's summary in the page's language.
    pub fn summary<'a>(&self, c: &'a Consultation) -> &'a str {
        c.summary_in(self.locale)
    }

    /// The `<html lang>` value.
    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }

    /// True when the page is in English.
    pub fn is_en(&self) -> bool {
        self.locale == Locale::En
    }

    /// The link that shows this page in the other language.
    pub fn switch_href(&self) -> String {
        let sep = if self.path.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={}", self.path, self.locale.other().tag())
    }

    /// The other language's tag.
    pub fn switch_lang(&self) -> &'static str {
        self.locale.other().tag()
    }

    /// The name of the other language, written in that language.
    pub fn switch_label(&self) -> &'static str {
        match self.locale.other() {
            Locale::ZhCn => "中文",
            Locale::En => "English",
        }
    }

    /// A UTC time as shown to readers.
    pub fn datetime(&self, t: &NaiveDateTime) -> String {
        self.locale.datetime(t)
    }

    /// The name of a consultation status.
    pub fn status(&self, s: &Status) -> String {
        self.t(match s {
            Status::Upcoming => "status-upcoming",
            Status::Open => "status-open",
            Status::Closed => "status-closed",
            Status::Concluded => "status-concluded",
        })
    }

    /// The name of a risk tier.
    pub fn tier(&self, t: &RiskTier) -> String {
        self.t(match t {
            RiskTier::Low => "tier-low",
            RiskTier::Medium => "tier-medium",
            RiskTier::High => "tier-high",
        })
    }

    /// A comment window, from its first moment to its last day.
    pub fn window(&self, opens_at: &NaiveDateTime, closes_at: &NaiveDateTime) -> String {
        self.locale.t_args(
            "window-range",
            &[
                ("from", FluentValue::from(self.locale.datetime(opens_at))),
                ("to", FluentValue::from(self.locale.datetime(closes_at))),
            ],
        )
    }

    /// A UTC time's date as shown to readers.
    pub fn date(&self, t: &NaiveDateTime) -> String {
        self.locale.date(t)
    }
}

impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

/// Decides the request's language: `?lang=` first, then the cookie, then `Accept-Language`.
/// Returns the locale and whether `?lang=` chose it (so the response should remember it).
pub fn resolve_locale(req: &ServiceRequest) -> (Locale, bool) {
    let from_query = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Locale::from_tag(&v));
    if let Some(l) = from_query {
        return (l, true);
    }
    let from_cookie = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Locale::from_tag(c.value()));
    let from_header = || {
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Locale::negotiate)
    };
    (from_cookie.or_else(from_header).unwrap_or_default(), false)
}

/// The cookie that remembers `locale` for a year.
pub fn lang_cookie(locale: Locale, secure: bool) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, locale.tag())
        .path("/")
        .max_age(CookieDuration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(secure)
        .finish()
}
