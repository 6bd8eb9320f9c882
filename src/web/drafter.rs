//! The drafters' workspace: the dashboard, the per-article workspace (triage, themes, the
//! response), concluding, and the public feedback report.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::accounts::FormErrors;
use super::errors::WebError;
use super::session::{CurrentUser, Form};
use super::{AppState, ctx::Ctx, render};
use crate::accounts::{StakeholderType, User};
use crate::comments::Stance;
use crate::consultations::{Consultation, Status};
use crate::dashboard::{self, CHART_HEIGHT, CHART_WIDTH, Dashboard, Matrix};
use crate::db;
use crate::responses::{self, Decision, Response, ResponseError, ResponseInput};
use crate::roles::Role;
use crate::themes::{self, NoteError, Theme, Triage, WorkFilter, WorkItem};

/// Loads consultation `slug` and checks that `user` drafts it (site administrators pass too).
pub(super) async fn drafted(
    state: &AppState,
    slug: String,
    user: &User,
) -> Result<Consultation, WebError> {
    super::session::consultation_in_role(state, slug, user, Role::Drafter, "error-drafter-only")
        .await
}

/// The first 80 characters of a text, for lists.
fn excerpt(body: &str) -> String {
    let mut out: String = body.chars().take(80).collect();
    if body.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

/// The workspace path of an article (`None`: the draft as a whole).
fn workspace_path(slug: &str, number: Option<i32>) -> String {
    match number {
        Some(n) => format!("/c/{slug}/dashboard/a/{n}"),
        None => format!("/c/{slug}/dashboard/draft"),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    c: Consultation,
    status: Status,
    d: Dashboard,
    themes: Vec<Theme>,
    /// Labels still unanswered when concluding was refused.
    conclude_refused: Option<Vec<String>>,
    chart_width: f64,
    chart_height: f64,
}

impl DashboardPage {
    fn heat(&self, n: &i64) -> i64 {
        self.d.matrix.level(*n)
    }

    fn stance_short(&self, s: &Stance) -> String {
        self.ctx.t(&format!("stance-short-{}", s.as_str()))
    }

    fn excerpt(&self, body: &str) -> String {
        excerpt(body)
    }

    fn cell_href(&self, number: &i32, column: &usize) -> String {
        let (t, s) = self.d.matrix.columns[*column];
        format!(
            "/c/{}/a/{number}?type={}&stance={}#comments",
            self.c.slug,
            t.as_str(),
            s.as_str()
        )
    }

    fn column_label(&self, column: &usize) -> String {
        let (t, s) = self.d.matrix.columns[*column];
        format!("{} · {}", self.ctx.stakeholder(&t), self.ctx.stance(&s))
    }

    fn types(&self) -> [StakeholderType; 7] {
        StakeholderType::ALL
    }

    fn stances(&self) -> &'static [Stance] {
        Stance::ALL
    }

    fn can_conclude(&self) -> bool {
        self.status == Status::Closed
    }

    fn day(&self, d: &chrono::NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    fn chart_max(&self) -> i64 {
        self.d.days.iter().map(|b| b.n).max().unwrap_or(0)
    }
}

async fn dashboard_page(
    state: &AppState,
    ctx: Ctx,
    c: Consultation,
    conclude_refused: Option<Vec<String>>,
) -> Result<DashboardPage, WebError> {
    let status = c.status(state.now());
    let loaded = c.clone();
    let (d, themes) = db::run(&state.pool, move |conn| {
        Ok((
            dashboard::load(conn, &loaded)?,
            themes::of_consultation(conn, loaded.id)?,
        ))
    })
    .await?;
    Ok(DashboardPage {
        ctx,
        c,
        status,
        d,
        themes,
        conclude_refused,
        chart_width: CHART_WIDTH,
        chart_height: CHART_HEIGHT,
    })
}

#[get("/c/{slug}/dashboard")]
async fn show_dashboard(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let c = drafted(&state, slug.into_inner(), &user).await?;
    render(StatusCode::OK, &dashboard_page(&state, ctx, c, None).await?)
}

/// The workspace's query string.
#[derive(Deserialize)]
struct WorkQuery {
    theme: Option<String>,
    triage: Option<String>,
    page: Option<i64>,
}

impl WorkQuery {
    fn filter(&self) -> Result<WorkFilter, WebError> {
        let bad = || WebError::BadRequest("error-bad-filter");
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        Ok(WorkFilter {
            theme_id: nonempty(&self.theme)
                .map(|s| s.parse::<i32>().map_err(|_| bad()))
                .transpose()?,
            triage: nonempty(&self.triage)
                .map(|s| Triage::parse(&s).ok_or_else(bad))
                .transpose()?,
            page: match self.page {
                Some(p) if !(1..=100_000).contains(&p) => return Err(bad()),
                Some(p) => p,
                None => 1,
            },
        })
    }
}

/// The response form as typed, shown again when it failed validation.
#[derive(Clone, Debug, Default)]
struct ResponseDraft {
    decision: String,
    reasoning: String,
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage {
    ctx: Ctx,
    c: Consultation,
    status: Status,
    /// Article number and label; `None` for the draft as a whole.
    article: Option<(i32, String)>,
    items: Vec<WorkItem>,
    total: i64,
    pages: i64,
    filter: WorkFilter,
    themes: Vec<Theme>,
    suggestions: Vec<String>,
    response: Option<(Response, Vec<(i32, String)>)>,
    form: ResponseDraft,
    errors: FormErrors,
    decisions: [Decision; 4],
    triages: [Triage; 3],
}

impl WorkspacePage {
    fn here_path(&self) -> String {
        workspace_path(&self.c.slug, self.article.as_ref().map(|(n, _)| *n))
    }

    fn number_value(&self) -> String {
        self.article
            .as_ref()
            .map(|(n, _)| n.to_string())
            .unwrap_or_default()
    }

    fn decision_checked(&self, d: &Decision) -> bool {
        self.form.decision == d.as_str()
    }

    fn theme_selected(&self, t: &Theme) -> bool {
        self.filter.theme_id == Some(t.id)
    }

    fn triage_selected(&self, t: &Triage) -> bool {
        self.filter.triage == Some(*t)
    }

    fn editable(&self) -> bool {
        self.status != Status::Concluded
    }

    fn page_href(&self, page: i64) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(t) = self.filter.theme_id {
            q.append_pair("theme", &t.to_string());
        }
        if let Some(t) = self.filter.triage {
            q.append_pair("triage", t.as_str());
        }
        q.append_pair("page", &page.to_string());
        format!("{}?{}", self.here_path(), q.finish())
    }
}

async fn workspace_page(
    state: &AppState,
    ctx: Ctx,
    c: Consultation,
    number: Option<i32>,
    filter: WorkFilter,
    form: Option<(ResponseDraft, FormErrors)>,
) -> Result<WorkspacePage, WebError> {
    let status = c.status(state.now());
    let (cid, version) = (c.id, c.current_version_id);
    let loaded = db::run(&state.pool, move |conn| {
        let article = match (number, version) {
            (None, _) => None,
            (Some(n), Some(v)) => match db::drafts::article_ref(conn, v, n)? {
                Some((id, label)) => Some((id, n, label)),
                None => return Ok(None),
            },
            (Some(_), None) => return Ok(None),
        };
        let article_id = article.as_ref().map(|(id, _, _)| *id);
        let response = responses::for_target(conn, cid, article_id)?;
        let answered: Vec<i32> = response
            .as_ref()
            .map(|(_, a)| a.iter().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        let (items, total) = themes::work_items(conn, cid, article_id, filter, &answered)?;
        let all_themes = themes::of_consultation(conn, cid)?;
        let suggestions = match article_id {
            Some(a) => themes::suggestions(conn, cid, a, &all_themes)?,
            None => Vec::new(),
        };
        Ok(Some((
            article.map(|(_, n, label)| (n, label)),
            items,
            total,
            all_themes,
            suggestions,
            response,
        )))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let (article, items, total, all_themes, suggestions, response) = loaded;
    let (form, errors) = form.unwrap_or_else(|| {
        let draft = response
            .as_ref()
            .map(|(r, _)| ResponseDraft {
                decision: r.decision.as_str().to_owned(),
                reasoning: r.reasoning.clone(),
            })
            .unwrap_or_default();
        (draft, FormErrors::default())
    });
    Ok(WorkspacePage {
        ctx,
        c,
        status,
        article,
        items,
        total,
        pages: ((total + themes::PAGE_SIZE - 1) / themes::PAGE_SIZE).max(1),
        filter,
        themes: all_themes,
        suggestions,
        response,
        form,
        errors,
        decisions: Decision::ALL,
        triages: Triage::ALL,
    })
}

#[get("/c/{slug}/dashboard/a/{number}")]
async fn article_workspace(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32)>,
    query: web::Query<WorkQuery>,
) -> Result<HttpResponse, WebError> {
    let (slug, number) = path.into_inner();
    let filter = query.filter()?;
    let c = drafted(&state, slug, &user).await?;
    render(
        StatusCode::OK,
        &workspace_page(&state, ctx, c, Some(number), filter, None).await?,
    )
}

#[get("/c/{slug}/dashboard/draft")]
async fn draft_workspace(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    query: web::Query<WorkQuery>,
) -> Result<HttpResponse, WebError> {
    let filter = query.filter()?;
    let c = drafted(&state, slug.into_inner(), &user).await?;
    render(
        StatusCode::OK,
        &workspace_page(&state, ctx, c, None, filter, None).await?,
    )
}

fn response_error(e: ResponseError) -> WebError {
    match e {
        ResponseError::ForeignComment => WebError::BadRequest("response-answers-invalid"),
        ResponseError::Concluded => WebError::Forbidden("error-concluded"),
        ResponseError::NotClosed => WebError::Forbidden("error-not-closed"),
        ResponseError::Unanswered(_) => WebError::BadRequest("conclude-missing"),
        ResponseError::Db(d) => d.into(),
    }
}

/// Publishes the response of an article (field `article`, a number) or of the draft as a whole
/// (`article` empty). The form is read as pairs because `answers` repeats, one per checked comment.
#[post("/c/{slug}/responses")]
async fn publish_response(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let c = drafted(&state, slug.into_inner(), &user).await?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let number = match field("article").trim() {
        "" => None,
        n => Some(
            n.parse::<i32>()
                .map_err(|_| WebError::BadRequest("error-form-invalid"))?,
        ),
    };
    let answers: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "answers")
        .map(|(_, v)| v.clone())
        .collect();
    let (decision, reasoning) = (field("decision"), field("reasoning"));
    let input = match ResponseInput::parse(&decision, &reasoning, &answers) {
        Ok(input) => input,
        Err(list) => {
            let mut errors = FormErrors::default();
            for e in list {
                errors.push(e);
            }
            let draft = ResponseDraft {
                decision,
                reasoning,
            };
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &workspace_page(
                    &state,
                    ctx,
                    c,
                    number,
                    WorkFilter {
                        page: 1,
                        ..WorkFilter::default()
                    },
                    Some((draft, errors)),
                )
                .await?,
            );
        }
    };
    let (now, target) = (state.now(), workspace_path(&c.slug, number));
    db::run(&state.pool, move |conn| {
        let article_id = match (number, c.current_version_id) {
            (None, _) => None,
            (Some(n), Some(v)) => match db::drafts::article_ref(conn, v, n)? {
                Some((id, _)) => Some(id),
                None => return Ok(Err(WebError::NotFound)),
            },
            (Some(_), None) => return Ok(Err(WebError::NotFound)),
        };
        Ok(responses::publish(conn, &c, article_id, &input, &user, now)
            .map(drop)
            .map_err(response_error))
    })
    .await??;
    Ok(state.redirect_with_flash(target, "flash-response-published"))
}

#[derive(Deserialize)]
struct EmptyForm {}

#[post("/c/{slug}/conclude")]
async fn conclude(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    Form(_): Form<EmptyForm>,
) -> Result<HttpResponse, WebError> {
    let c = drafted(&state, slug.into_inner(), &user).await?;
    let (now, concluding) = (state.now(), c.clone());
    let result = db::run(&state.pool, move |conn| {
        Ok(responses::conclude(conn, &concluding, now))
    })
    .await?;
    match result {
        Ok(()) => Ok(state.redirect_with_flash(format!("/c/{}/report", c.slug), "flash-concluded")),
        Err(ResponseError::Unanswered(labels)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &dashboard_page(&state, ctx, c, Some(labels)).await?,
        ),
        Err(e) => Err(response_error(e)),
    }
}

/// What the triage form sends.
#[derive(Deserialize)]
struct TriageForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

fn note_error(e: NoteError) -> WebError {
    match e {
        NoteError::NotFound => WebError::NotFound,
        NoteError::Db(d) => d.into(),
    }
}

/// Back to the workspace that lists the comment, at the comment.
async fn back_to(
    state: &AppState,
    slug: &str,
    article_id: Option<i32>,
    tracking: &str,
) -> Result<String, WebError> {
    let number = match article_id {
        Some(id) => db::run(&state.pool, move |conn| {
            Ok(db::drafts::article_number_label(conn, id)?)
        })
        .await?
        .map(|(n, _)| n),
        None => None,
    };
    Ok(format!("{}#w-{tracking}", workspace_path(slug, number)))
}

#[post("/c/{slug}/triage/{tracking}")]
async fn triage(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
    Form(form): Form<TriageForm>,
) -> Result<HttpResponse, WebError> {
    let (slug, tracking) = path.into_inner();
    let c = drafted(&state, slug, &user).await?;
    let status = Triage::parse(&form.status).ok_or(WebError::BadRequest("error-form-invalid"))?;
    let note = themes::parse_note(&form.note).map_err(|_| WebError::BadRequest("note-invalid"))?;
    let (id, now, t) = (c.id, state.now(), tracking.clone());
    let article = db::run(&state.pool, move |conn| {
        Ok(themes::set_triage(conn, id, &t, status, &note, &user, now))
    })
    .await?
    .map_err(note_error)?;
    let target = back_to(&state, &c.slug, article, &tracking).await?;
    Ok(state.redirect_with_flash(target, "flash-triage-saved"))
}

/// What the theme forms send: a name to add, or a theme id to remove.
#[derive(Deserialize)]
struct ThemeForm {
    #[serde(default)]
    theme: String,
    #[serde(default)]
    remove: Option<i32>,
}

#[post("/c/{slug}/themes/{tracking}")]
async fn theme(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, String)>,
    Form(form): Form<ThemeForm>,
) -> Result<HttpResponse, WebError> {
    let (slug, tracking) = path.into_inner();
    let c = drafted(&state, slug, &user).await?;
    let (id, now, t) = (c.id, state.now(), tracking.clone());
    let article = match form.remove {
        Some(theme_id) => {
            db::run(&state.pool, move |conn| {
                Ok(themes::untag(conn, id, &t, theme_id))
            })
            .await?
        }
        None => {
            let name = themes::parse_theme_name(&form.theme)
                .map_err(|_| WebError::BadRequest("theme-invalid"))?;
            db::run(&state.pool, move |conn| {
                Ok(themes::tag(conn, id, &t, &name, now))
            })
            .await?
        }
    }
    .map_err(note_error)?;
    let target = back_to(&state, &c.slug, article, &tracking).await?;
    Ok(state.redirect_with_flash(target, "flash-theme-saved"))
}

/// What adopting a suggested theme sends.
#[derive(Deserialize)]
struct AdoptForm {
    #[serde(default)]
    theme: String,
}

#[post("/c/{slug}/dashboard/a/{number}/adopt")]
async fn adopt(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32)>,
    Form(form): Form<AdoptForm>,
) -> Result<HttpResponse, WebError> {
    let (slug, number) = path.into_inner();
    let c = drafted(&state, slug, &user).await?;
    let name =
        themes::parse_theme_name(&form.theme).map_err(|_| WebError::BadRequest("theme-invalid"))?;
    let (id, version, now) = (c.id, c.current_version_id, state.now());
    db::run(&state.pool, move |conn| {
        let Some(v) = version else {
            return Ok(None);
        };
        let Some((article_id, _)) = db::drafts::article_ref(conn, v, number)? else {
            return Ok(None);
        };
        Ok(Some(
            themes::adopt(conn, id, article_id, &name, now).map_err(note_error),
        ))
    })
    .await?
    .ok_or(WebError::NotFound)??;
    Ok(state.redirect_with_flash(workspace_path(&c.slug, Some(number)), "flash-theme-adopted"))
}

