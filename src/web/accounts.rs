//! Account pages: register, verify, log in and out, reset a password, the profile.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::errors::WebError;
use super::session::{self, ClientAddr, CurrentUser, Form};
use super::{AppState, ctx::Ctx, render};
use crate::accounts::{
    self, AccountError, FieldError, Links, Registration, StakeholderType, password,
};
use crate::db;

/// The validation messages of a form, by field.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    /// Adds an error.
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// Keeps the value of a field that passed, or records its error.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// Whether every field passed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The error on `field`, if it failed.
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// Whether `field` failed.
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
}

fn links(state: &AppState) -> Links {
    Links {
        base_url: state.config.base_url.clone(),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// A local path to return to after logging in; anything else (other hosts, `//host`) becomes `/account`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 512 =>
        {
            n.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

/// A redirect that also removes the session cookie, for when the session has just ended.
fn signed_out(
    state: &AppState,
    location: &str,
    flash: &'static str,
) -> Result<HttpResponse, WebError> {
    let mut resp = state.redirect_with_flash(location, flash);
    resp.add_cookie(&session::clear_session_cookie(state.secure_cookies()))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(resp)
}

fn account_error(e: AccountError) -> WebError {
    match e {
        AccountError::Throttled(t) => WebError::Throttled(t.until),
        AccountError::InvalidToken => WebError::BadRequest("error-token-invalid"),
        AccountError::NoSuchUser => WebError::NotFound,
        AccountError::Db(d) => d.into(),
        AccountError::EmailTaken | AccountError::BadCredentials { .. } => {
            WebError::Internal(e.to_string())
        }
    }
}

fn hash_error(e: password::HashError) -> WebError {
    WebError::Internal(e.to_string())
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: Ctx,
    form: RegisterForm,
    errors: FormErrors,
    types: [StakeholderType; 7],
}

/// What the registration form sends.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    stakeholder_type: String,
    #[serde(default, skip_serializing)]
    password: String,
}

impl RegisterPage {
    fn type_selected(&self, t: &StakeholderType) -> bool {
        self.form.stakeholder_type == t.as_str()
    }
}

#[get("/register")]
async fn register_form(ctx: Ctx) -> Result<HttpResponse, WebError> {
    let form = RegisterForm {
        stakeholder_type: StakeholderType::Citizen.as_str().into(),
        ..RegisterForm::default()
    };
    render(
        StatusCode::OK,
        &RegisterPage {
            ctx,
            form,
            errors: FormErrors::default(),
            types: StakeholderType::ALL,
        },
    )
}

#[post("/register")]
async fn register(
    state: web::Data<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(form): Form<RegisterForm>,
) -> Result<HttpResponse, WebError> {
    let mut errors = FormErrors::default();
    let email = errors.check(accounts::parse_email(&form.email));
    let name = errors.check(accounts::parse_display_name(&form.display_name));
    let kind = errors.check(accounts::parse_stakeholder_type(&form.stakeholder_type));
    errors.check(accounts::check_new_password(
        &form.password,
        &form.email,
        &form.display_name,
    ));
    let page = |ctx, errors| RegisterPage {
        ctx,
        form: RegisterForm {
            password: String::new(),
            ..form.clone()
        },
        errors,
        types: StakeholderType::ALL,
    };
    let (Some(email), Some(display_name), Some(stakeholder_type), true) =
        (email, name, kind, errors.is_empty())
    else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page(ctx, errors));
    };
    let password_hash = password::hash(form.password.clone())
        .await
        .map_err(hash_error)?;
    let reg = Registration {
        email,
        display_name,
        password_hash,
        stakeholder_type,
        locale: ctx.locale,
    };
    let links = links(&state);
    let now = state.now();
    let result = db::run(&state.pool, move |conn| {
        Ok(accounts::register(conn, &reg, &client.0, &links, now))
    })
    .await?;
    match result {
        Ok(session) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/account"))
            .cookie(session::session_cookie(
                session.token,
                state.secure_cookies(),
            ))
            .cookie(session::flash_cookie(
                "flash-registered",
                state.secure_cookies(),
            ))
            .finish()),
        Err(AccountError::EmailTaken) => {
            let mut errors = FormErrors::default();
            errors.push(FieldError::new("email", "email-taken"));
            render(StatusCode::UNPROCESSABLE_ENTITY, &page(ctx, errors))
        }
        Err(e) => Err(account_error(e)),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    email: String,
    next: String,
    general: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// What the log-in form sends.
#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[get("/login")]
async fn login_form(ctx: Ctx, query: web::Query<NextQuery>) -> Result<HttpResponse, WebError> {
    let next = safe_next(query.next.as_deref());
    render(
        StatusCode::OK,
        &LoginPage {
            ctx,
            email: String::new(),
            next,
            general: None,
        },
    )
}

#[post("/login")]
async fn login(
    state: web::Data<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let next = safe_next(form.next.as_deref());
    let failed = |ctx: Ctx, message: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                email: form.email.clone(),
                next: next.clone(),
                general: Some(message),
                ctx,
            },
        )
    };
    let Ok(email) = accounts::parse_email(&form.email) else {
        let message = ctx.t("login-failed");
        return failed(ctx, message);
    };
    if form.password.is_empty() || form.password.chars().count() > password::MAX_LEN {
        let message = ctx.t("login-failed");
        return failed(ctx, message);
    }
    let now = state.now();
    let (lookup_email, client_addr) = (email.clone(), client.0.clone());
    let target = db::run(&state.pool, move |conn| {
        Ok(accounts::begin_login(
            conn,
            &lookup_email,
            &client_addr,
            now,
        ))
    })
    .await?
    .map_err(account_error)?;
    let ok = password::verify(form.password.clone(), target.password_hash)
        .await
        .map_err(hash_error)?;
    let user = target.user;
    let outcome = db::run(&state.pool, move |conn| {
        Ok(accounts::finish_login(
            conn, &email, user, ok, &client.0, now,
        ))
    })
    .await?;
    match outcome {
        Ok(session) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, next.clone()))
            .cookie(session::session_cookie(
                session.token,
                state.secure_cookies(),
            ))
            .finish()),
        Err(AccountError::BadCredentials { locked, failures }) => {
            // From the third failure on, each answer comes half a second later than the last.
            let delay = u64::try_from(failures.saturating_sub(2).min(4)).unwrap_or(0) * 500;
            actix_web::rt::time::sleep(std::time::Duration::from_millis(delay)).await;
            let message = match locked {
                Some(t) => format!("{} {}", ctx.t("login-failed"), ctx.retry_message(&t.until)),
                None => ctx.t("login-failed"),
            };
            failed(ctx, message)
        }
        Err(e) => Err(account_error(e)),
    }
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
struct EmptyForm {}

