//! Reporting comments, the moderators' queue and the public moderation log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::accounts::FormErrors;
use super::comments::{comment_error, comment_location};
use super::errors::WebError;
use super::session::{CurrentUser, Form};
use super::{AppState, ctx::Ctx, render};
use crate::accounts::User;
use crate::comments::CommentState;
use crate::comments::moderation::{self, Decision, LogEntry, QueueItem};
use crate::consultations::Consultation;
use crate::db;
use crate::roles::Role;

/// What the report form sends.
#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    reason: String,
}

#[post("/comments/{tracking}/report")]
async fn report(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    tracking: web::Path<String>,
    Form(form): Form<ReportForm>,
) -> Result<HttpResponse, WebError> {
    let reason = moderation::parse_reason(&form.reason)
        .map_err(|_| WebError::BadRequest("report-reason-invalid"))?;
    let (raw, now) = (tracking.into_inner(), state.now());
    let reported = db::run(&state.pool, move |conn| {
        Ok(moderation::report(conn, &raw, &user, &reason, now))
    })
    .await?
    .map_err(comment_error)?;
    let target = comment_location(&state, reported.tracking).await?;
    let flash = if reported.held {
        "flash-reported-held"
    } else {
        "flash-reported"
    };
    Ok(state.redirect_with_flash(target, flash))
}

/// Loads consultation `slug` and checks that `user` moderates it (site administrators pass too).
async fn moderated(state: &AppState, slug: String, user: &User) -> Result<Consultation, WebError> {
    super::session::consultation_in_role(state, slug, user, Role::Moderator, "error-moderator-only")
        .await
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    ctx: Ctx,
    c: Consultation,
    items: Vec<QueueItem>,
    errors: FormErrors,
    failed: Option<String>,
}

impl QueuePage {
    fn failed_on(&self, tracking: &str) -> bool {
        self.failed.as_deref() == Some(tracking)
    }

    /// The decision failed on a comment that is not in the queue, so has no form of its own.
    fn failed_unlisted(&self) -> bool {
        self.failed
            .as_deref()
            .is_some_and(|t| !self.items.iter().any(|i| i.comment.tracking == t))
    }

    fn state_key(&self, state: &CommentState) -> &'static str {
        match state {
            CommentState::Published => "state-published",
            CommentState::Pending => "state-pending",
            CommentState::Hidden => "state-hidden",
        }
    }
}

async fn queue_page(
    state: &AppState,
    ctx: Ctx,
    c: Consultation,
    errors: FormErrors,
    failed: Option<String>,
) -> Result<QueuePage, WebError> {
    let id = c.id;
    let items = db::run(&state.pool, move |conn| moderation::queue(conn, id)).await?;
    Ok(QueuePage {
        ctx,
        c,
        items,
        errors,
        failed,
    })
}

#[get("/c/{slug}/moderation")]
async fn queue(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let c = moderated(&state, slug.into_inner(), &user).await?;
    render(
        StatusCode::OK,
        &queue_page(&state, ctx, c, FormErrors::default(), None).await?,
    )
}

/// What a moderation form sends.
#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

#[post("/c/{slug}/moderation/{tracking}")]
async fn decide(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<HttpResponse, WebError> {
    let (slug, tracking) = path.into_inner();
    let c = moderated(&state, slug, &user).await?;
    let decision = match form.decision.as_str() {
        "hide" => match moderation::parse_reason(&form.reason) {
            Ok(reason) => Decision::Hide(reason),
            Err(e) => {
                let mut errors = FormErrors::default();
                errors.push(e);
                return render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &queue_page(&state, ctx, c, errors, Some(tracking)).await?,
                );
            }
        },
        "dismiss" => Decision::Dismiss,
        _ => return Err(WebError::BadRequest("error-form-invalid")),
    };
    let (id, now, slug) = (c.id, state.now(), c.slug.clone());
    db::run(&state.pool, move |conn| {
        Ok(moderation::decide(
            conn, id, &tracking, &user, &decision, now,
        ))
    })
    .await?
    .map_err(comment_error)?;
    Ok(state.redirect_with_flash(format!("/c/{slug}/moderation"), "flash-moderated"))
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage {
    ctx: Ctx,
    c: Consultation,
    entries: Vec<LogEntry>,
}

impl LogPage {
    fn action_key(&self, action: &str) -> &'static str {
        match action {
            "hold" => "modlog-hold",
            "hide" => "modlog-hide",
            _ => "modlog-dismiss",
        }
    }
}

#[get("/c/{slug}/moderation-log")]
async fn public_log(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let slug = slug.into_inner();
    let (c, entries) = db::run(&state.pool, move |conn| {
        let Some(c) = db::consultations::by_slug(conn, &slug)? else {
            return Ok(None);
        };
        let entries = moderation::public_log(conn, c.id)?;
        Ok(Some((c, entries)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    render(StatusCode::OK, &LogPage { ctx, c, entries })
}

/// Registers the moderation routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(report)
        .service(queue)
        .service(decide)
        .service(public_log);
}
