//! Who is asking: the session cookie, the CSRF token, flash messages, and the extractors built on them.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::AppState;
use super::errors::WebError;
use crate::accounts::{self, User};
use crate::db;
use crate::organizations::{self, OrgStatus};

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "yj_session";
/// The cookie holding the CSRF token that every form must echo.
pub const CSRF_COOKIE: &str = "yj_csrf";
/// The cookie carrying a one-time message to the next page.
pub const FLASH_COOKIE: &str = "yj_flash";
/// Largest form body accepted, in bytes.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// What the session middleware learned about the request.
#[derive(Clone, Debug, Default)]
pub struct RequestSession {
    /// The signed-in user.
    pub user: Option<User>,
    /// The session cookie's value, when it names a live session.
    pub token: Option<String>,
    /// The CSRF token forms must carry.
    pub csrf: String,
    /// The i18n key of a one-time message.
    pub flash: Option<String>,
    /// The name of the verified organisation the user speaks for.
    pub verified_org: Option<String>,
    /// The session cookie could not be checked because the database did not answer.
    pub lookup_failed: bool,
}

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Refuses a link token that cannot be one of ours (64 hex digits) before any lookup.
pub fn check_token(token: &str) -> Result<(), WebError> {
    if is_token(token) {
        Ok(())
    } else {
        Err(WebError::BadRequest("error-token-invalid"))
    }
}

fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Option<CookieDuration>,
) -> Cookie<'static> {
    let mut c = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    if let Some(age) = max_age {
        c.set_max_age(age);
    }
    c
}

/// The session cookie for `token`.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    cookie(
        SESSION_COOKIE,
        token,
        secure,
        Some(CookieDuration::days(accounts::SESSION_DAYS)),
    )
}

/// A cookie that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> Cookie<'static> {
    cookie(
        SESSION_COOKIE,
        String::new(),
        secure,
        Some(CookieDuration::ZERO),
    )
}

/// A cookie that shows the message `key` on the next page.
pub fn flash_cookie(key: &'static str, secure: bool) -> Cookie<'static> {
    cookie(
        FLASH_COOKIE,
        key.to_owned(),
        secure,
        Some(CookieDuration::minutes(5)),
    )
}

/// Resolves the session and CSRF token before the handler runs, and keeps the cookies in step.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let secure = state
        .as_ref()
        .is_some_and(|s| s.config.base_url.scheme() == "https");
    let session_token = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| is_token(v));
    let existing_csrf = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| is_token(v));
    // Only keys of our own flash messages are shown; anything else in the cookie is ignored.
    let flash = req
        .cookie(FLASH_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| {
            v.starts_with("flash-")
                && v.len() < 64
                && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        });
    let had_flash = req.cookie(FLASH_COOKIE).is_some();

    let mut user = None;
    let mut verified_org = None;
    let mut lookup_failed = false;
    if let (Some(state), Some(token)) = (&state, &session_token) {
        let token = token.clone();
        let now = state.now();
        let found = db::run(&state.pool, move |conn| {
            let Some(user) = accounts::session_user(conn, &token, now)? else {
                return Ok((None, None));
            };
            let org = match user.organization_id {
                Some(id) => {
                    organizations::get(conn, id)?.filter(|o| o.status == OrgStatus::Verified)
                }
                None => None,
            };
            Ok((Some(user), org.map(|o| o.name)))
        })
        .await;
        match found {
            Ok((u, org)) => (user, verified_org) = (u, org),
            Err(e) => {
                tracing::warn!(error = %e, "session lookup failed");
                lookup_failed = true;
            }
        }
    }
    let new_csrf = existing_csrf
        .is_none()
        .then(|| accounts::Token::generate().plain);
    let csrf = existing_csrf
        .or_else(|| new_csrf.clone())
        .unwrap_or_default();
    // A session that could not be checked is not known to be stale: keep its cookie.
    let stale_session = session_token.is_some() && user.is_none() && !lookup_failed;
    req.extensions_mut().insert(RequestSession {
        token: if user.is_some() { session_token } else { None },
        user,
        csrf,
        flash,
        verified_org,
        lookup_failed,
    });

    let mut res = next.call(req).await?;
    let sets =
        |res: &ServiceResponse<_>, name: &str| res.response().cookies().any(|c| c.name() == name);
    if let Some(token) = new_csrf {
        res.response_mut()
            .add_cookie(&cookie(CSRF_COOKIE, token, secure, None))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    if had_flash && !sets(&res, FLASH_COOKIE) {
        res.response_mut()
            .add_cookie(&cookie(
                FLASH_COOKIE,
                String::new(),
                secure,
                Some(CookieDuration::ZERO),
            ))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    if stale_session && !sets(&res, SESSION_COOKIE) {
        res.response_mut()
            .add_cookie(&clear_session_cookie(secure))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(res)
}

/// The session of a request (empty when the middleware did not run).
pub fn of(req: &HttpRequest) -> RequestSession {
    req.extensions()
        .get::<RequestSession>()
        .cloned()
        .unwrap_or_default()
}

/// A signed-in user; anonymous visitors are sent to the log-in page and brought back after.
pub struct CurrentUser(pub User);

impl FromRequest for CurrentUser {
    type Error = WebError;
    type Future = Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = of(req);
        ready(match session.user {
            Some(u) => Ok(Self(u)),
            // Sending a signed-in person to the log-in page would lose what they were doing.
            None if session.lookup_failed => Err(WebError::Unavailable(
                "the session could not be checked".into(),
            )),
            None => Err(WebError::LoginRequired(login_return_path(req))),
        })
    }
}

/// The path (and query) to come back to after logging in; only ever a local path.
fn login_return_path(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        match req.uri().path_and_query() {
            Some(pq) => pq.as_str().to_owned(),
            None => "/".to_owned(),
        }
    } else {
        req.headers()
            .get(actix_web::http::header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|| "/".to_owned())
    }
}

