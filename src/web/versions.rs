//! Revised versions: a drafter uploads the revised text, reviews the proposed matching of
//! its articles to the current version's, and publishes it.

use super::session::Form;
use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as UploadBytes;
use actix_multipart::form::text::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::errors::WebError;
use super::session::{self, CurrentUser};
use super::{AppState, ctx::Ctx, render};
use crate::comments::view::{self as comment_view, ArticleComments, Filter};
use crate::consultations::Consultation;
use crate::db;
use crate::drafts::Article;
use crate::responses::{self, Response};
use crate::roles::Role;
use crate::versions::links::{self, Candidates, LedTo, LinkError, LinkInput, Motivation};
use crate::versions::{self, Change, InCurrent, Proposal, SideRow, VersionChanges, VersionError};

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
    /// The number of the old article it continues, as the drafter may correct it.
    continues: Option<i32>,
    change: &'static str,
    percent: u32,
}

fn rows(p: &Proposal) -> Vec<Row> {
    p.pairs
        .iter()
        .map(|pair| Row {
            old_label: pair.old.map(|i| p.old[i].head.label.clone()),
            new_label: pair.new.map(|j| p.draft.articles[j].label.clone()),
            continues: pair
                .old
                .filter(|_| pair.new.is_some())
                .map(|i| p.old[i].head.number),
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
    /// (number, label) of the current version's articles, which the corrections name.
    old_articles: Vec<(i32, String)>,
    /// Why the text was refused.
    error: Option<String>,
}

impl NewVersionPage {
    fn change_label(&self, change: &str) -> String {
        self.ctx.t(&format!("version-change-{change}"))
    }

    fn number_of(&self, continues: &Option<i32>) -> String {
        continues.map(|n| n.to_string()).unwrap_or_default()
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
            old_articles: Vec::new(),
            error: None,
        },
    )
}

/// The upload: a file or pasted text; `publish` is set by the review page's button, which also
/// sends the drafter's matching, one `continues` and one `also` per article of the revised text.
#[derive(MultipartForm)]
struct Upload {
    csrf: Text<String>,
    #[multipart(limit = "6MiB")]
    draft_text: Option<Text<String>>,
    #[multipart(limit = "6MiB")]
    draft: Option<UploadBytes>,
    publish: Option<Text<String>>,
    continues: Vec<Text<String>>,
    also: Vec<Text<String>>,
    opens: Option<Text<String>>,
    closes: Option<Text<String>>,
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
    let day = |d: Option<Text<String>>| d.map(Text::into_inner).unwrap_or_default();
    let window = versions::Window::parse(&day(form.opens), &day(form.closes), state.now())
        .map_err(|_| WebError::BadRequest("version-window-invalid"))?;
    let correction = if form.continues.is_empty() && form.also.is_empty() {
        None
    } else {
        let values = |v: Vec<Text<String>>| v.into_iter().map(Text::into_inner).collect::<Vec<_>>();
        Some(
            versions::Correction::parse(&values(form.continues), &values(form.also))
                .map_err(|_| WebError::BadRequest("version-matching-invalid"))?,
        )
    };
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
            let choices = versions::Choices { correction, window };
            versions::publish(conn, &c, &data, &file_name, &choices, now).map(|_| None)
        } else {
            versions::propose(conn, &c, &data, &file_name).map(Some)
        })
    })
    .await?;
    let number = next_number(&state, &consultation).await?;
    let page = |ctx, rows, old_articles, error| NewVersionPage {
        ctx,
        consultation: consultation.clone(),
        number,
        // The importer accepts only UTF-8, so a text that parsed converts without loss.
        draft_text: String::from_utf8_lossy(&bytes).into_owned(),
        rows,
        old_articles,
        error,
    };
    match result {
        Ok(None) => Ok(state.redirect_with_flash(
            format!("/c/{}", consultation.slug),
            "flash-version-published",
        )),
        Ok(Some(proposal)) => {
            let old = proposal
                .old
                .iter()
                .map(|a| (a.head.number, a.head.label.clone()))
                .collect();
            render(StatusCode::OK, &page(ctx, Some(rows(&proposal)), old, None))
        }
        Err(VersionError::Db(e)) => Err(e.into()),
        Err(VersionError::BadMatching) => Err(WebError::BadRequest("version-matching-invalid")),
        Err(VersionError::BadWindow) => Err(WebError::BadRequest("version-window-invalid")),
        Err(VersionError::Concluded) => Err(WebError::BadRequest("version-window-concluded")),
        Err(e @ (VersionError::Unchanged | VersionError::Concurrent)) => {
            let message = ctx.t(match e {
                VersionError::Concurrent => "version-concurrent",
                _ => "version-unchanged",
            });
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(ctx, None, Vec::new(), Some(message)),
            )
        }
        Err(e) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(ctx, None, Vec::new(), Some(e.to_string())),
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
    /// What the linking forms offer, by new article id; empty unless the reader drafts.
    candidates: HashMap<i32, Candidates>,
    /// The two-column diffs, one per changed article, when the reader asked for them.
    side: Option<Vec<Vec<SideRow>>>,
}

