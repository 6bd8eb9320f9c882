//! Administration: the organisation review queue, consultations and their drafters and moderators.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::accounts::FormErrors;
use super::errors::WebError;
use super::session::{self, Form};
use super::{AppState, ctx::Ctx, render};
use crate::accounts::User;
use crate::db;
use crate::organizations::{self, Decision, OrgError, Organization};

/// A signed-in site administrator; others get 403, anonymous visitors the log-in page.
pub struct AdminUser(pub User);

impl FromRequest for AdminUser {
    type Error = WebError;
    type Future = Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(
            match session::CurrentUser::from_request(req, payload).into_inner() {
                Ok(session::CurrentUser(user)) if user.is_admin => Ok(Self(user)),
                Ok(_) => Err(WebError::Forbidden("error-admin-only")),
                Err(e) => Err(e),
            },
        )
    }
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminIndex {
    ctx: Ctx,
    pending: usize,
}

#[get("/admin")]
async fn index(
    state: web::Data<AppState>,
    ctx: Ctx,
    _admin: AdminUser,
) -> Result<HttpResponse, WebError> {
    let pending = db::run(&state.pool, organizations::queue).await?.len();
    render(StatusCode::OK, &AdminIndex { ctx, pending })
}

#[derive(Template)]
#[template(path = "admin/organizations.html")]
struct QueuePage {
    ctx: Ctx,
    queue: Vec<(Organization, Option<String>)>,
    errors: FormErrors,
    failed_id: Option<i32>,
}

async fn queue_page(
    state: &AppState,
    ctx: Ctx,
    errors: FormErrors,
    failed_id: Option<i32>,
) -> Result<QueuePage, WebError> {
    let queue = db::run(&state.pool, organizations::queue).await?;
    Ok(QueuePage {
        ctx,
        queue,
        errors,
        failed_id,
    })
}

impl QueuePage {
    fn failed(&self, id: &i32) -> bool {
        self.failed_id == Some(*id)
    }
}

#[get("/admin/organizations")]
async fn org_queue(
    state: web::Data<AppState>,
    ctx: Ctx,
    _admin: AdminUser,
) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::OK,
        &queue_page(&state, ctx, FormErrors::default(), None).await?,
    )
}

/// What a review form sends.
#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

#[post("/admin/organizations/{id}")]
async fn review(
    state: web::Data<AppState>,
    ctx: Ctx,
    AdminUser(admin): AdminUser,
    id: web::Path<i32>,
    Form(form): Form<ReviewForm>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    let decision = match form.decision.as_str() {
        "verify" => Decision::Verify,
        "reject" => match organizations::parse_reason(&form.reason) {
            Ok(reason) => Decision::Reject(reason),
            Err(e) => {
                let mut errors = FormErrors::default();
                errors.push(e);
                let page = queue_page(&state, ctx, errors, Some(id)).await?;
                // Only a pending organisation has a form to show the message beside.
                if !page.queue.iter().any(|(o, _)| o.id == id) {
                    return Err(WebError::NotFound);
                }
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        },
        _ => return Err(WebError::BadRequest("error-form-invalid")),
    };
    let now = state.now();
    let flash = match decision {
        Decision::Verify => "flash-org-verified",
        Decision::Reject(_) => "flash-org-rejected",
    };
    match db::run(&state.pool, move |conn| {
        Ok(organizations::review(conn, id, &decision, admin.id, now))
    })
    .await?
    {
        Ok(()) => Ok(state.redirect_with_flash("/admin/organizations", flash)),
        Err(OrgError::NotPending) => Err(WebError::NotFound),
        Err(OrgError::Db(e)) => Err(e.into()),
        Err(e) => Err(WebError::Internal(e.to_string())),
    }
}

/// Registers the administration pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(org_queue)
        .service(review)
        .configure(consultations::routes);
}

/// The consultation pages of the administration.
mod consultations {
    use actix_multipart::form::MultipartForm;
    use actix_multipart::form::bytes::Bytes as UploadBytes;
    use actix_multipart::form::text::Text;
    use actix_web::http::{StatusCode, header};
    use actix_web::{HttpRequest, HttpResponse, get, post, web};
    use askama::Template;
    use serde::Deserialize;