/// The client's address, for throttling. The peer address: a deployment behind a proxy would
/// configure the proxy to limit per client, since forwarded headers can be forged.
pub struct ClientAddr(pub String);

impl FromRequest for ClientAddr {
    type Error = WebError;
    type Future = Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        )))
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// A urlencoded form whose `csrf` field matches the CSRF cookie; anything else is refused with
/// 403 before the handler runs, so nothing changes.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let bytes = body
                .await
                .map_err(|_| WebError::BadRequest("error-form-too-large"))?;
            decode_form(&req, &bytes).map(Form)
        })
    }
}

/// Decodes a urlencoded body after checking its CSRF token and its encoding.
pub fn decode_form<T: DeserializeOwned>(req: &HttpRequest, bytes: &[u8]) -> Result<T, WebError> {
    if bytes.len() > MAX_FORM_BYTES {
        return Err(WebError::BadRequest("error-form-too-large"));
    }
    let field: CsrfField = serde_urlencoded::from_bytes(bytes)
        .map_err(|_| WebError::BadRequest("error-form-invalid"))?;
    check_csrf(req, &field.csrf.unwrap_or_default())?;
    // Percent-encoded bytes that are not UTF-8 would silently become U+FFFD; refuse them.
    if url::form_urlencoded::parse(bytes)
        .any(|(k, v)| k.contains('\u{fffd}') || v.contains('\u{fffd}'))
    {
        return Err(WebError::BadRequest("error-form-encoding"));
    }
    serde_urlencoded::from_bytes(bytes).map_err(|_| WebError::BadRequest("error-form-invalid"))
}

/// Refuses a request whose form token (sent in a multipart body) does not match the cookie.
pub fn check_csrf(req: &HttpRequest, given: &str) -> Result<(), WebError> {
    let expected = of(req).csrf;
    if expected.is_empty() || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(WebError::Forbidden("error-csrf"));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The query string of a mailed link: its token.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    /// The token, checked with [`check_token`].
    #[serde(default)]
    pub token: String,
}

/// Loads consultation `slug` and checks that `user` holds `role` in it (site administrators pass
/// too); `refusal` is the message of the 403 page otherwise.
pub async fn consultation_in_role(
    state: &AppState,
    slug: String,
    user: &User,
    role: crate::roles::Role,
    refusal: &'static str,
) -> Result<crate::consultations::Consultation, WebError> {
    let (user_id, is_admin) = (user.id, user.is_admin);
    let (consultation, allowed) = db::run(&state.pool, move |conn| {
        let Some(c) = db::consultations::by_slug(conn, &slug)? else {
            return Ok((None, false));
        };
        let allowed = is_admin || crate::roles::holds(conn, c.id, user_id, role)?;
        Ok((Some(c), allowed))
    })
    .await?;
    let consultation = consultation.ok_or(WebError::NotFound)?;
    if allowed {
        Ok(consultation)
    } else {
        Err(WebError::Forbidden(refusal))
    }
}
