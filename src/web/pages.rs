//! The public reading pages: the list of consultations, a consultation, an article, the full text.

use std::collections::HashMap;

use actix_web::{get, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use actix_web::HttpResponse;

use super::AppState;
use super::accounts::FormErrors;
use super::ctx::Ctx;
use super::errors::WebError;
use super::page_cache::PageCache;
use crate::accounts::StakeholderType;
use crate::comments::view::{self as comment_view, ArticleComments, Filter, Sort};
use crate::comments::{Comment, CommentInput, Stance, Visibility, diff};
use crate::consultations::{Consultation, ListFilter, RiskTier, Status};
use crate::db;
use crate::drafts::{Article, Section};
use crate::reading::{self, ArticleView, DivisionView, Overview};
use crate::responses::{self, Response};
use crate::roles::{self, Role};
use crate::versions::links::{self, LedTo, Motivation};

/// What the list's filter form sends.
#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    tier: Option<String>,
}

impl ListQuery {
    /// Parses the filter; an empty value means "any".
    fn filter(&self) -> Result<ListFilter, WebError> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(Status::parse(s).ok_or(WebError::BadRequest("error-bad-filter"))?),
        };
        let tier = match self.tier.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(RiskTier::parse(s).ok_or(WebError::BadRequest("error-bad-filter"))?),
        };
        Ok(ListFilter { status, tier })
    }
}

/// A consultation with its status at the time of the request.
struct Listed {
    c: Consultation,
    status: Status,
}

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct IndexPage {
    ctx: Ctx,
    items: Vec<Listed>,
    filter: ListFilter,
    statuses: [Status; 4],
    tiers: [RiskTier; 3],
}

impl IndexPage {
    fn status_selected(&self, s: &Status) -> bool {
        self.filter.status == Some(*s)
    }

    fn tier_selected(&self, t: &RiskTier) -> bool {
        self.filter.tier == Some(*t)
    }
}

#[get("/")]
async fn index(
    state: web::Data<AppState>,
    ctx: Ctx,
    query: web::Query<ListQuery>,
) -> Result<IndexPage, WebError> {
    let filter = query.filter()?;
    let now = state.now();
    let list = db::run(&state.pool, move |conn| reading::list(conn, filter, now)).await?;
    let items = list
        .into_iter()
        .map(|c| Listed {
            status: c.status(now),
            c,
        })
        .collect();
    Ok(IndexPage {
        ctx,
        items,
        filter,
        statuses: Status::ALL,
        tiers: RiskTier::ALL,
    })
}

/// The comments on the draft as a whole or on one chapter, with the form to add one.
pub struct PartComments {
    /// The newest comments.
    comments: Vec<Comment>,
    /// The drafters' published response to this part.
    response: Option<Response>,
    /// Ids of the comments shown that a response answers.
    answered: Vec<i32>,
    access: CommentAccess,
    form: CommentInput,
    errors: FormErrors,
    /// Where the form posts.
    action: String,
    /// Where to come back after logging in.
    here: String,
    title_key: &'static str,
    intro_key: &'static str,
    none_key: &'static str,
    stances: &'static [Stance],
    visibilities: &'static [Visibility],
}

impl PartComments {
    fn stance_checked(&self, s: &Stance) -> bool {
        self.form.stance == s.as_str()
    }

    fn visibility_checked(&self, v: &Visibility) -> bool {
        self.form.visibility == v.as_str()
            || (self.form.visibility.is_empty() && *v == Visibility::Named)
    }

    fn visibility_key(&self, v: &Visibility) -> &'static str {
        visibility_key(*v)
    }
}

#[derive(Template)]
#[template(path = "consultation.html")]
pub struct ConsultationPage {
    ctx: Ctx,
    o: Overview,
    status: Status,
    part: PartComments,
    /// The viewer drafts this consultation (or administers the site): link the dashboard.
    drafter: bool,
}

impl ConsultationPage {
    /// Whether and how the reader can comment on the draft as a whole.
    pub fn access(&self) -> CommentAccess {
        self.part.access
    }
}

fn visibility_key(v: Visibility) -> &'static str {
    match v {
        Visibility::Named => "visibility-named",
        Visibility::Anonymous => "visibility-anonymous",
        Visibility::Drafters => "visibility-drafters",
    }
}