    use super::AdminUser;
    use crate::consultations::{self, Consultation, ConsultationInput, RiskTier, Slug};
    use crate::db;
    use crate::drafts::{self, ImportDraftError, NewConsultation};
    use crate::reading;
    use crate::roles::{self, Role, RoleHolder};
    use crate::validation::FieldError;
    use crate::web::accounts::FormErrors;
    use crate::web::errors::WebError;
    use crate::web::session::{self, Form};
    use crate::web::{AppState, ctx::Ctx, render};

    #[derive(Template)]
    #[template(path = "admin/consultations.html")]
    struct ListPage {
        ctx: Ctx,
        items: Vec<Consultation>,
    }

    #[get("/admin/consultations")]
    async fn consultation_list(
        state: web::Data<AppState>,
        ctx: Ctx,
        _admin: AdminUser,
    ) -> Result<HttpResponse, WebError> {
        let now = state.now();
        let items = db::run(&state.pool, move |conn| {
            reading::list(conn, Default::default(), now)
        })
        .await?;
        render(StatusCode::OK, &ListPage { ctx, items })
    }

    #[derive(Template)]
    #[template(path = "admin/consultation_form.html")]
    struct FormPage {
        ctx: Ctx,
        slug: Option<String>,
        new_slug: String,
        input: ConsultationInput,
        draft_text: String,
        errors: FormErrors,
        import_error: Option<String>,
        tiers: [RiskTier; 3],
    }

    impl FormPage {
        fn tier_selected(&self, t: &RiskTier) -> bool {
            self.input.risk_tier == t.as_str()
        }
    }

    fn form_page(ctx: Ctx, slug: Option<String>, input: ConsultationInput) -> FormPage {
        FormPage {
            ctx,
            slug,
            new_slug: String::new(),
            input,
            draft_text: String::new(),
            errors: FormErrors::default(),
            import_error: None,
            tiers: RiskTier::ALL,
        }
    }

    #[get("/admin/consultations/new")]
    async fn consultation_new_form(
        state: web::Data<AppState>,
        ctx: Ctx,
        _admin: AdminUser,
    ) -> Result<HttpResponse, WebError> {
        let now = state.now();
        let input = ConsultationInput {
            risk_tier: RiskTier::Medium.as_str().into(),
            opens: consultations::day_of(now, false),
            closes: consultations::day_of(now + chrono::Duration::days(30), true),
            ..ConsultationInput::default()
        };
        render(StatusCode::OK, &form_page(ctx, None, input))
    }

    /// The creation form: fields, and the draft as a file or pasted text.
    #[derive(MultipartForm)]
    struct NewUpload {
        csrf: Text<String>,
        slug: Text<String>,
        title: Text<String>,
        title_en: Text<String>,
        issuer: Text<String>,
        issuer_en: Text<String>,
        summary: Text<String>,
        summary_en: Text<String>,
        risk_tier: Text<String>,
        topics: Text<String>,
        opens: Text<String>,
        closes: Text<String>,
        draft_text: Text<String>,
        #[multipart(limit = "6MiB")]
        draft: Option<UploadBytes>,
    }

