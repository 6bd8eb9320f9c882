//! Posting comments and replies, endorsing, the receipt page and "this was not me".

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::accounts::FormErrors;
use super::errors::WebError;
use super::pages::{CommentQuery, article_page, consultation_page, division_page};
use super::session::{self, CurrentUser, Form};
use super::{AppState, ctx::Ctx, render};
use crate::accounts::User;
use crate::comments::attachments::{self, AttachmentError, Stored, Upload};
use crate::comments::{self, CommentError, CommentInput, ReceiptView, Target, ValidComment};
use crate::db;
use crate::roles::{self, Role};
use crate::validation::FieldError;

/// Reads a comment form sent urlencoded or, with attachments, as multipart; files are stored as
/// they stream in and refused as soon as they break a limit.
async fn read_submission(
    req: &HttpRequest,
    payload: web::Payload,
    dir: &std::path::Path,
) -> Result<(CommentInput, Vec<Stored>), WebError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let bytes = payload
            .to_bytes_limited(session::MAX_FORM_BYTES)
            .await
            .map_err(|_| WebError::BadRequest("error-form-too-large"))?
            .map_err(|_| WebError::BadRequest("error-form-invalid"))?;
        return Ok((session::decode_form(req, &bytes)?, Vec::new()));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut text_bytes = 0usize;
    let mut files = Vec::new();
    let mut csrf_checked = false;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| WebError::BadRequest("error-form-invalid"))?;
        let name = field.name().unwrap_or_default().to_owned();
        // The token comes first in the form, so nothing is stored for a forged request.
        if !csrf_checked && name != "csrf" {
            return Err(WebError::Forbidden("error-csrf"));
        }
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        match (name.as_str(), file_name) {
            ("attachments", Some(file_name)) => {
                let mut upload: Option<Upload> = None;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| WebError::BadRequest("error-form-invalid"))?;
                    if chunk.is_empty() {
                        continue;
                    }
                    if upload.is_none() {
                        if files.len() >= attachments::MAX_FILES {
                            return Err(attachment_error(AttachmentError::TooMany));
                        }
                        upload = Some(Upload::start(dir).await.map_err(attachment_error)?);
                    }
                    if let Some(u) = upload.as_mut()
                        && let Err(e) = u.write(&chunk).await
                    {
                        if let Some(u) = upload.take() {
                            u.discard().await;
                        }
                        return Err(attachment_error(e));
                    }
                }
                // A file input left empty sends a part with no bytes.
                if let Some(u) = upload {
                    files.push(u.finish(&file_name).await.map_err(attachment_error)?);
                }
            }
            _ => {
                let mut value = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| WebError::BadRequest("error-form-invalid"))?;
                    text_bytes += chunk.len();
                    if text_bytes > session::MAX_FORM_BYTES {
                        return Err(WebError::BadRequest("error-form-too-large"));
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value)
                    .map_err(|_| WebError::BadRequest("error-form-encoding"))?;
                if name == "csrf" {
                    session::check_csrf(req, &value)?;
                    csrf_checked = true;
                } else {
                    fields.push((name, value));
                }
            }
        }
    }
    if !csrf_checked {
        return Err(WebError::Forbidden("error-csrf"));
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = CommentInput {
        stance: get("stance"),
        body: get("body"),
        proposed_text: get("proposed_text"),
        visibility: get("visibility"),
        reply_to: get("reply_to"),
    };
    Ok((input, files))
}

fn attachment_error(e: AttachmentError) -> WebError {
    match e {
        AttachmentError::TooLarge => WebError::TooLarge("attachment-too-large"),
        AttachmentError::TooMany => WebError::BadRequest("attachment-too-many"),
        AttachmentError::BadType => WebError::BadRequest("attachment-bad-type"),
        AttachmentError::Io(e) => WebError::Internal(e.to_string()),
    }
}

/// Posts a comment as `user` and wakes the sequencer that chains it into the public record.
async fn post_comment(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    target: Target,
    valid: ValidComment,
    files: Vec<Stored>,
    user: User,
) -> Result<Result<comments::Posted, CommentError>, WebError> {
    let (organization, base_url, now) = (
        ctx.verified_org.clone(),
        state.config.base_url.clone(),
        state.now(),
    );
    let result = db::run(&state.pool, move |conn| {
        Ok(comments::post(
            conn,
            &slug,
            target,
            &valid,
            &files,
            &user,
            organization,
            &base_url,
            now,
        ))
    })
    .await?;
    if result.is_ok() {
        state.ledger.wake();
    }
    Ok(result)
}

#[post("/c/{slug}/a/{number}/comments")]
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, WebError> {
    let (input, files) = read_submission(&req, payload, &state.config.attachments_dir).await?;
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
            if let Some(refused) = page.access().refusal() {
                return Err(refused);
            }
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    };
    let valid = match input.validate() {
        Ok(v) => v,
        Err(errors) => return rerender(ctx, errors, input).await,
    };
    let result = post_comment(
        &state,
        &ctx,
        slug.clone(),
        Target::Article(number),
        valid.clone(),
        files,
        user,
    )
    .await?;
    match result {
        Ok(posted) => Ok(state.redirect_with_flash(
            format!("/c/{slug}/a/{number}#c-{}", posted.tracking),
            "flash-comment-posted",
        )),
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

/// A comment on the draft as a whole, posted from the consultation's front page.
#[post("/c/{slug}/comments")]
async fn create_general(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    Form(input): Form<CommentInput>,
) -> Result<HttpResponse, WebError> {
    create_on_part(state, ctx, user, slug.into_inner(), Target::Draft, input).await
}

/// A comment on a chapter or section as a whole, posted from its page.
#[post("/c/{slug}/d/{position}/comments")]
async fn create_on_division(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32)>,
    Form(input): Form<CommentInput>,
) -> Result<HttpResponse, WebError> {
    let (slug, position) = path.into_inner();
    create_on_part(state, ctx, user, slug, Target::Division(position), input).await
}

