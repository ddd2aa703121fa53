//! Reviewer endpoints: sign-in, the queue, one item with its photo and overlay, decisions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::api::{vet_bytes, ApiError};
use super::session::{self, REVIEWER_COOKIE};
use super::AppState;
use crate::auth;
use crate::review::{self, Decision};
use crate::store::applications as apps;
use crate::vetting::VetContext;

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginForm {
    name: String,
    password: String,
}

/// `POST /api/v1/review/login`
#[utoipa::path(post, path = "/api/v1/review/login", tag = "review",
    request_body = LoginForm,
    responses(
        (status = 200, description = "Signed in: the reviewer's session cookie is set; the CSRF token", body = serde_json::Value),
        (status = 401, description = "Wrong name or password", body = crate::web::openapi::ErrorBody),
        (status = 429, description = "Too many attempts", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    if !state
        .login_limit
        .check_as(&state, "login:addr", &session::client_key(&req))
        .await
    {
        return Err(ApiError::domain(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many sign-in attempts; wait a minute",
            "ログイン試行回数が多すぎます。1分後に再度お試しください。",
        ));
    }
    let reviewer = auth::verify_reviewer(&office.db, body.name.trim(), &body.password)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            ApiError::domain(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "wrong name or password",
                "名前またはパスワードが違います。",
            )
        })?;
    let (token, csrf) = auth::create_session(
        &office.db,
        auth::SessionOwner::Reviewer(reviewer.id.clone()),
        10 * 3600 * 1000,
    )
    .await
    .map_err(internal)?;
    let mut resp = HttpResponse::Ok();
    session::set_cookie(&state, &mut resp, REVIEWER_COOKIE, &token);
    Ok(resp.json(json!({"csrf_token": csrf, "reviewer": reviewer})))
}