impl ChangesPage {
    fn change_label(&self, change: &Change) -> String {
        self.ctx.t(&format!("version-change-{}", change.as_str()))
    }

    fn side_rows(&self, index: &usize) -> Option<&[SideRow]> {
        self.side.as_ref()?.get(*index).map(Vec::as_slice)
    }

    fn candidates_of(&self, article_id: &i32) -> Option<&Candidates> {
        self.candidates.get(article_id)
    }

    fn stance_label(&self, stance: &Option<String>) -> String {
        stance
            .as_deref()
            .and_then(crate::comments::Stance::parse)
            .map(|s| self.ctx.stance(&s))
            .unwrap_or_default()
    }

    /// The first characters of a comment, enough to recognise it in the linking form.
    fn excerpt(&self, body: &str) -> String {
        const SHOWN: usize = 60;
        let mut out: String = body.chars().take(SHOWN).collect();
        if body.chars().nth(SHOWN).is_some() {
            out.push('…');
        }
        out
    }
}

/// Whether the signed-in reader may draft consultation `c`.
async fn drafts(state: &AppState, ctx: &Ctx, c: &Consultation) -> Result<bool, WebError> {
    let Some(user) = ctx.user.as_ref() else {
        return Ok(false);
    };
    if user.is_admin {
        return Ok(true);
    }
    let (id, user_id) = (c.id, user.id);
    Ok(db::run(&state.pool, move |conn| {
        crate::roles::holds(conn, id, user_id, Role::Drafter)
    })
    .await?)
}

/// The changes page's choice of diff: inline (default) or `?view=side`.
#[derive(serde::Deserialize)]
struct ViewQuery {
    view: Option<String>,
}