/// Posts a comment (no proposed text, no reply, no files) on the draft or one of its divisions.
async fn create_on_part(
    state: web::Data<AppState>,
    ctx: Ctx,
    user: crate::accounts::User,
    slug: String,
    target: Target,
    input: CommentInput,
) -> Result<HttpResponse, WebError> {
    let input = CommentInput {
        proposed_text: String::new(),
        reply_to: String::new(),
        ..input
    };
    let rerender = |ctx, form: (CommentInput, FormErrors)| {
        let state = state.clone();
        let slug = slug.clone();
        async move {
            match target {
                Target::Division(p) => {
                    let page = division_page(&state, ctx, slug, p, Some(form)).await?;
                    if let Some(refused) = page.access().refusal() {
                        return Err(refused);
                    }
                    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                _ => {
                    let page = consultation_page(&state, ctx, slug, Some(form)).await?;
                    if let Some(refused) = page.access().refusal() {
                        return Err(refused);
                    }
                    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
            }
        }
    };
    let valid = match input.validate() {
        Ok(v) => v,
        Err(errors) => {
            let mut form_errors = FormErrors::default();
            errors.into_iter().for_each(|e| form_errors.push(e));
            return rerender(ctx, (input, form_errors)).await;
        }
    };
    let result = post_comment(&state, &ctx, slug.clone(), target, valid, Vec::new(), user).await?;
    match result {
        Ok(posted) => {
            let page = match target {
                Target::Division(p) => format!("/c/{slug}/d/{p}"),
                _ => format!("/c/{slug}"),
            };
            Ok(state.redirect_with_flash(
                format!("{page}#c-{}", posted.tracking),
                "flash-comment-posted",
            ))
        }
        Err(CommentError::Duplicate(tracking)) => {
            let mut form_errors = FormErrors::default();
            form_errors.push(FieldError {
                field: "body",
                message: "comment-duplicate",
                args: vec![("tracking", tracking)],
            });
            rerender(ctx, (input, form_errors)).await
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
    Ok(match (&found.article, &found.division) {
        (Some((n, _)), _) => format!("/c/{}/a/{n}#c-{}", found.slug, found.comment.tracking),
        (None, Some((p, _))) => format!("/c/{}/d/{p}#c-{}", found.slug, found.comment.tracking),
        (None, None) => format!("/c/{}#c-{}", found.slug, found.comment.tracking),
    })
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    r: ReceiptView,
    /// (version, article number) of the changes the comment led to.
    led: crate::versions::links::LedTo,
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
    let (r, led) = db::run(&state.pool, move |conn| {
        let Some(r) = comments::receipt(conn, &raw)? else {
            return Ok(None);
        };
        let id = r.comment.id;
        let led = crate::versions::links::changes_led_by(conn, &[id])?
            .remove(&id)
            .unwrap_or_default();
        Ok(Some((r, led)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    render(StatusCode::OK, &ReceiptPage { ctx, r, led })
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

/// The "this was not me" link opens a page with a button: mail scanners fetch links.
#[get("/dispute")]
async fn dispute_form(ctx: Ctx, query: web::Query<TokenForm>) -> Result<HttpResponse, WebError> {
    session::check_token(&query.token)?;
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
    session::check_token(&form.token)?;
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

/// Serves an attachment as a download: never rendered by the browser, whatever it contains.
#[get("/attachments/{id}")]
async fn attachment(
    state: web::Data<AppState>,
    ctx: Ctx,
    id: web::Path<i32>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    let viewer = ctx.user.clone();
    let found = db::run(&state.pool, move |conn| {
        let Some((file, comment)) = db::attachments::with_comment(conn, id)? else {
            return Ok(None);
        };
        let readable = comment.state == comments::CommentState::Published.as_str()
            && (comment.visibility != comments::Visibility::Drafters.as_str()
                || match &viewer {
                    Some(u) => roles::holds(conn, comment.consultation_id, u.id, Role::Drafter)?,
                    None => false,
                });
        Ok(readable.then_some(file))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let path = attachments::path_of(&state.config.attachments_dir, &found.sha256);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| WebError::Internal(format!("{}: {e}", path.display())))?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        found
            .file_name
            .replace(|c: char| !c.is_ascii() || c == '\\', "_"),
        url::form_urlencoded::byte_serialize(found.file_name.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    );
    Ok(HttpResponse::Ok()
        .content_type(found.content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(bytes))
}

/// Registers the comment routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create)
        .service(create_general)
        .service(create_on_division)
        .service(endorse)
        .service(receipt_page)
        .service(dispute_form)
        .service(dispute)
        .service(attachment);
}
