//! Revised versions: a drafter uploads the revised text, reviews the proposed matching of
//! its articles to the current version's, and publishes it.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as UploadBytes;
use actix_multipart::form::text::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::errors::WebError;
use super::session::{self, CurrentUser};
use super::{AppState, ctx::Ctx, render};
use crate::consultations::Consultation;
use crate::db;
use crate::drafts::Article;
use crate::roles::Role;
use crate::versions::{self, Change, Proposal, VersionChanges, VersionError};

/// Loads consultation `slug` for one of its drafters (or an administrator).
async fn drafted(
    state: &AppState,
    slug: String,
    user: &crate::accounts::User,
) -> Result<Consultation, WebError> {
    session::consultation_in_role(state, slug, user, Role::Drafter, "error-drafter-only").await
}

/// One row of the proposed matching as the review page shows it.
struct Row {
    old_label: Option<String>,
    new_label: Option<String>,
    change: &'static str,
    percent: u32,
}

fn rows(p: &Proposal) -> Vec<Row> {
    p.pairs
        .iter()
        .map(|pair| Row {
            old_label: pair.old.map(|i| p.old[i].head.label.clone()),
            new_label: pair.new.map(|j| p.draft.articles[j].label.clone()),
            change: pair.change.as_str(),
            percent: (pair.similarity * 100.0).round() as u32,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "version_new.html")]
struct NewVersionPage {
    ctx: Ctx,
    consultation: Consultation,
    /// The next version's number.
    number: i32,
    /// The text as uploaded, carried to the publishing form.
    draft_text: String,
    /// The proposed matching, once a text was uploaded.
    rows: Option<Vec<Row>>,
    /// Why the text was refused.
    error: Option<String>,
}

impl NewVersionPage {
    fn change_label(&self, change: &str) -> String {
        self.ctx.t(&format!("version-change-{change}"))
    }
}

async fn next_number(state: &AppState, c: &Consultation) -> Result<i32, WebError> {
    let current = c.current_version_id;
    let version = db::run(&state.pool, move |conn| match current {
        Some(id) => Ok(db::drafts::version(conn, id)?),
        None => Ok(None),
    })
    .await?;
    Ok(version.map_or(1, |v| v.number + 1))
}

#[get("/c/{slug}/versions/new")]
async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let consultation = drafted(&state, slug.into_inner(), &user).await?;
    let number = next_number(&state, &consultation).await?;
    render(
        StatusCode::OK,
        &NewVersionPage {
            ctx,
            consultation,
            number,
            draft_text: String::new(),
            rows: None,
            error: None,
        },
    )
}

/// The upload: a file or pasted text; `publish` is set by the review page's button.
#[derive(MultipartForm)]
struct Upload {
    csrf: Text<String>,
    #[multipart(limit = "6MiB")]
    draft_text: Option<Text<String>>,
    #[multipart(limit = "6MiB")]
    draft: Option<UploadBytes>,
    publish: Option<Text<String>>,
}