/// One article's line in the report.
struct ReportItem {
    number: Option<i32>,
    label: String,
    comments: i64,
    response: Option<Response>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    ctx: Ctx,
    c: Consultation,
    status: Status,
    matrix: Matrix,
    items: Vec<ReportItem>,
}

impl ReportPage {
    fn stances(&self) -> &'static [Stance] {
        Stance::ALL
    }

    /// Comments of stakeholder type `t` with stance `s`.
    fn count(&self, t: &StakeholderType, s: &Stance) -> i64 {
        self.matrix
            .columns
            .iter()
            .position(|c| c == &(*t, *s))
            .map_or(0, |i| self.matrix.rows.iter().map(|r| r.cells[i]).sum())
    }
}

/// The public feedback report: participation, then each article's response. Printable.
#[get("/c/{slug}/report")]
async fn report(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let slug = slug.into_inner();
    let (c, matrix, answers) = db::run(&state.pool, move |conn| {
        let Some(c) = db::consultations::by_slug(conn, &slug)? else {
            return Ok(None);
        };
        let matrix = dashboard::matrix(conn, &c)?;
        let answers = responses::of_consultation(conn, c.id)?;
        Ok(Some((c, matrix, answers)))
    })
    .await?
    .ok_or(WebError::NotFound)?;
    // campaigns: the campaign clusters with their counts (issue 5, second half) plug in here as
    // one more field of `ReportPage`, shown between participation and the responses.
    let items = matrix
        .rows
        .iter()
        .filter_map(|row| {
            let response = answers
                .iter()
                .find(|r| r.article_id == row.article_id)
                .cloned();
            (row.total > 0 || response.is_some()).then(|| ReportItem {
                number: row.number,
                label: row.label.clone(),
                comments: row.total,
                response,
            })
        })
        .collect();
    let status = c.status(state.now());
    render(
        StatusCode::OK,
        &ReportPage {
            ctx,
            c,
            status,
            matrix,
            items,
        },
    )
}

/// Registers the drafters' routes and the public report.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show_dashboard)
        .service(article_workspace)
        .service(draft_workspace)
        .service(publish_response)
        .service(conclude)
        .service(triage)
        .service(theme)
        .service(adopt)
        .service(report);
}
