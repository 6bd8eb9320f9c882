//! Subscription pages: subscribe on a consultation or article page, confirm from the mail, the
//! signed-in user's list, and unsubscribing from a digest (a page, and RFC 8058's one-click POST).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::ctx::Ctx;
use super::errors::WebError;
use super::session::{self, ClientAddr, CurrentUser, Form};
use super::{AppState, render};
use crate::consultations::RiskTier;
use crate::db::{self, subscriptions::ListedRow};
use crate::subscriptions::{
    self as subs, Frequency, Links, Request, Subscribed, SubscriptionError,
};

fn links(state: &AppState) -> Links {
    Links {
        base_url: state.config.base_url.clone(),
        secret: state.secret.clone(),
    }
}

fn subscription_error(e: SubscriptionError) -> WebError {
    match e {
        SubscriptionError::InvalidEmail => WebError::BadRequest("error-subscribe-email"),
        SubscriptionError::InvalidToken => WebError::BadRequest("error-token-invalid"),
        SubscriptionError::NotFound => WebError::NotFound,
        SubscriptionError::Throttled(t) => WebError::Throttled(t.until),
        SubscriptionError::Db(d) => d.into(),
    }
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage {
    ctx: Ctx,
    title: String,
    /// The consultation; `None`: the form for new consultations.
    slug: Option<String>,
    sub_article: Option<i32>,
    back: String,
    tiers: [RiskTier; 3],
}

#[derive(Deserialize)]
struct ArticleQuery {
    article: Option<i32>,
}

/// The subscribe form on a page of its own, where anonymous readers are sent from the reading
/// pages (those may be served from a shared cache and so carry no CSRF token).
#[get("/c/{slug}/subscribe")]
async fn subscribe_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    query: web::Query<ArticleQuery>,
) -> Result<HttpResponse, WebError> {
    let (slug, article) = (slug.into_inner(), query.article);
    let target = db::run(&state.pool, move |conn| subs::target(conn, &slug, article))
        .await?
        .ok_or(WebError::NotFound)?;
    let Some(c) = &target.consultation else {
        return Err(WebError::NotFound);
    };
    let (key, back) = match &target.article {
        Some((_, n, _)) => ("subscribe-title-article", format!("/c/{}/a/{n}", c.slug)),
        None => ("subscribe-title", format!("/c/{}", c.slug)),
    };
    let title = format!(
        "{} · {}",
        ctx.t(key),
        subs::target_name(ctx.locale, &target)
    );
    render(
        StatusCode::OK,
        &SubscribePage {
            title,
            slug: Some(c.slug.clone()),
            sub_article: target.article.as_ref().map(|a| a.1),
            back,
            tiers: RiskTier::ALL,
            ctx,
        },
    )
}

/// The form for new consultations on a page of its own (see [`subscribe_form`]).
#[get("/subscribe")]
async fn subscribe_new_form(ctx: Ctx) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::OK,
        &SubscribePage {
            title: ctx.t("subscribe-new-title"),
            slug: None,
            sub_article: None,
            back: "/".into(),
            tiers: RiskTier::ALL,
            ctx,
        },
    )
}

/// What the subscribe form sends.
#[derive(Deserialize)]
struct SubscribeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    frequency: String,
    /// The article's number, when subscribing to one article.
    #[serde(default)]
    article: Option<String>,
}