    #[post("/admin/consultations/new")]
    async fn consultation_create(
        state: web::Data<AppState>,
        req: HttpRequest,
        ctx: Ctx,
        _admin: AdminUser,
        MultipartForm(form): MultipartForm<NewUpload>,
    ) -> Result<HttpResponse, WebError> {
        session::check_csrf(&req, &form.csrf)?;
        let input = ConsultationInput {
            title: form.title.into_inner(),
            title_en: form.title_en.into_inner(),
            issuer: form.issuer.into_inner(),
            issuer_en: form.issuer_en.into_inner(),
            summary: form.summary.into_inner(),
            summary_en: form.summary_en.into_inner(),
            risk_tier: form.risk_tier.into_inner(),
            topics: form.topics.into_inner(),
            opens: form.opens.into_inner(),
            closes: form.closes.into_inner(),
        };
        let slug_raw = form.slug.into_inner();
        let pasted = form.draft_text.into_inner();
        let (bytes, file_name) = match form.draft.filter(|f| !f.data.is_empty()) {
            Some(f) => (
                f.data.to_vec(),
                f.file_name.unwrap_or_else(|| "draft.txt".into()),
            ),
            None => (pasted.clone().into_bytes(), "pasted text".to_owned()),
        };
        let mut errors = FormErrors::default();
        let slug = Slug::parse(slug_raw.trim())
            .map_err(|_| errors.push(FieldError::new("slug", "slug-invalid")))
            .ok();
        let edit = input
            .validate(Some(""))
            .map_err(|list| list.into_iter().for_each(|e| errors.push(e)))
            .ok();
        if bytes.is_empty() {
            errors.push(FieldError::new("draft", "draft-missing"));
        }
        let fail = |ctx, errors, import_error| {
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    ctx,
                    slug: None,
                    new_slug: slug_raw.clone(),
                    input: input.clone(),
                    draft_text: pasted.clone(),
                    errors,
                    import_error,
                    tiers: RiskTier::ALL,
                },
            )
        };
        let (Some(slug), Some(edit), true) = (slug, edit, errors.is_empty()) else {
            return fail(ctx, errors, None);
        };
        let meta = NewConsultation {
            slug,
            title: (!edit.title.is_empty()).then_some(edit.title),
            title_en: edit.title_en,
            issuer: edit.issuer,
            issuer_en: edit.issuer_en,
            summary: edit.summary,
            summary_en: edit.summary_en,
            risk_tier: edit.risk_tier,
            topics: edit.topics,
            is_demo: false,
            opens_at: edit.opens_at,
            closes_at: edit.closes_at,
        };
        let now = state.now();
        let slug_for_url = meta.slug.as_str().to_owned();
        let result = db::run(&state.pool, move |conn| {
            Ok(drafts::import_new_consultation(
                conn, &bytes, &file_name, &meta, now,
            ))
        })
        .await?;
        match result {
            Ok(_) => Ok(state
                .redirect_with_flash(format!("/c/{slug_for_url}"), "flash-consultation-created")),
            Err(ImportDraftError::SlugTaken(_)) => {
                let mut errors = FormErrors::default();
                errors.push(FieldError::new("slug", "slug-taken"));
                fail(ctx, errors, None)
            }
            Err(ImportDraftError::Parse(e)) => {
                fail(ctx, FormErrors::default(), Some(e.to_string()))
            }
            Err(ImportDraftError::Db(e)) => Err(e.into()),
            Err(e) => fail(ctx, FormErrors::default(), Some(e.to_string())),
        }
    }

    async fn load(state: &AppState, slug: String) -> Result<Consultation, WebError> {
        db::run(&state.pool, move |conn| {
            Ok(db::consultations::by_slug(conn, &slug)?)
        })
        .await?
        .ok_or(WebError::NotFound)
    }

    #[get("/admin/consultations/{slug}/edit")]
    async fn consultation_edit_form(
        state: web::Data<AppState>,
        ctx: Ctx,
        _admin: AdminUser,
        slug: web::Path<String>,
    ) -> Result<HttpResponse, WebError> {
        let c = load(&state, slug.into_inner()).await?;
        render(
            StatusCode::OK,
            &form_page(
                ctx,
                Some(c.slug.clone()),
                ConsultationInput::from_consultation(&c),
            ),
        )
    }

    #[post("/admin/consultations/{slug}/edit")]
    async fn consultation_save(
        state: web::Data<AppState>,
        ctx: Ctx,
        _admin: AdminUser,
        slug: web::Path<String>,
        Form(input): Form<ConsultationInput>,
    ) -> Result<HttpResponse, WebError> {
        let c = load(&state, slug.into_inner()).await?;
        match input.validate(None) {
            Ok(edit) => {
                let id = c.id;
                db::run(&state.pool, move |conn| {
                    consultations::update(conn, id, &edit)
                })
                .await?;
                Ok(state.redirect_with_flash(format!("/c/{}", c.slug), "flash-consultation-saved"))
            }
            Err(list) => {
                let mut page = form_page(ctx, Some(c.slug), input);
                list.into_iter().for_each(|e| page.errors.push(e));
                render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
        }
    }

    #[derive(Template)]
    #[template(path = "admin/roles.html")]
    struct RolesPage {
        ctx: Ctx,
        c: Consultation,
        holders: Vec<RoleHolder>,
        email: String,
        errors: FormErrors,
        roles: [Role; 2],
    }

    async fn roles_page(
        state: &AppState,
        ctx: Ctx,
        c: Consultation,
        email: String,
        errors: FormErrors,
    ) -> Result<RolesPage, WebError> {
        let id = c.id;
        let holders = db::run(&state.pool, move |conn| roles::holders(conn, id)).await?;
        Ok(RolesPage {
            ctx,
            c,
            holders,
            email,
            errors,
            roles: Role::ALL,
        })
    }

    #[get("/admin/consultations/{slug}/roles")]
    async fn roles_list(
        state: web::Data<AppState>,
        ctx: Ctx,
        _admin: AdminUser,
        slug: web::Path<String>,
    ) -> Result<HttpResponse, WebError> {
        let c = load(&state, slug.into_inner()).await?;
        render(
            StatusCode::OK,
            &roles_page(&state, ctx, c, String::new(), FormErrors::default()).await?,
        )
    }

    /// What the grant form sends.
    #[derive(Deserialize)]
    struct GrantForm {
        #[serde(default)]
        email: String,
        #[serde(default)]
        role: String,
    }

    #[post("/admin/consultations/{slug}/roles")]
    async fn role_grant(
        state: web::Data<AppState>,
        ctx: Ctx,
        _admin: AdminUser,
        slug: web::Path<String>,
        Form(form): Form<GrantForm>,
    ) -> Result<HttpResponse, WebError> {
        let c = load(&state, slug.into_inner()).await?;
        let role = Role::parse(&form.role).ok_or(WebError::BadRequest("error-form-invalid"))?;
        let email = match crate::accounts::parse_email(&form.email) {
            Ok(e) => e,
            Err(e) => {
                let mut errors = FormErrors::default();
                errors.push(e);
                return render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &roles_page(&state, ctx, c, form.email, errors).await?,
                );
            }
        };
        let (id, now, target) = (c.id, state.now(), email.clone());
        let result = db::run(&state.pool, move |conn| {
            Ok(roles::grant(conn, id, &target, role, now))
        })
        .await?;
        match result {
            Ok(()) => Ok(HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/admin/consultations/{}/roles", c.slug),
                ))
                .finish()),
            Err(e) => match e.field_error() {
                Some(fe) => {
                    let mut errors = FormErrors::default();
                    errors.push(fe);
                    render(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &roles_page(&state, ctx, c, email, errors).await?,
                    )
                }
                None => Err(WebError::Internal(e.to_string())),
            },
        }
    }

    /// What a revoke button sends.
    #[derive(Deserialize)]
    struct RevokeForm {
        user_id: i32,
        #[serde(default)]
        role: String,
    }

    #[post("/admin/consultations/{slug}/roles/revoke")]
    async fn role_revoke(
        state: web::Data<AppState>,
        _admin: AdminUser,
        slug: web::Path<String>,
        Form(form): Form<RevokeForm>,
    ) -> Result<HttpResponse, WebError> {
        let c = load(&state, slug.into_inner()).await?;
        let role = Role::parse(&form.role).ok_or(WebError::BadRequest("error-form-invalid"))?;
        let (id, user_id) = (c.id, form.user_id);
        db::run(&state.pool, move |conn| {
            roles::revoke(conn, id, user_id, role)
        })
        .await?;
        Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/admin/consultations/{}/roles", c.slug),
            ))
            .finish())
    }

    /// Registers the consultation administration pages.
    pub fn routes(cfg: &mut web::ServiceConfig) {
        cfg.service(consultation_list)
            .service(consultation_new_form)
            .service(consultation_create)
            .service(consultation_edit_form)
            .service(consultation_save)
            .service(roles_list)
            .service(role_grant)
            .service(role_revoke);
    }
}