#[post("/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    Form(_): Form<EmptyForm>,
) -> Result<HttpResponse, WebError> {
    if let Some(token) = session::of(&req).token {
        db::run(&state.pool, move |conn| accounts::logout(conn, &token)).await?;
    }
    signed_out(&state, "/", "flash-logged-out")
}

#[derive(Template)]
#[template(path = "token_form.html")]
struct TokenFormPage {
    ctx: Ctx,
    title_key: &'static str,
    intro_key: &'static str,
    action: &'static str,
    button_key: &'static str,
    token: String,
    with_password: bool,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// The link in the verification mail opens a page with a button: mail scanners fetch links, and
/// a GET must not change anything.
#[get("/verify")]
async fn verify_form(
    ctx: Ctx,
    query: web::Query<session::TokenQuery>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&query.token)?;
    render(
        StatusCode::OK,
        &TokenFormPage {
            ctx,
            title_key: "verify-title",
            intro_key: "verify-intro",
            action: "/verify",
            button_key: "verify-button",
            token: query.token.clone(),
            with_password: false,
            errors: FormErrors::default(),
        },
    )
}

#[post("/verify")]
async fn verify(
    state: web::Data<AppState>,
    Form(form): Form<TokenForm>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&form.token)?;
    let now = state.now();
    db::run(&state.pool, move |conn| {
        Ok(accounts::verify_email(conn, &form.token, now))
    })
    .await?
    .map_err(account_error)?;
    Ok(state.redirect_with_flash("/account", "flash-verified"))
}