fn access_for(ctx: &Ctx, status: Status) -> CommentAccess {
    match (&ctx.user, status) {
        (_, Status::Upcoming | Status::Closed | Status::Concluded) => CommentAccess::NotOpen,
        (None, _) => CommentAccess::LogIn,
        (Some(u), _) if !u.is_verified() => CommentAccess::Verify,
        _ => CommentAccess::Form,
    }
}

/// Whether `viewer` drafts consultation `consultation_id`, and so reads drafters-only comments.
fn drafts_it(
    conn: &mut db::DbConnection,
    consultation_id: i32,
    viewer: Option<&crate::accounts::User>,
) -> Result<bool, db::DbError> {
    Ok(match viewer {
        Some(u) => roles::holds(conn, consultation_id, u.id, Role::Drafter)?,
        None => false,
    })
}

/// Builds a consultation's front page; `form` carries a whole-draft comment that failed validation.
pub async fn consultation_page(
    state: &AppState,
    ctx: Ctx,
    slug: String,
    form: Option<(CommentInput, FormErrors)>,
) -> Result<ConsultationPage, WebError> {
    let locale = ctx.locale;
    let viewer = ctx.user.clone();
    let (o, comments, drafters_view, response, answered) = db::run(&state.pool, move |conn| {
        let Some(o) = reading::overview(conn, &slug, locale)? else {
            return Ok(None);
        };
        let id = o.shown.consultation.id;
        let drafters_view = drafts_it(conn, id, viewer.as_ref())?;
        let general = comment_view::for_part(conn, id, None, drafters_view)?;
        let response = responses::published(conn, id, None)?;
        let shown: Vec<i32> = general.iter().map(|c| c.id).collect();
        let answered = db::responses::answered_among(conn, &shown)?;
        Ok(Some((o, general, drafters_view, response, answered)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = o.shown.consultation.status(state.now());
    let (form, errors) = form.unwrap_or_default();
    let slug = &o.shown.consultation.slug;
    let part = PartComments {
        comments,
        response,
        answered,
        access: access_for(&ctx, status),
        form,
        errors,
        action: format!("/c/{slug}/comments"),
        here: format!("/c/{slug}"),
        title_key: "general-title",
        intro_key: "general-intro",
        none_key: "general-none",
        stances: Stance::ALL,
        visibilities: Visibility::ALL,
    };
    let drafter = drafters_view || ctx.user.as_ref().is_some_and(|u| u.is_admin);
    Ok(ConsultationPage {
        ctx,
        o,
        status,
        part,
        drafter,
    })
}

#[derive(Template)]
#[template(path = "division.html")]
pub struct DivisionPage {
    ctx: Ctx,
    v: DivisionView,
    status: Status,
    part: PartComments,
}

impl DivisionPage {
    /// Whether and how the reader can comment on this division.
    pub fn access(&self) -> CommentAccess {
        self.part.access
    }

    /// Heading level of an article: one below its division's heading (the page's own division
    /// is the `h1`).
    fn article_level(&self, s: &Section<Article>) -> usize {
        (s.depth + 2).min(6)
    }
}

/// Builds a chapter's page; `form` carries a comment on it that failed validation.
pub async fn division_page(
    state: &AppState,
    ctx: Ctx,
    slug: String,
    position: i32,
    form: Option<(CommentInput, FormErrors)>,
) -> Result<DivisionPage, WebError> {
    let locale = ctx.locale;
    let viewer = ctx.user.clone();
    let (v, comments, answered) = db::run(&state.pool, move |conn| {
        let Some(v) = reading::division(conn, &slug, position, locale)? else {
            return Ok(None);
        };
        let id = v.shown.consultation.id;
        let drafters_view = drafts_it(conn, id, viewer.as_ref())?;
        let comments = comment_view::for_part(conn, id, Some(v.original_id), drafters_view)?;
        let shown: Vec<i32> = comments.iter().map(|c| c.id).collect();
        let answered = db::responses::answered_among(conn, &shown)?;
        Ok(Some((v, comments, answered)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = v.shown.consultation.status(state.now());
    let (form, errors) = form.unwrap_or_default();
    let slug = &v.shown.consultation.slug;
    let part = PartComments {
        comments,
        response: None,
        answered,
        access: access_for(&ctx, status),
        form,
        errors,
        action: format!("/c/{slug}/d/{position}/comments"),
        here: format!("/c/{slug}/d/{position}"),
        title_key: "division-comments-title",
        intro_key: "division-comments-intro",
        none_key: "division-comments-none",
        stances: Stance::ALL,
        visibilities: Visibility::ALL,
    };
    Ok(DivisionPage {
        ctx,
        v,
        status,
        part,
    })
}

#[get("/c/{slug}/d/{position}")]
async fn division(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, WebError> {
    let key = PageCache::key(&ctx);
    if let Some(kept) = state.pages.get(&key) {
        return Ok(kept);
    }
    let (slug, position) = path.into_inner();
    let page = division_page(&state, ctx, slug, position, None).await?;
    state.pages.put(key, &page)
}

#[get("/c/{slug}")]
async fn consultation(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let key = PageCache::key(&ctx);
    if let Some(kept) = state.pages.get(&key) {
        return Ok(kept);
    }
    let page = consultation_page(&state, ctx, slug.into_inner(), None).await?;
    state.pages.put(key, &page)
}

/// The article page's query string: the comment list's filter, order and page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CommentQuery {
    stance: Option<String>,
    #[serde(rename = "type")]
    stakeholder: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
}

impl CommentQuery {
    /// Parses the filter; an empty value means "any".
    pub fn filter(&self) -> Result<Filter, WebError> {
        let bad = || WebError::BadRequest("error-bad-filter");
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        Ok(Filter {
            stance: nonempty(&self.stance)
                .map(|s| Stance::parse(&s).ok_or_else(bad))
                .transpose()?,
            stakeholder: nonempty(&self.stakeholder)
                .map(|s| StakeholderType::parse(&s).ok_or_else(bad))
                .transpose()?,
            sort: nonempty(&self.sort)
                .map(|s| Sort::parse(&s).ok_or_else(bad))
                .transpose()?
                .unwrap_or_default(),
            page: match self.page {
                Some(p) if !(1..=100_000).contains(&p) => return Err(bad()),
                Some(p) => p,
                None => 1,
            },
        })
    }
}

/// Whether and how the reader can comment here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentAccess {
    /// The form is shown.
    Form,
    /// Anonymous: log in first.
    LogIn,
    /// Signed in, address not verified.
    Verify,
    /// The window is not open.
    NotOpen,
}

impl CommentAccess {
    /// Why a comment sent to a page that shows no form is refused: re-rendering that page would
    /// drop the form and its messages.
    pub fn refusal(self) -> Option<WebError> {
        match self {
            Self::NotOpen => Some(WebError::Forbidden("error-not-open")),
            Self::Verify => Some(WebError::Forbidden("error-unverified")),
            Self::Form | Self::LogIn => None,
        }
    }
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage {
    ctx: Ctx,
    v: ArticleView,
    status: Status,
    comments: ArticleComments,
    filter: Filter,
    access: CommentAccess,
    form: CommentInput,
    errors: FormErrors,
    stances: &'static [Stance],
    visibilities: &'static [Visibility],
    types: [StakeholderType; 7],
    sorts: [Sort; 2],
    /// The drafters' published response to this article.
    response: Option<Response>,
    /// Ids of the comments shown that a response answers.
    answered: Vec<i32>,
    /// What motivated this article's change from the previous version.
    motivation: Motivation,
    /// The changes each comment shown led to.
    led: HashMap<i32, LedTo>,
}

impl ArticlePage {
    fn led_to(&self, id: &i32) -> Option<&LedTo> {
        self.led.get(id)
    }

    /// Whether and how the reader can comment on this article.
    pub fn access(&self) -> CommentAccess {
        self.access
    }

    fn comments_key(&self) -> &'static str {
        match self.status {
            Status::Upcoming => "comments-upcoming",
            Status::Open => "comments-open",
            Status::Closed | Status::Concluded => "comments-closed",
        }
    }

    fn sort_key(&self, s: &Sort) -> &'static str {
        match s {
            Sort::Newest => "sort-newest",
            Sort::Endorsed => "sort-endorsed",
        }
    }

    fn visibility_key(&self, v: &Visibility) -> &'static str {
        visibility_key(*v)
    }

    /// This page's address, encoded for a `next=` parameter.
    fn here_encoded(&self) -> String {
        url::form_urlencoded::byte_serialize(self.ctx.here().as_bytes()).collect()
    }

    fn is_answered(&self, id: &i32) -> bool {
        self.answered.contains(id)
    }

    fn diff(&self, proposed: &str) -> Vec<diff::Segment> {
        diff::compare(&self.v.original.body, proposed)
    }

    fn stance_checked(&self, s: &Stance) -> bool {
        self.form.stance == s.as_str()
    }

    fn visibility_checked(&self, v: &Visibility) -> bool {
        self.form.visibility == v.as_str()
            || (self.form.visibility.is_empty() && *v == Visibility::Named)
    }

    fn filter_stance(&self, s: &Stance) -> bool {
        self.filter.stance == Some(*s)
    }

    fn filter_type(&self, t: &StakeholderType) -> bool {
        self.filter.stakeholder == Some(*t)
    }

    fn filter_sort(&self, s: &Sort) -> bool {
        self.filter.sort == *s
    }

    /// The link to page `page` of the list, keeping filter and order.
    fn page_href(&self, page: i64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(s) = self.filter.stance {
            q.append_pair("stance", s.as_str());
        }
        if let Some(t) = self.filter.stakeholder {
            q.append_pair("type", t.as_str());
        }
        q.append_pair("sort", self.filter.sort.as_str());
        q.append_pair("page", &page.to_string());
        format!("?{}#comments", q.finish())
    }
}

/// Builds the article page; `form` carries a comment that failed validation back to its author.
pub async fn article_page(
    state: &AppState,
    ctx: Ctx,
    slug: String,
    number: i32,
    filter: Filter,
    form: Option<(CommentInput, FormErrors)>,
) -> Result<ArticlePage, WebError> {
    let locale = ctx.locale;
    let viewer = ctx.user.clone();
    let (v, comments, response, answered, led, motivation) = db::run(&state.pool, move |conn| {
        let Some(v) = reading::article(conn, &slug, number, locale)? else {
            return Ok(None);
        };
        let drafters_view = drafts_it(conn, v.shown.consultation.id, viewer.as_ref())?;
        let comments = comment_view::for_article(
            conn,
            v.original.head.id,
            filter,
            viewer.as_ref(),
            drafters_view,
        )?;
        let response =
            responses::published(conn, v.shown.consultation.id, Some(v.original.head.id))?;
        let shown: Vec<i32> = comments.entries.iter().map(|e| e.comment.id).collect();
        let answered = db::responses::answered_among(conn, &shown)?;
        let led = links::changes_led_by(conn, &shown)?;
        let id = v.original.head.id;
        let motivation = links::motivations(conn, &[id])?
            .remove(&id)
            .unwrap_or_default();
        Ok(Some((v, comments, response, answered, led, motivation)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = v.shown.consultation.status(state.now());
    let access = access_for(&ctx, status);
    let (form, errors) = form.unwrap_or_default();
    Ok(ArticlePage {
        ctx,
        v,
        status,
        comments,
        filter,
        access,
        form,
        errors,
        stances: Stance::ALL,
        visibilities: Visibility::ALL,
        types: StakeholderType::ALL,
        sorts: [Sort::Newest, Sort::Endorsed],
        response,
        answered,
        motivation,
        led,
    })
}

#[get("/c/{slug}/a/{number}")]
async fn article(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i32)>,
    query: web::Query<CommentQuery>,
) -> Result<HttpResponse, WebError> {
    let key = PageCache::key(&ctx);
    if let Some(kept) = state.pages.get(&key) {
        return Ok(kept);
    }
    let (slug, number) = path.into_inner();
    let filter = query.filter()?;
    let page = article_page(&state, ctx, slug, number, filter, None).await?;
    state.pages.put(key, &page)
}

#[derive(Template, WebTemplate)]
#[template(path = "text.html")]
struct TextPage {
    ctx: Ctx,
    t: reading::FullText,
    status: Status,
}

impl TextPage {
    /// Heading level of an article: one below its division's heading.
    fn article_level(&self, s: &Section<Article>) -> usize {
        if s.heading.is_some() {
            (s.depth + 3).min(6)
        } else {
            2
        }
    }
}

#[get("/c/{slug}/text")]
async fn full_text(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<TextPage, WebError> {
    let locale = ctx.locale;
    let t = db::run(&state.pool, move |conn| {
        reading::full_text(conn, &slug, locale)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let status = t.shown.consultation.status(state.now());
    Ok(TextPage { ctx, t, status })
}

/// Registers the reading pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(consultation)
        .service(article)
        .service(division)
        .service(full_text);
}
