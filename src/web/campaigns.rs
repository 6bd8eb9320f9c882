//! The drafters' campaign pages: clusters of near-identical comments of a consultation, largest
//! first, and the members of one cluster.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::errors::WebError;
use super::session::CurrentUser;
use super::{AppState, ctx::Ctx, render};
use crate::accounts::User;
use crate::campaigns::{self, ClusterSummary, Overview, PAGE_SIZE, minhash};
use crate::comments::{Comment, CommentState};
use crate::consultations::Consultation;
use crate::db;
use crate::roles::Role;

/// The page asked for.
#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

impl PageQuery {
    fn page(&self) -> Result<i64, WebError> {
        match self.page {
            None => Ok(1),
            Some(p) if p >= 1 => Ok(p),
            Some(_) => Err(WebError::BadRequest("campaigns-bad-page")),
        }
    }
}

/// Loads consultation `slug` and checks that `user` drafts it (site administrators pass too).
async fn drafted(state: &AppState, slug: String, user: &User) -> Result<Consultation, WebError> {
    super::session::consultation_in_role(
        state,
        slug,
        user,
        Role::Drafter,
        "campaigns-drafters-only",
    )
    .await
}

fn pages_of(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    ctx: Ctx,
    c: Consultation,
    overview: Overview,
    clusters: Vec<ClusterSummary>,
    page: i64,
    pages: i64,
}

#[get("/c/{slug}/campaigns")]
async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    slug: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    let page = query.page()?;
    let c = drafted(&state, slug.into_inner(), &user).await?;
    let id = c.id;
    let (overview, clusters) =
        db::run(&state.pool, move |conn| campaigns::page(conn, id, page)).await?;
    let pages = pages_of(overview.clusters);
    if page > pages {
        return Err(WebError::NotFound);
    }
    render(
        StatusCode::OK,
        &CampaignsPage {
            ctx,
            c,
            overview,
            clusters,
            page,
            pages,
        },
    )
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    ctx: Ctx,
    c: Consultation,
    cluster: ClusterSummary,
    /// Members with their estimated similarity to the representative, in percent.
    members: Vec<(Comment, u32)>,
    page: i64,
    pages: i64,
}

impl CampaignPage {
    /// The label of a member that readers do not see (held or hidden), if it is one.
    fn withheld_key(&self, m: &Comment) -> Option<&'static str> {
        match m.state {
            CommentState::Published => None,
            CommentState::Pending => Some("state-pending"),
            CommentState::Hidden => Some("state-hidden"),
        }
    }
}

#[get("/c/{slug}/campaigns/{id}")]
async fn members(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    path: web::Path<(String, i32)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, WebError> {
    let page = query.page()?;
    let (slug, cluster_id) = path.into_inner();
    let c = drafted(&state, slug, &user).await?;
    let id = c.id;
    let (cluster, members) = db::run(&state.pool, move |conn| {
        campaigns::members(conn, id, cluster_id, page)
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let pages = pages_of(cluster.size);
    if page > pages {
        return Err(WebError::NotFound);
    }
    let reference = minhash::signature(&cluster.representative.body);
    let members = members
        .into_iter()
        .map(|m| {
            let similarity = match (&reference, minhash::signature(&m.body)) {
                (Some(a), Some(b)) => (minhash::similarity(a, &b) * 100.0).round() as u32,
                _ => 0,
            };
            (m, similarity)
        })
        .collect();
    render(
        StatusCode::OK,
        &CampaignPage {
            ctx,
            c,
            cluster,
            members,
            page,
            pages,
        },
    )
}

/// Registers the campaign routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(members);
}
