//! Application endpoints: the booth's single request, the web's three steps, the status lookup.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::api::{
    admit_upload, bad, check_length, read_form, read_form_with, vet_admitted, ApiError,
};
use super::session::{self, APPLICANT_COOKIE};
use super::AppState;
use crate::application::{
    eligibility, next_step, Channel, ContactName, DateOfBirth, Email, FormId,
};
use crate::auth::{self, LinkError};
use crate::mail::templates::Lang;
use crate::office::{today_jst, BoothForm, IntakeError};
use crate::store::applications::mask_form_id;
use crate::vetting::VetContext;

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Invalid {
                code,
                message,
                message_ja,
            } => ApiError::Domain {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code,
                message,
                message_ja: Some(message_ja),
            },
            IntakeError::Conflict {
                code,
                message,
                message_ja,
            } => ApiError::Domain {
                status: StatusCode::CONFLICT,
                code,
                message,
                message_ja: Some(message_ja),
            },
            IntakeError::KeyReused => ApiError::domain(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was already used for a different request",
                "このIdempotency-Keyは別の申請に使用済みです。",
            ),
            IntakeError::NotFound => ApiError::domain(
                StatusCode::NOT_FOUND,
                "no_application",
                "no such application",
                "申請が見つかりません。",
            ),
            e => ApiError::Internal(e.to_string()),
        }
    }
}

fn field_error(code: &'static str, en: String, ja: String) -> ApiError {
    ApiError::Domain {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code,
        message: en,
        message_ja: Some(ja),
    }
}

pub(crate) fn parse_form_id(s: &str) -> Result<FormId, ApiError> {
    FormId::parse(s).map_err(|e| field_error(e.code(), e.to_string(), e.message_ja()))
}

pub(crate) fn parse_dob(s: &str) -> Result<DateOfBirth, ApiError> {
    DateOfBirth::parse(s, today_jst())
        .map_err(|e| field_error(e.code(), e.to_string(), e.message_ja()))
}

fn parse_yes_no(field: &'static str, s: &str) -> Result<bool, ApiError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "on" => Ok(true),
        "no" | "false" | "0" | "off" => Ok(false),
        _ => Err(field_error(
            "invalid_choice",
            format!("{field} must be yes or no"),
            format!("{field} は「はい」か「いいえ」を選んでください。"),
        )),
    }
}

fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