#[post("/c/{slug}/subscribe")]
async fn subscribe(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    client: ClientAddr,
    Form(form): Form<SubscribeForm>,
) -> Result<HttpResponse, WebError> {
    let frequency = Frequency::parse(&form.frequency)
        .ok_or(WebError::BadRequest("error-subscribe-frequency"))?;
    let article = match form.article.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(
            a.parse::<i32>()
                .map_err(|_| WebError::BadRequest("error-form-invalid"))?,
        ),
    };
    if form.email.len() > crate::accounts::MAX_EMAIL_LEN {
        return Err(WebError::BadRequest("error-subscribe-email"));
    }
    let req = Request {
        email: form.email,
        frequency,
        locale: ctx.locale,
    };
    let (links, now, user) = (links(&state), state.now(), ctx.user.clone());
    let slug = slug.into_inner();
    let (back, outcome) = db::run(&state.pool, move |conn| {
        let Some(target) = subs::target(conn, &slug, article)? else {
            return Ok(None);
        };
        let back = match &target.article {
            Some((_, n, _)) => format!("/c/{slug}/a/{n}#subscribe"),
            None => format!("/c/{slug}#subscribe"),
        };
        let outcome = subs::subscribe(conn, &target, &req, user.as_ref(), &client.0, &links, now);
        Ok(Some((back, outcome)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    subscribed(&state, back, outcome)
}

fn subscribed(
    state: &AppState,
    back: String,
    outcome: Result<Subscribed, SubscriptionError>,
) -> Result<HttpResponse, WebError> {
    let flash = match outcome.map_err(subscription_error)? {
        Subscribed::ConfirmationSent => "flash-subscription-check-mail",
        Subscribed::Active => "flash-subscribed",
    };
    Ok(state.redirect_with_flash(back, flash))
}

/// What the form for new consultations sends.
#[derive(Deserialize)]
struct NewConsultationsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    tier: String,
}

/// Subscribes to new consultations, all or those of one topic tag or risk tier.
#[post("/subscribe")]
async fn subscribe_new(
    state: web::Data<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(form): Form<NewConsultationsForm>,
) -> Result<HttpResponse, WebError> {
    let frequency = Frequency::parse(&form.frequency)
        .ok_or(WebError::BadRequest("error-subscribe-frequency"))?;
    let tier = match form.tier.as_str() {
        "" => None,
        t => Some(RiskTier::parse(t).ok_or(WebError::BadRequest("error-bad-filter"))?),
    };
    let target = subs::Target::new_consultations(Some(&form.topic), tier)
        .ok_or(WebError::BadRequest("error-subscribe-topic"))?;
    if form.email.len() > crate::accounts::MAX_EMAIL_LEN {
        return Err(WebError::BadRequest("error-subscribe-email"));
    }
    let req = Request {
        email: form.email,
        frequency,
        locale: ctx.locale,
    };
    let (links, now, user) = (links(&state), state.now(), ctx.user.clone());
    let outcome = db::run(&state.pool, move |conn| {
        Ok(subs::subscribe(
            conn,
            &target,
            &req,
            user.as_ref(),
            &client.0,
            &links,
            now,
        ))
    })
    .await?;
    subscribed(&state, "/#subscribe".to_owned(), outcome)
}

#[derive(Template)]
#[template(path = "subscription_action.html")]
struct ActionPage {
    ctx: Ctx,
    title_key: &'static str,
    intro_key: &'static str,
    action: String,
    button_key: &'static str,
    token: Option<String>,
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

/// The link in the confirmation mail opens a page with a button: mail scanners fetch links, and
/// a GET must not change anything.
#[get("/subscriptions/confirm")]
async fn confirm_form(
    ctx: Ctx,
    query: web::Query<session::TokenQuery>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&query.token)?;
    render(
        StatusCode::OK,
        &ActionPage {
            ctx,
            title_key: "subscription-confirm-title",
            intro_key: "subscription-confirm-intro",
            action: "/subscriptions/confirm".into(),
            button_key: "subscription-confirm-button",
            token: Some(query.token.clone()),
        },
    )
}

#[post("/subscriptions/confirm")]
async fn confirm(
    state: web::Data<AppState>,
    Form(form): Form<TokenForm>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&form.token)?;
    let now = state.now();
    let next = db::run(&state.pool, move |conn| {
        Ok(subs::confirm(conn, &form.token, now))
    })
    .await?
    .map_err(subscription_error)?;
    Ok(state.redirect_with_flash(next, "flash-subscription-confirmed"))
}

/// The link in a digest's body: a page with a button, because mail scanners prefetch links.
#[get("/unsubscribe/{token}")]
async fn unsubscribe_form(ctx: Ctx, token: web::Path<String>) -> Result<HttpResponse, WebError> {
    session::check_token(&token)?;
    render(
        StatusCode::OK,
        &ActionPage {
            ctx,
            title_key: "unsubscribe-title",
            intro_key: "unsubscribe-intro",
            action: format!("/unsubscribe/{token}"),
            button_key: "unsubscribe-button",
            token: None,
        },
    )
}

/// Unsubscribes at once. This is both the page's button and the RFC 8058 one-click POST that
/// mail clients send from the `List-Unsubscribe` header. It takes no CSRF token: a mail client
/// posts without the site's cookies, and the unguessable token in the path is the authority (a
/// forged cross-site POST would need the token, and with it could unsubscribe anyway). Repeating
/// it is harmless, so an unknown or used token gets the same answer.
#[post("/unsubscribe/{token}")]
async fn unsubscribe(
    state: web::Data<AppState>,
    ctx: Ctx,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&token)?;
    let token = token.into_inner();
    db::run(&state.pool, move |conn| subs::unsubscribe(conn, &token)).await?;
    render(
        StatusCode::OK,
        &ActionPage {
            ctx,
            title_key: "unsubscribed-title",
            intro_key: "unsubscribed-intro",
            action: String::new(),
            button_key: "",
            token: None,
        },
    )
}

#[derive(Template)]
#[template(path = "subscriptions.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<ListedRow>,
}

impl ListPage {
    fn frequency_key(&self, s: &ListedRow) -> &'static str {
        match Frequency::parse(&s.frequency) {
            Some(Frequency::Weekly) => "subscribe-weekly",
            _ => "subscribe-daily",
        }
    }

    /// What the subscription follows, in the page's language.
    fn title(&self, s: &ListedRow) -> String {
        match (&s.title, &s.title_en, self.ctx.is_en()) {
            (Some(_), Some(en), true) if !en.is_empty() => en.clone(),
            (Some(zh), _, _) => zh.clone(),
            (None, _, _) => subs::new_consultations_name(
                self.ctx.locale,
                s.topic.as_deref(),
                s.risk_tier.as_deref().and_then(RiskTier::parse),
            ),
        }
    }
}

#[get("/subscriptions")]
async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, WebError> {
    let items = db::run(&state.pool, move |conn| subs::list(conn, &user)).await?;
    render(StatusCode::OK, &ListPage { ctx, items })
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
struct EmptyForm {}

#[post("/subscriptions/{id}/delete")]
async fn remove(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    id: web::Path<i32>,
    Form(_): Form<EmptyForm>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| Ok(subs::remove(conn, &user, id)))
        .await?
        .map_err(subscription_error)?;
    Ok(state.redirect_with_flash("/subscriptions", "flash-unsubscribed"))
}

/// Registers the subscription pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(subscribe_form)
        .service(subscribe)
        .service(subscribe_new_form)
        .service(subscribe_new)
        .service(confirm_form)
        .service(confirm)
        .service(unsubscribe_form)
        .service(unsubscribe)
        .service(list)
        .service(remove);
}