#[get("/c/{slug}/versions/{number}/changes")]
async fn changes(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32)>,
    query: web::Query<ViewQuery>,
) -> Result<HttpResponse, WebError> {
    let side_by_side = match query.view.as_deref() {
        None | Some("" | "inline") => false,
        Some("side") => true,
        Some(_) => return Err(WebError::BadRequest("version-view-invalid")),
    };
    let (slug, number) = path.into_inner();
    let consultation = public(&state, slug).await?;
    let drafter = drafts(&state, &ctx, &consultation).await?;
    let id = consultation.id;
    let (changes, candidates) = db::run(&state.pool, move |conn| {
        let Some(changes) = versions::changes(conn, id, number)? else {
            return Ok(None);
        };
        let mut candidates = HashMap::new();
        if drafter {
            for a in &changes.articles {
                if let Some(new) = &a.new {
                    candidates.insert(new.head.id, links::candidates(conn, id, a.old.as_ref())?);
                }
            }
        }
        Ok(Some((changes, candidates)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let side = side_by_side.then(|| {
        let body = |a: &Option<Article>| a.as_ref().map_or("", |a| a.body.as_str()).to_owned();
        changes
            .articles
            .iter()
            .map(|a| versions::side_by_side(&body(&a.old), &body(&a.new)))
            .collect()
    });
    render(
        StatusCode::OK,
        &ChangesPage {
            ctx,
            consultation,
            changes,
            candidates,
            side,
        },
    )
}

/// Records what motivated the change of one article. The form is read as pairs because
/// `comment` and `response` repeat, one per checked box.
#[post("/c/{slug}/versions/{number}/changes/{article}/links")]
async fn save_links(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32, i32)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (slug, number, article) = path.into_inner();
    let consultation = drafted(&state, slug, &user).await?;
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let input = LinkInput {
        comments: all("comment"),
        responses: all("response"),
        trackings: all("tracking").join("\n"),
    };
    let c = consultation.clone();
    db::run(&state.pool, move |conn| {
        Ok(links::set(conn, &c, number, article, &input))
    })
    .await?
    .map_err(|e| match e {
        LinkError::NotChanged => WebError::BadRequest("version-links-not-changed"),
        LinkError::Foreign => WebError::BadRequest("version-links-invalid"),
        LinkError::TooMany => WebError::BadRequest("version-links-too-many"),
        LinkError::Db(e) => e.into(),
    })?;
    Ok(state.redirect_with_flash(
        format!(
            "/c/{}/versions/{number}/changes#change-{article}",
            consultation.slug
        ),
        "flash-version-links-saved",
    ))
}

#[derive(Template)]
#[template(path = "version_contents.html")]
struct ContentsPage {
    ctx: Ctx,
    consultation: Consultation,
    number: i32,
    /// Whether this is the consultation's current version.
    current: bool,
    articles: Vec<Article>,
}

impl ContentsPage {
    /// The start of an article's first paragraph, to recognise it in the list.
    fn opening(&self, body: &str) -> String {
        const SHOWN: usize = 40;
        let first = body.lines().next().unwrap_or_default();
        let mut out: String = first.chars().take(SHOWN).collect();
        if first.chars().nth(SHOWN).is_some() || body.lines().nth(1).is_some() {
            out.push('…');
        }
        out
    }
}

#[get("/c/{slug}/v/{version}")]
async fn contents(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, WebError> {
    let (slug, number) = path.into_inner();
    let consultation = public(&state, slug).await?;
    let (id, current_id) = (consultation.id, consultation.current_version_id);
    let (articles, current) = db::run(&state.pool, move |conn| {
        let current = match current_id {
            Some(v) => db::drafts::version(conn, v)?.map(|v| v.number),
            None => None,
        };
        Ok(versions::version_articles(conn, id, number)?.map(|a| (a, current == Some(number))))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    render(
        StatusCode::OK,
        &ContentsPage {
            ctx,
            consultation,
            number,
            current,
            articles,
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
    /// What motivated this article's change from the version before.
    motivation: Motivation,
    /// The drafters' response to this article, while this version was open for comment.
    response: Option<Response>,
    /// The first page of its public comments.
    comments: ArticleComments,
    /// The changes each comment shown led to.
    led: HashMap<i32, LedTo>,
    /// Where the article stands in the current text.
    in_current: InCurrent,
}

impl OldArticlePage {
    fn led_to(&self, id: &i32) -> Option<&LedTo> {
        self.led.get(id)
    }
}

#[get("/c/{slug}/v/{version}/a/{number}")]
async fn old_article(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32, i32)>,
) -> Result<HttpResponse, WebError> {
    let (slug, number, article) = path.into_inner();
    let consultation = public(&state, slug).await?;
    let (id, c) = (consultation.id, consultation.clone());
    let (article, motivation, response, comments, led, in_current) =
        db::run(&state.pool, move |conn| {
            let Some(article) = versions::version_articles(conn, id, number)?
                .and_then(|list| list.into_iter().find(|a| a.head.number == article))
            else {
                return Ok(None);
            };
            let aid = article.head.id;
            let motivation = links::motivations(conn, &[aid])?
                .remove(&aid)
                .unwrap_or_default();
            let response = responses::published(conn, id, Some(aid))?;
            let comments = comment_view::for_article(conn, aid, Filter::default(), None, false)?;
            let shown: Vec<i32> = comments.entries.iter().map(|e| e.comment.id).collect();
            let led = links::changes_led_by(conn, &shown)?;
            let in_current = versions::in_current(conn, &c, number, &article)?;
            Ok(Some((
                article, motivation, response, comments, led, in_current,
            )))
        })
        .await?
        .ok_or(WebError::NotFound)?;
    render(
        StatusCode::OK,
        &OldArticlePage {
            ctx,
            consultation,
            number,
            article,
            motivation,
            response,
            comments,
            led,
            in_current,
        },
    )
}

/// Registers the revised-version routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(new_form)
        .service(upload)
        .service(history)
        .service(changes)
        .service(save_links)
        .service(contents)
        .service(old_article);
}