#[post("/account/verify/resend")]
async fn resend_verification(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
    client: ClientAddr,
    Form(_): Form<EmptyForm>,
) -> Result<HttpResponse, WebError> {
    if user.is_verified() {
        return Ok(see_other("/account"));
    }
    let links = links(&state);
    let now = state.now();
    db::run(&state.pool, move |conn| {
        Ok(accounts::resend_verification(
            conn, &user, &client.0, &links, now,
        ))
    })
    .await?
    .map_err(account_error)?;
    Ok(state.redirect_with_flash("/account", "flash-verification-sent"))
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetRequestPage {
    ctx: Ctx,
    sent: bool,
    email: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

#[get("/password-reset")]
async fn reset_request_form(ctx: Ctx) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::OK,
        &ResetRequestPage {
            ctx,
            sent: false,
            email: String::new(),
            errors: FormErrors::default(),
        },
    )
}

#[post("/password-reset")]
async fn reset_request(
    state: web::Data<AppState>,
    ctx: Ctx,
    client: ClientAddr,
    Form(form): Form<ResetRequestForm>,
) -> Result<HttpResponse, WebError> {
    let email = match accounts::parse_email(&form.email) {
        Ok(e) => e,
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.push(e);
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ResetRequestPage {
                    ctx,
                    sent: false,
                    email: form.email,
                    errors,
                },
            );
        }
    };
    let links = links(&state);
    let now = state.now();
    db::run(&state.pool, move |conn| {
        Ok(accounts::request_password_reset(
            conn, &email, &client.0, &links, now,
        ))
    })
    .await?
    .map_err(account_error)?;
    render(
        StatusCode::OK,
        &ResetRequestPage {
            ctx,
            sent: true,
            email: String::new(),
            errors: FormErrors::default(),
        },
    )
}

fn reset_page(ctx: Ctx, token: String, errors: FormErrors) -> TokenFormPage {
    TokenFormPage {
        ctx,
        title_key: "reset-confirm-title",
        intro_key: "reset-confirm-intro",
        action: "/password-reset/confirm",
        button_key: "reset-confirm-button",
        token,
        with_password: true,
        errors,
    }
}

#[get("/password-reset/confirm")]
async fn reset_confirm_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    query: web::Query<session::TokenQuery>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&query.token)?;
    let (token, now) = (query.token.clone(), state.now());
    let user = db::run(&state.pool, move |conn| {
        accounts::reset_token_user(conn, &token, now)
    })
    .await?;
    if user.is_none() {
        return Err(WebError::BadRequest("error-token-invalid"));
    }
    render(
        StatusCode::OK,
        &reset_page(ctx, query.token.clone(), FormErrors::default()),
    )
}

#[post("/password-reset/confirm")]
async fn reset_confirm(
    state: web::Data<AppState>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Result<HttpResponse, WebError> {
    session::check_token(&form.token)?;
    let (token, now) = (form.token.clone(), state.now());
    let user = db::run(&state.pool, move |conn| {
        accounts::reset_token_user(conn, &token, now)
    })
    .await?
    .ok_or(WebError::BadRequest("error-token-invalid"))?;
    if let Err(e) = accounts::check_new_password(&form.password, &user.email, &user.display_name) {
        let mut errors = FormErrors::default();
        errors.push(e);
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &reset_page(ctx, form.token, errors),
        );
    }
    let hash = password::hash(form.password).await.map_err(hash_error)?;
    let token = form.token;
    db::run(&state.pool, move |conn| {
        Ok(accounts::complete_password_reset(conn, &token, &hash, now))
    })
    .await?
    .map_err(account_error)?;
    signed_out(&state, "/login", "flash-password-reset")
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    user: accounts::User,
    form: ProfileForm,
    types: [StakeholderType; 7],
    errors: FormErrors,
}

impl AccountPage {
    fn type_selected(&self, t: &StakeholderType) -> bool {
        self.form.stakeholder_type == t.as_str()
    }
}

/// What the profile form sends.
#[derive(Clone, Debug, Default, Deserialize)]
struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    stakeholder_type: String,
}