fn require<'a>(fields: &'a [(String, String)], name: &'static str) -> Result<&'a str, ApiError> {
    get(fields, name).ok_or_else(|| {
        field_error(
            "missing_field",
            format!("the form has no '{name}' field"),
            format!("{name} が入力されていません。"),
        )
    })
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get("Authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The booth whose token the request carries (`Authorization: Bearer`); 401 when there is none
/// or it is unknown or revoked.
pub(crate) async fn authenticated_booth(
    office: &crate::office::Office,
    req: &HttpRequest,
) -> Result<auth::Booth, ApiError> {
    let unauthorized = || {
        ApiError::domain(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid booth token is required (Authorization: Bearer ...)",
            "ブース用トークンが必要です。",
        )
    };
    let token = bearer(req).ok_or_else(unauthorized)?;
    auth::booth_by_token(&office.db, token)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(unauthorized)
}

/// `POST /api/v1/applications`: a booth sends the whole application in one request.
#[utoipa::path(post, path = "/api/v1/applications", tag = "booth",
    request_body(content = crate::web::openapi::BoothApplication, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = String, Header, description = "1-128 letters, digits, '-', '_', '.', ':'; the same key for every retry of one application")),
    security(("booth_token" = [])),
    responses(
        (status = 201, description = "A new application (a retry with the same key gets the first answer again, with Idempotent-Replayed: true)", body = serde_json::Value),
        (status = 200, description = "A retake for the same form ID and date of birth", body = serde_json::Value),
        (status = 400, description = "A field is missing or invalid", body = crate::web::openapi::ErrorBody),
        (status = 401, description = "No valid booth token", body = crate::web::openapi::ErrorBody),
        (status = 409, description = "The application cannot take this now (e.g. already forwarded)", body = crate::web::openapi::ErrorBody),
        (status = 422, description = "An entry is invalid, or the key was used for a different request (idempotency_key_reused)", body = crate::web::openapi::ErrorBody),
        (status = 503, description = "Busy or applications disabled", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn submit_booth(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    let booth = authenticated_booth(office, &req).await?;
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| {
            (1..=128).contains(&k.len())
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .ok_or_else(|| {
            bad(
                "missing_idempotency_key",
                "an Idempotency-Key header (1-128 letters, digits, '-', '_', '.', ':') is required",
            )
        })?
        .to_string();
    // Admitted (and the declared size checked) before a byte of the upload is read.
    check_length(&req, state.vetter.profile.input.max_bytes)?;
    let permit = admit_upload(&state).await?;
    let (fields, photo) = read_form(
        form,
        state.vetter.profile.input.max_bytes,
        &[
            "form_id",
            "date_of_birth",
            "certificates",
            "braille",
            "exception_reason",
        ],
    )
    .await?;
    // The request's fingerprint: a retry must carry the same items and the same photo.
    let mut h = Sha256::new();
    for name in [
        "form_id",
        "date_of_birth",
        "certificates",
        "braille",
        "exception_reason",
    ] {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(get(&fields, name).unwrap_or("").as_bytes());
        h.update([0]);
    }
    h.update(Sha256::digest(photo.as_deref().unwrap_or(b"")));
    let request_sha = hex::encode(h.finalize());
    if let Some((status, body)) = office.replay(&booth, &key, &request_sha).await? {
        return Ok(
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .insert_header(("Idempotent-Replayed", "true"))
                .json(body),
        );
    }
    let form_id = parse_form_id(require(&fields, "form_id")?)?;
    let dob = parse_dob(require(&fields, "date_of_birth")?)?;
    let form = BoothForm {
        form_id,
        date_of_birth: dob,
        certificates: parse_yes_no(
            "certificates",
            get(&fields, "certificates").unwrap_or("yes"),
        )?,
        braille: parse_yes_no("braille", get(&fields, "braille").unwrap_or("no"))?,
        exception: get(&fields, "exception_reason").map(|s| s.trim().to_string()),
    };
    let photo_required = eligibility(dob.date(), today_jst(), false)
        .map(|e| e.photo_required)
        .unwrap_or(true);
    let stored = match (photo_required, photo) {
        (false, None) => None,
        // The spec: a photo sent for a child under one is refused, not silently dropped.
        (false, Some(_)) => {
            return Err(field_error(
                "photo_not_accepted",
                "applicants under one year apply without a photo; send the form without one".into(),
                "1歳未満の方は顔写真なしで申請します。写真を付けずに送信してください。".into(),
            ))
        }
        (true, None) => {
            return Err(field_error(
                "missing_photo",
                "the form has no 'photo' file field".into(),
                "顔写真がありません。".into(),
            ))
        }
        (true, Some(bytes)) => {
            let ctx = VetContext {
                date_of_birth: Some(dob.date()),
                application_date: Some(today_jst()),
                exception: form.exception.clone(),
            };
            let (vetted, original) =
                vet_admitted(&state, permit, bytes, ctx, "applications").await?;
            Some(
                office
                    .store_photo(original, vetted.crop_jpeg, vetted.report)
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            )
        }
    };
    let (status, body) = office
        .submit_booth(&booth, &key, &request_sha, &form, stored)
        .await?;
    Ok(HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK)).json(body))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StartForm {
    form_id: String,
    name: String,
    email: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /api/v1/web/start`: step 1. Always 202 with the same body when the entries are valid.
#[utoipa::path(post, path = "/api/v1/web/start", tag = "web",
    request_body = StartForm,
    responses(
        (status = 202, description = "A one-time link was mailed if the entries match an application", body = serde_json::Value),
        (status = 400, description = "Invalid JSON", body = crate::web::openapi::ErrorBody),
        (status = 422, description = "An entry is invalid", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn web_start(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<StartForm>,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    let form_id = parse_form_id(&body.form_id)?;
    let name = ContactName::parse(&body.name)
        .map_err(|e| field_error(e.code(), e.to_string(), e.message_ja()))?;
    let email = Email::parse(&body.email)
        .map_err(|e| field_error(e.code(), e.to_string(), e.message_ja()))?;
    // Each start sends a mail: limited per address, per form ID and per e-mail, on every
    // instance together (all three are counted, so none can be dodged by varying another).
    let l = &state.start_limit;
    let by_addr = state
        .start_addr_limit
        .check(&state, &session::client_key(&req))
        .await;
    let by_form = l.check_as(&state, "start:form", form_id.as_str()).await;
    let by_mail = l
        .check_as(&state, "start:mail", &email.as_str().to_ascii_lowercase())
        .await;
    if !(by_addr && by_form && by_mail) {
        return Err(rate_limited());
    }
    let channel = match body.channel.as_deref().unwrap_or("smartphone") {
        "smartphone" => Channel::Smartphone,
        "pc" => Channel::Pc,
        _ => {
            return Err(field_error(
                "invalid_channel",
                "channel is smartphone or pc".into(),
                "channel は smartphone か pc です。".into(),
            ))
        }
    };
    let lang = Lang::from_code(body.lang.as_deref().unwrap_or("ja"));
    office
        .web_start(&form_id, &name, &email, channel, lang)
        .await?;
    Ok(HttpResponse::Accepted().json(json!({
        "status": "check_mail",
        "message": "If the entries match an application, a one-time link has been sent to its e-mail address.",
        "message_ja": "入力内容が申請と一致する場合、登録されたメールアドレスにURLを送信しました。",
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LinkForm {
    token: String,
}

/// `POST /api/v1/web/session`: uses the one-time link and starts the applicant's session.
#[utoipa::path(post, path = "/api/v1/web/session", tag = "web",
    request_body = LinkForm,
    responses(
        (status = 200, description = "Signed in: the applicant's session cookie is set", body = serde_json::Value),
        (status = 410, description = "The link is unknown, used or expired (link_invalid, link_used, link_expired)", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn web_session(
    state: web::Data<AppState>,
    body: web::Json<LinkForm>,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    let app_id = match auth::consume_link(&office.db, body.token.trim())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
    {
        Ok(id) => id,
        Err(e) => {
            let (code, ja) = match e {
                LinkError::Unknown => ("link_invalid", "このURLは無効です。"),
                LinkError::Used => (
                    "link_used",
                    "このURLは使用済みです。もう一度メールアドレスを登録してください。",
                ),
                LinkError::Expired => (
                    "link_expired",
                    "このURLは有効期限が切れています。もう一度メールアドレスを登録してください。",
                ),
            };
            return Err(ApiError::domain(StatusCode::GONE, code, &e.to_string(), ja));
        }
    };
    let (token, csrf) = auth::create_session(
        &office.db,
        auth::SessionOwner::Applicant(app_id.clone()),
        2 * 3600 * 1000,
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let summary = summary(&state, &app_id).await?;
    let mut resp = HttpResponse::Ok();
    session::set_cookie(&state, &mut resp, APPLICANT_COOKIE, &token);
    Ok(resp.json(json!({"csrf_token": csrf, "application": summary})))
}

/// What the applicant sees of their application (no full form ID, no photo bytes).
async fn summary(state: &AppState, app_id: &str) -> Result<serde_json::Value, ApiError> {
    let office = state.office_or_unavailable()?;
    let app = office.application(app_id).await?;
    let mut conn = office
        .db
        .pool
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let photo = match &app.photo_id {
        Some(id) => crate::store::applications::photo(&mut conn, id)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        None => None,
    };
    let entitlements = app
        .date_of_birth
        .as_deref()
        .and_then(|d| d.parse().ok())
        .map(|d| crate::office::entitlements(d, today_jst(), app.user_cert.unwrap_or(true)));
    Ok(json!({
        "form_id_tail": mask_form_id(&app.form_id),
        "channel": app.channel,
        "state": app.state,
        "lang": app.lang,
        "contact_name": app.contact_name,
        "date_of_birth": app.date_of_birth,
        "certificates": app.user_cert,
        "braille": app.braille,
        "complete": app.completed_at.is_some(),
        "next_step": next_step(app.state, app.completed_at.is_some()),
        "photo": photo.map(|p| json!({"verdict": p.verdict, "failing_rules": p.failing_rules, "report": p.report})),
        "entitlements": entitlements,
    }))
}

/// `GET /api/v1/web/application`: the applicant's own application.
#[utoipa::path(get, path = "/api/v1/web/application", tag = "web",
    security(("applicant_session" = [])),
    responses(
        (status = 200, description = "The application and the CSRF token", body = serde_json::Value),
        (status = 401, description = "No applicant session", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn web_application(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (app_id, s) = session::applicant(&state, &req).await?;
    let summary = summary(&state, &app_id).await?;
    Ok(HttpResponse::Ok().json(json!({"csrf_token": s.csrf, "application": summary})))
}

/// `POST /api/v1/web/photo`: step 2, vetted at once; as often as needed.
#[utoipa::path(post, path = "/api/v1/web/photo", tag = "web",
    request_body(content = crate::web::openapi::WebPhoto, content_type = "multipart/form-data"),
    security(("applicant_session" = [])),
    responses(
        (status = 200, description = "Stored with its verdict and the next step", body = serde_json::Value),
        (status = 400, description = "Not a usable upload", body = crate::web::openapi::ErrorBody),
        (status = 401, description = "No applicant session", body = crate::web::openapi::ErrorBody),
        (status = 403, description = "CSRF token missing or wrong", body = crate::web::openapi::ErrorBody),
        (status = 503, description = "Busy: retry after Retry-After", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn web_photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (app_id, s) = session::applicant(&state, &req).await?;
    let office = state.office_or_unavailable()?;
    // Everything that can refuse the request is decided before the photo is read: the size,
    // the application's state, admission, and (in the header or an earlier field) CSRF.
    check_length(&req, state.vetter.profile.input.max_bytes)?;
    let app = office.application(&app_id).await?;
    if app.forward_batch.is_some()
        || app
            .state
            .transition(&crate::application::Event::NewPhoto)
            .is_err()
        || (app.completed_at.is_some()
            && app.forward_hold.is_none()
            && matches!(
                app.state,
                crate::application::State::AutoAccepted | crate::application::State::Accepted
            ))
    {
        return Err(ApiError::domain(
            StatusCode::CONFLICT,
            "photo_locked",
            "the photo of this application can no longer be changed",
            "この申請の顔写真は変更できません。",
        ));
    }
    if req.headers().contains_key("X-CSRF-Token") {
        session::check_csrf(&req, &s, None)?;
    }
    let permit = admit_upload(&state).await?;
    let (fields, photo) = read_form_with(
        form,
        state.vetter.profile.input.max_bytes,
        &["csrf_token", "exception_reason"],
        |fields| session::check_csrf(&req, &s, get(fields, "csrf_token")),
    )
    .await?;
    session::check_csrf(&req, &s, get(&fields, "csrf_token"))?;
    let photo = photo.ok_or_else(|| bad("missing_photo", "the form has no 'photo' file field"))?;
    let exception = get(&fields, "exception_reason").map(str::to_string);
    let ctx = VetContext {
        date_of_birth: app.date_of_birth.as_deref().and_then(|d| d.parse().ok()),
        application_date: Some(today_jst()),
        exception: exception.clone(),
    };
    let (vetted, original) = vet_admitted(&state, permit, photo, ctx, "web_photo").await?;
    let report = vetted.report.clone();
    let stored = office
        .store_photo(original, vetted.crop_jpeg, vetted.report)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let state_now = office
        .web_photo_with(&app_id, &stored, exception.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "state": state_now,
        "verdict": report.verdict,
        "report": report,
        "next_step": next_step(state_now, app.completed_at.is_some()),
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DetailsForm {
    date_of_birth: String,
    certificates: serde_json::Value,
    braille: serde_json::Value,
}

fn json_yes_no(field: &'static str, v: &serde_json::Value) -> Result<bool, ApiError> {
    match v {
        serde_json::Value::Bool(b) => Ok(*b),
        serde_json::Value::String(s) => parse_yes_no(field, s),
        _ => parse_yes_no(field, ""),
    }
}

/// `POST /api/v1/web/details`: step 3; completes the application.
#[utoipa::path(post, path = "/api/v1/web/details", tag = "web",
    request_body = DetailsForm,
    security(("applicant_session" = [])),
    responses(
        (status = 200, description = "Stored; the state and the next step", body = serde_json::Value),
        (status = 401, description = "No applicant session", body = crate::web::openapi::ErrorBody),
        (status = 403, description = "CSRF token missing or wrong", body = crate::web::openapi::ErrorBody),
        (status = 422, description = "An entry is invalid", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn web_details(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<DetailsForm>,
) -> Result<HttpResponse, ApiError> {
    let (app_id, s) = session::applicant(&state, &req).await?;
    session::check_csrf(&req, &s, None)?;
    let office = state.office_or_unavailable()?;
    let dob = parse_dob(&body.date_of_birth)?;
    let certificates = json_yes_no("certificates", &body.certificates)?;
    let braille = json_yes_no("braille", &body.braille)?;
    let (st, entitlements) = office
        .web_details(&app_id, &dob, certificates, braille)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "state": st,
        "next_step": next_step(st, true),
        "entitlements": entitlements,
    })))
}

#[derive(Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    form_id: String,
    date_of_birth: String,
}

fn rate_limited() -> ApiError {
    ApiError::domain(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many requests; try again in a minute",
        "回数が多すぎます。1分後に再度お試しください。",
    )
}

/// `POST /api/v1/status` with `{"form_id", "date_of_birth"}` (a body, so neither lands in a
/// proxy's access log): limited per client address and per form ID across all instances; the
/// same shape whether or not the application exists.
#[utoipa::path(post, path = "/api/v1/status", tag = "status",
    request_body = StatusQuery,
    responses(
        (status = 200, description = "The application's state (`state: null` when nothing matches)", body = serde_json::Value),
        (status = 400, description = "Invalid JSON", body = crate::web::openapi::ErrorBody),
        (status = 422, description = "An entry is invalid", body = crate::web::openapi::ErrorBody),
        (status = 429, description = "Too many lookups", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn status_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Json<StatusQuery>,
) -> Result<HttpResponse, ApiError> {
    lookup(&state, &req, &q).await
}

/// `GET /api/v1/status?form_id=...&date_of_birth=...`: kept for old clients, same limits;
/// new clients POST.
#[utoipa::path(get, path = "/api/v1/status", tag = "status",
    params(StatusQuery),
    responses(
        (status = 200, description = "The application's state (`state: null` when nothing matches)", body = serde_json::Value),
        (status = 422, description = "An entry is invalid", body = crate::web::openapi::ErrorBody),
        (status = 429, description = "Too many lookups", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<StatusQuery>,
) -> Result<HttpResponse, ApiError> {
    lookup(&state, &req, &q).await
}

async fn lookup(
    state: &AppState,
    req: &HttpRequest,
    q: &StatusQuery,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    if !state
        .status_limit
        .check_as(state, "status:addr", &session::client_key(req))
        .await
    {
        return Err(rate_limited());
    }
    let form_id = parse_form_id(&q.form_id)?;
    // Guessing dates of birth for one form ID from many addresses is limited too.
    if !state
        .status_limit
        .check_as(state, "status:form", form_id.as_str())
        .await
    {
        return Err(rate_limited());
    }
    let dob = parse_dob(&q.date_of_birth)?;
    Ok(HttpResponse::Ok().json(office.status(&form_id, &dob).await?))
}