/// `POST /api/v1/review/logout`
#[utoipa::path(post, path = "/api/v1/review/logout", tag = "review",
    security(("reviewer_session" = [])),
    responses(
        (status = 200, description = "Signed out", body = serde_json::Value),
        (status = 401, description = "No reviewer session", body = crate::web::openapi::ErrorBody),
        (status = 403, description = "CSRF token missing or wrong", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    let (_, s) = session::reviewer(&state, &req).await?;
    session::check_csrf(&req, &s, None)?;
    if let Some(c) = req.cookie(REVIEWER_COOKIE) {
        auth::end_session(&office.db, c.value())
            .await
            .map_err(internal)?;
    }
    let mut resp = HttpResponse::Ok();
    session::clear_cookie(&mut resp, REVIEWER_COOKIE);
    Ok(resp.json(json!({"signed_out": true})))
}

/// `GET /api/v1/review/me`: who is signed in, and the CSRF token for the console.
#[utoipa::path(get, path = "/api/v1/review/me", tag = "review",
    security(("reviewer_session" = [])),
    responses(
        (status = 200, description = "The reviewer and the CSRF token", body = serde_json::Value),
        (status = 401, description = "No reviewer session", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn me(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (r, s) = session::reviewer(&state, &req).await?;
    Ok(HttpResponse::Ok().json(json!({"reviewer": r, "csrf_token": s.csrf})))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    rule: Option<String>,
    channel: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/review/queue?rule=P9&channel=booth`: rejected and in-review, oldest first.
#[utoipa::path(get, path = "/api/v1/review/queue", tag = "review",
    params(QueueQuery),
    security(("reviewer_session" = [])),
    responses(
        (status = 200, description = "Applications waiting for a person, oldest first", body = serde_json::Value),
        (status = 401, description = "No reviewer session", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn queue(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    session::reviewer(&state, &req).await?;
    let office = state.office_or_unavailable()?;
    let mut conn = office.db.pool.acquire().await.map_err(internal)?;
    let rule = q.rule.as_deref().filter(|r| !r.is_empty());
    let channel = q.channel.as_deref().filter(|c| !c.is_empty());
    let items = apps::review_queue(
        &mut conn,
        rule,
        channel,
        q.limit.unwrap_or(100).clamp(1, 1000),
    )
    .await
    .map_err(internal)?;
    Ok(HttpResponse::Ok().json(json!({"items": items})))
}

/// `GET /api/v1/review/items/{id}`: the application, its report and history.
#[utoipa::path(get, path = "/api/v1/review/items/{id}", tag = "review",
    params(("id" = String, Path, description = "The application's ID")),
    security(("reviewer_session" = [])),
    responses(
        (status = 200, description = "The application with its photo report and history", body = serde_json::Value),
        (status = 401, description = "No reviewer session", body = crate::web::openapi::ErrorBody),
        (status = 404, description = "No such application", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn item(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    session::reviewer(&state, &req).await?;
    let office = state.office_or_unavailable()?;
    Ok(HttpResponse::Ok().json(review::item(office, &id).await?))
}

async fn photo_bytes(state: &AppState, id: &str, crop: bool) -> Result<Vec<u8>, ApiError> {
    let office = state.office_or_unavailable()?;
    let mut conn = office.db.pool.acquire().await.map_err(internal)?;
    let app = apps::by_id(&mut conn, id)
        .await
        .map_err(internal)?
        .ok_or(ApiError::NotFound)?;
    let photo = match &app.photo_id {
        Some(p) => apps::photo(&mut conn, p).await.map_err(internal)?,
        None => None,
    }
    .ok_or(ApiError::NotFound)?;
    let sha = if crop {
        photo.crop_sha
    } else {
        photo.original_sha
    }
    .ok_or_else(|| {
        ApiError::domain(
            StatusCode::GONE,
            "photo_purged",
            "this photo is no longer kept",
            "この写真は保存期間を過ぎたため削除されました。",
        )
    })?;
    let photos = office.photos.clone();
    web::block(move || photos.get(&sha))
        .await
        .map_err(internal)?
        .map_err(internal)
}

/// `GET /api/v1/review/items/{id}/photo/{kind}`: `original`, `crop` or `overlay`.
#[utoipa::path(get, path = "/api/v1/review/items/{id}/photo/{kind}", tag = "review",
    params(
        ("id" = String, Path, description = "The application's ID"),
        ("kind" = String, Path, description = "original, crop (JPEG) or overlay (PNG)"),
    ),
    security(("reviewer_session" = [])),
    responses(
        (status = 200, description = "The picture (image/jpeg or image/png)", content_type = "image/jpeg", body = Vec<u8>),
        (status = 401, description = "No reviewer session", body = crate::web::openapi::ErrorBody),
        (status = 404, description = "No such application, photo or kind", body = crate::web::openapi::ErrorBody),
        (status = 410, description = "The photo is no longer kept", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    session::reviewer(&state, &req).await?;
    let (id, kind) = path.into_inner();
    let private = ("Cache-Control", "private, no-store");
    match kind.as_str() {
        "original" | "crop" => {
            let bytes = photo_bytes(&state, &id, kind == "crop").await?;
            Ok(HttpResponse::Ok()
                .content_type("image/jpeg")
                .insert_header(private)
                .body(bytes))
        }
        "overlay" => {
            let bytes = photo_bytes(&state, &id, false).await?;
            let (vetted, _) = vet_bytes(&state, bytes, VetContext::default(), "overlay").await?;
            Ok(HttpResponse::Ok()
                .content_type("image/png")
                .insert_header(private)
                .body(vetted.overlay_png()))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// A decision names the photo it is about (`photo_id` from the item), so it cannot apply to a
/// photo that arrived after the reviewer looked. Age-0 applications have none: `null`.
#[derive(Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    photo_id: Option<String>,
    #[serde(flatten)]
    decision: Decision,
}

/// `POST /api/v1/review/items/{id}/decision` with `{"action": "accept", "reason": ...}` or
/// `{"action": "retake", "rules": ["P9"], "note": ...}`.
#[utoipa::path(post, path = "/api/v1/review/items/{id}/decision", tag = "review",
    params(("id" = String, Path, description = "The application's ID")),
    request_body = crate::review::Decision,
    security(("reviewer_session" = [])),
    responses(
        (status = 200, description = "Decided: the new state", body = serde_json::Value),
        (status = 401, description = "No reviewer session", body = crate::web::openapi::ErrorBody),
        (status = 403, description = "CSRF token missing or wrong", body = crate::web::openapi::ErrorBody),
        (status = 404, description = "No such application", body = crate::web::openapi::ErrorBody),
        (status = 409, description = "Not waiting for a decision", body = crate::web::openapi::ErrorBody),
        (status = 422, description = "The decision is incomplete (e.g. no reason)", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let (reviewer, s) = session::reviewer(&state, &req).await?;
    session::check_csrf(&req, &s, None)?;
    let office = state.office_or_unavailable()?;
    let body = body.into_inner();
    let st = review::decide_seen(
        office,
        &id,
        &reviewer,
        body.decision,
        Some(body.photo_id.as_deref().unwrap_or("")),
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({"state": st})))
}
