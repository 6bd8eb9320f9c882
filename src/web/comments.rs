//! Posting comments and replies, endorsing, the receipt page and "this was not me".

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::accounts::FormErrors;
use super::errors::WebError;
use super::pages::{CommentQuery, article_page};
use super::session::{self, CurrentUser, Form};
use super::{AppState, ctx::Ctx, render};
use crate::comments::{self, CommentError, CommentInput, ReceiptView};
use crate::db;
use crate::validation::FieldError;

fn secure(state: &AppState) -> bool {
    state.config.base_url.scheme() == "https"
}

#[post("/c/{slug}/a/{number}/comments")]
async fn create(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32)>,
    Form(input): Form<CommentInput>,
) -> Result<HttpResponse, WebError> {
    let (slug, number) = path.into_inner();
    let rerender = |ctx, errors: Vec<FieldError>, input: CommentInput| {
        let state = state.clone();
        let slug = slug.clone();
        async move {
            let mut form_errors = FormErrors::default();
            errors.into_iter().for_each(|e| form_errors.push(e));
            let filter = CommentQuery::default().filter()?;
            let page = article_page(
                &state,
                ctx,
                slug,
                number,
                filter,
                Some((input, form_errors)),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    };
    let valid = match input.validate() {
        Ok(v) => v,
        Err(errors) => return rerender(ctx, errors, input).await,
    };
    let (organization, base_url, now) = (
        ctx.verified_org.clone(),
        state.config.base_url.clone(),
        state.now(),
    );
    let (post_slug, post_valid) = (slug.clone(), valid.clone());
    let result = db::run(&state.pool, move |conn| {
        Ok(comments::post(
            conn,
            &post_slug,
            Some(number),
            &post_valid,
            &user,
            organization,
            &base_url,
            now,
        ))
    })
    .await?;
    match result {
        Ok(posted) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/c/{slug}/a/{number}#c-{}", posted.tracking),
            ))
            .cookie(session::flash_cookie(
                "flash-comment-posted",
                secure(&state),
            ))
            .finish()),
        Err(CommentError::Duplicate(tracking)) => {
            let error = FieldError {
                field: "body",
                message: "comment-duplicate",
                args: vec![("tracking", tracking)],
            };
            rerender(ctx, vec![error], input).await
        }
        Err(e) => Err(comment_error(e)),
    }
}

/// Maps a comment operation's failure to the page the user sees.
pub fn comment_error(e: CommentError) -> WebError {
    match e {
        CommentError::NotFound => WebError::NotFound,
        CommentError::NotOpen(_) => WebError::Forbidden("error-not-open"),
        CommentError::Unverified => WebError::Forbidden("error-unverified"),
        CommentError::WrongThread => WebError::BadRequest("error-wrong-thread"),
        CommentError::Throttled(t) => WebError::Throttled(t.until),
        CommentError::Duplicate(_) => WebError::BadRequest("error-form-invalid"),
        CommentError::Db(d) => d.into(),
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
struct EmptyForm {}

#[post("/comments/{tracking}/endorse")]
async fn endorse(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    tracking: web::Path<String>,
    Form(_): Form<EmptyForm>,
) -> Result<HttpResponse, WebError> {
    let now = state.now();
    let raw = tracking.into_inner();
    let (tracking, _) = db::run(&state.pool, move |conn| {
        Ok(comments::toggle_endorsement(conn, &raw, &user, now))
    })
    .await?
    .map_err(comment_error)?;
    let target = comment_location(&state, tracking).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, target))
        .finish())
}

/// Where a comment is shown: its article page, anchored at it.
pub async fn comment_location(state: &AppState, tracking: String) -> Result<String, WebError> {
    let found = db::run(&state.pool, move |conn| comments::receipt(conn, &tracking))
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(match &found.article {
        Some((n, _)) => format!("/c/{}/a/{n}#c-{}", found.slug, found.comment.tracking),
        None => format!("/c/{}", found.slug),
    })
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    r: ReceiptView,
}

impl ReceiptPage {
    fn visibility_key(&self) -> &'static str {
        match self.r.comment.visibility {
            comments::Visibility::Named => "visibility-named",
            comments::Visibility::Anonymous => "visibility-anonymous",
            comments::Visibility::Drafters => "visibility-drafters",
        }
    }

    fn state_key(&self) -> &'static str {
        match self.r.comment.state {
            comments::CommentState::Published => "state-published",
            comments::CommentState::Pending => "state-pending",
            comments::CommentState::Hidden => "state-hidden",
        }
    }
}

#[get("/receipt/{tracking}")]
async fn receipt_page(
    state: web::Data<AppState>,
    ctx: Ctx,
    tracking: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let raw = tracking.into_inner();
    let r = db::run(&state.pool, move |conn| comments::receipt(conn, &raw))
        .await?
        .ok_or(WebError::NotFound)?;
    render(StatusCode::OK, &ReceiptPage { ctx, r })
}

#[derive(Template)]
#[template(path = "dispute.html")]
struct DisputePage {
    ctx: Ctx,
    token: String,
    done: Option<String>,
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

fn token_shape(token: &str) -> Result<(), WebError> {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(WebError::BadRequest("error-token-invalid"))
    }
}

/// The "this was not me" link opens a page with a button: mail scanners fetch links.
#[get("/dispute")]
async fn dispute_form(ctx: Ctx, query: web::Query<TokenForm>) -> Result<HttpResponse, WebError> {
    token_shape(&query.token)?;
    render(
        StatusCode::OK,
        &DisputePage {
            ctx,
            token: query.token.clone(),
            done: None,
        },
    )
}

#[post("/dispute")]
async fn dispute(
    state: web::Data<AppState>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Result<HttpResponse, WebError> {
    token_shape(&form.token)?;
    let now = state.now();
    let token = form.token.clone();
    let tracking = db::run(&state.pool, move |conn| {
        comments::dispute(conn, &token, now)
    })
    .await?
    .ok_or(WebError::BadRequest("error-token-invalid"))?;
    render(
        StatusCode::OK,
        &DisputePage {
            ctx,
            token: form.token,
            done: Some(tracking),
        },
    )
}

/// Registers the comment routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create)
        .service(endorse)
        .service(receipt_page)
        .service(dispute_form)
        .service(dispute);
}