fn account_page(
    ctx: Ctx,
    user: accounts::User,
    form: Option<ProfileForm>,
    errors: FormErrors,
) -> AccountPage {
    let form = form.unwrap_or_else(|| ProfileForm {
        display_name: user.display_name.clone(),
        stakeholder_type: user.stakeholder_type.as_str().into(),
    });
    AccountPage {
        ctx,
        user,
        form,
        types: StakeholderType::ALL,
        errors,
    }
}

#[get("/account")]
async fn account(ctx: Ctx, CurrentUser(user): CurrentUser) -> Result<HttpResponse, WebError> {
    render(
        StatusCode::OK,
        &account_page(ctx, user, None, FormErrors::default()),
    )
}

#[post("/account/profile")]
async fn update_profile(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    Form(form): Form<ProfileForm>,
) -> Result<HttpResponse, WebError> {
    let mut errors = FormErrors::default();
    let name = errors.check(accounts::parse_display_name(&form.display_name));
    let kind = errors.check(accounts::parse_stakeholder_type(&form.stakeholder_type));
    let (Some(name), Some(kind)) = (name, kind) else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &account_page(ctx, user, Some(form), errors),
        );
    };
    let id = user.id;
    db::run(&state.pool, move |conn| {
        accounts::update_profile(conn, id, &name, kind)
    })
    .await?;
    Ok(state.redirect_with_flash("/account", "flash-profile-saved"))
}

/// What the password and deletion forms send.
#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn current_password_ok(
    state: &AppState,
    user_id: i32,
    given: String,
) -> Result<bool, WebError> {
    if given.is_empty() || given.chars().count() > password::MAX_LEN {
        return Ok(false);
    }
    let stored = db::run(&state.pool, move |conn| {
        accounts::password_hash_of(conn, user_id)
    })
    .await?;
    password::verify(given, stored).await.map_err(hash_error)
}

#[post("/account/password")]
async fn change_password(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    let mut errors = FormErrors::default();
    if !current_password_ok(&state, user.id, form.current_password).await? {
        errors.push(FieldError::new("current_password", "password-wrong"));
    }
    if let Err(mut e) =
        accounts::check_new_password(&form.new_password, &user.email, &user.display_name)
    {
        e.field = "new_password";
        errors.push(e);
    }
    if !errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &account_page(ctx, user, None, errors),
        );
    }
    let hash = password::hash(form.new_password)
        .await
        .map_err(hash_error)?;
    let now = state.now();
    let session = db::run(&state.pool, move |conn| {
        Ok(accounts::change_password(conn, user, &hash, now))
    })
    .await?
    .map_err(account_error)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/account"))
        .cookie(session::session_cookie(
            session.token,
            state.secure_cookies(),
        ))
        .cookie(session::flash_cookie(
            "flash-password-changed",
            state.secure_cookies(),
        ))
        .finish())
}

#[get("/account/export.json")]
async fn export(
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, WebError> {
    let data = db::run(&state.pool, move |conn| accounts::export(conn, &user)).await?;
    let body =
        serde_json::to_string_pretty(&data).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"yijian-my-data.json\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

#[post("/account/delete")]
async fn delete_account(
    state: web::Data<AppState>,
    ctx: Ctx,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    if !current_password_ok(&state, user.id, form.current_password).await? {
        let mut errors = FormErrors::default();
        errors.push(FieldError::new("delete_password", "password-wrong"));
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &account_page(ctx, user, None, errors),
        );
    }
    let (id, now) = (user.id, state.now());
    db::run(&state.pool, move |conn| {
        accounts::delete_account(conn, id, now)
    })
    .await?;
    signed_out(&state, "/", "flash-account-deleted")
}

/// Registers the account pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(register_form)
        .service(register)
        .service(login_form)
        .service(login)
        .service(logout)
        .service(verify_form)
        .service(verify)
        .service(resend_verification)
        .service(reset_request_form)
        .service(reset_request)
        .service(reset_confirm_form)
        .service(reset_confirm)
        .service(account)
        .service(update_profile)
        .service(change_password)
        .service(export)
        .service(delete_account);
}