#[post("/c/{slug}/versions/new")]
async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    MultipartForm(form): MultipartForm<Upload>,
) -> Result<HttpResponse, WebError> {
    session::check_csrf(&req, &form.csrf)?;
    let consultation = drafted(&state, slug.into_inner(), &user).await?;
    let publishing = form.publish.is_some_and(|p| !p.is_empty());
    let pasted = form.draft_text.map(Text::into_inner).unwrap_or_default();
    let (bytes, file_name) = match form.draft.filter(|f| !f.data.is_empty()) {
        Some(f) => (
            f.data.to_vec(),
            f.file_name.unwrap_or_else(|| "draft.txt".into()),
        ),
        None => (pasted.into_bytes(), "pasted text".to_owned()),
    };
    if bytes.is_empty() {
        return Err(WebError::BadRequest("draft-missing"));
    }
    let (now, c) = (state.now(), consultation.clone());
    let data = bytes.clone();
    let result = db::run(&state.pool, move |conn| {
        Ok(if publishing {
            versions::publish(conn, &c, &data, &file_name, now).map(|_| None)
        } else {
            versions::propose(conn, &c, &data, &file_name).map(Some)
        })
    })
    .await?;
    let number = next_number(&state, &consultation).await?;
    let page = |ctx, rows, error| NewVersionPage {
        ctx,
        consultation: consultation.clone(),
        number,
        // The importer accepts only UTF-8, so a text that parsed converts without loss.
        draft_text: String::from_utf8_lossy(&bytes).into_owned(),
        rows,
        error,
    };
    match result {
        Ok(None) => Ok(state.redirect_with_flash(
            format!("/c/{}", consultation.slug),
            "flash-version-published",
        )),
        Ok(Some(proposal)) => render(StatusCode::OK, &page(ctx, Some(rows(&proposal)), None)),
        Err(VersionError::Db(e)) => Err(e.into()),
        Err(e @ (VersionError::Unchanged | VersionError::Concurrent)) => {
            let message = ctx.t(match e {
                VersionError::Concurrent => "version-concurrent",
                _ => "version-unchanged",
            });
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(ctx, None, Some(message)),
            )
        }
        Err(e) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(ctx, None, Some(e.to_string())),
        ),
    }
}

async fn public(state: &AppState, slug: String) -> Result<Consultation, WebError> {
    db::run(&state.pool, move |conn| {
        Ok(db::consultations::by_slug(conn, &slug)?)
    })
    .await?
    .ok_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "version_history.html")]
struct HistoryPage {
    ctx: Ctx,
    consultation: Consultation,
    versions: Vec<(i32, String, NaiveDateTime)>,
}

#[get("/c/{slug}/versions")]
async fn history(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let consultation = public(&state, slug.into_inner()).await?;
    let id = consultation.id;
    let versions = db::run(&state.pool, move |conn| versions::history(conn, id)).await?;
    render(
        StatusCode::OK,
        &HistoryPage {
            ctx,
            consultation,
            versions,
        },
    )
}

#[derive(Template)]
#[template(path = "version_changes.html")]
struct ChangesPage {
    ctx: Ctx,
    consultation: Consultation,
    changes: VersionChanges,
}

impl ChangesPage {
    fn change_label(&self, change: &Change) -> String {
        self.ctx.t(&format!("version-change-{}", change.as_str()))
    }
}

#[get("/c/{slug}/versions/{number}/changes")]
async fn changes(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, WebError> {
    let (slug, number) = path.into_inner();
    let consultation = public(&state, slug).await?;
    let id = consultation.id;
    let changes = db::run(&state.pool, move |conn| versions::changes(conn, id, number))
        .await?
        .ok_or(WebError::NotFound)?;
    render(
        StatusCode::OK,
        &ChangesPage {
            ctx,
            consultation,
            changes,
        },
    )
}

#[derive(Template)]
#[template(path = "version_article.html")]
struct OldArticlePage {
    ctx: Ctx,
    consultation: Consultation,
    number: i32,
    article: Article,
}

#[get("/c/{slug}/v/{version}/a/{number}")]
async fn old_article(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32, i32)>,
) -> Result<HttpResponse, WebError> {
    let (slug, number, article) = path.into_inner();
    let consultation = public(&state, slug).await?;
    let id = consultation.id;
    let article = db::run(&state.pool, move |conn| {
        versions::version_articles(conn, id, number)
    })
    .await?
    .and_then(|list| list.into_iter().find(|a| a.head.number == article))
    .ok_or(WebError::NotFound)?;
    render(
        StatusCode::OK,
        &OldArticlePage {
            ctx,
            consultation,
            number,
            article,
        },
    )
}

/// Registers the revised-version routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(new_form)
        .service(upload)
        .service(history)
        .service(changes)
        .service(old_article);
}
