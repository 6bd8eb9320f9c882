//! An organisational account registers the organisation it speaks for.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::accounts::FormErrors;
use super::errors::WebError;
use super::session::{CurrentUser, Form};
use super::{AppState, ctx::Ctx, render};
use crate::accounts::{FieldError, StakeholderType, User};
use crate::db;
use crate::organizations::{self, ORG_TYPES, OrgError, OrgStatus, Organization};

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    ctx: Ctx,
    user: User,
    org: Option<Organization>,
    form: OrgForm,
    errors: FormErrors,
    types: [StakeholderType; 5],
}

impl OrganizationPage {
    fn type_selected(&self, t: &StakeholderType) -> bool {
        self.form.org_type == t.as_str()
    }

    fn status_key(&self) -> &'static str {
        match self.org.as_ref().map(|o| o.status) {
            Some(OrgStatus::Verified) => "org-status-verified",
            Some(OrgStatus::Rejected) => "org-status-rejected",
            _ => "org-status-pending",
        }
    }

    fn may_register(&self) -> bool {
        self.org.is_none() && ORG_TYPES.contains(&self.user.stakeholder_type)
    }
}

/// What the organisation form sends.
#[derive(Clone, Debug, Default, Deserialize)]
struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    org_type: String,
    #[serde(default)]
    uscc: String,
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    user: User,
    form: Option<OrgForm>,
    errors: FormErrors,
) -> Result<OrganizationPage, WebError> {
    let org = match user.organization_id {
        Some(id) => db::run(&state.pool, move |conn| organizations::get(conn, id)).await?,
        None => None,
    };
    let form = form.unwrap_or_else(|| OrgForm {
        org_type: user.stakeholder_type.as_str().into(),
        ..OrgForm::default()
    });
    Ok(OrganizationPage {
        ctx,
        user,
        org,
        form,
        errors,
        types: ORG_TYPES,
    })
}

#[get("/account/organization")]
async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::OK,
        &page(&state, ctx, user, None, FormErrors::default()).await?,
    )
}

#[post("/account/organization")]
async fn register(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    Form(form): Form<OrgForm>,
) -> Result<HttpResponse, WebError> {
    // The page shows no form to someone who may not register: say so rather than re-render it.
    if user.organization_id.is_some() || !ORG_TYPES.contains(&user.stakeholder_type) {
        return Err(WebError::Forbidden("error-org-not-allowed"));
    }
    let new = match organizations::validate(&form.name, &form.org_type, &form.uscc) {
        Ok(n) => n,
        Err(list) => {
            let mut errors = FormErrors::default();
            list.into_iter().for_each(|e| errors.push(e));
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, ctx, user, Some(form), errors).await?,
            );
        }
    };
    let now = state.now();
    let registering = user.clone();
    let result = db::run(&state.pool, move |conn| {
        Ok(organizations::register(conn, &registering, &new, now))
    })
    .await?;
    let field_error = |e| {
        let mut errors = FormErrors::default();
        errors.push(e);
        errors
    };
    match result {
        Ok(_) => Ok(state.redirect_with_flash("/account/organization", "flash-org-registered")),
        Err(OrgError::UsccTaken) => {
            let errors = field_error(FieldError::new("uscc", "uscc-taken"));
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, ctx, user, Some(form), errors).await?,
            )
        }
        Err(OrgError::AlreadyMember | OrgError::NotOrganisational) => {
            Err(WebError::Forbidden("error-org-not-allowed"))
        }
        Err(OrgError::NotPending) => Err(WebError::BadRequest("error-form-invalid")),
        Err(OrgError::Db(e)) => Err(e.into()),
    }
}

/// Registers the organisation pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(register);
}
