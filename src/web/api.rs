//! JSON API handlers. Errors are `{"error": {"code", "message", "message_ja"}}` with a stable
//! code.

use std::time::Instant;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde_json::json;

use super::AppState;
use crate::vetting::messages::msg;
use crate::vetting::{Status, VetContext, VetError, Vetted};

/// How long a request may wait for admission before it gets 503 with Retry-After.
const ADMISSION_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("the photo could not be used: {0}")]
    Vet(#[from] VetError),
    #[error("the service is busy; retry shortly")]
    Busy,
    #[error("internal error")]
    Internal(String),
    #[error("no such endpoint")]
    NotFound,
    /// Application, session and review errors: a status, a stable code, both languages.
    #[error("{message}")]
    Domain {
        status: StatusCode,
        code: &'static str,
        message: String,
        message_ja: Option<String>,
    },
}

impl ApiError {
    pub fn domain(status: StatusCode, code: &'static str, en: &str, ja: &str) -> ApiError {
        ApiError::Domain {
            status,
            code,
            message: en.to_string(),
            message_ja: Some(ja.to_string()),
        }
    }
}

impl ApiError {
    /// Japanese text for every error, from the catalogues: a person reads it.
    pub fn message_ja(&self) -> String {
        use crate::i18n::{has, t, Lang};
        match self {
            ApiError::Domain {
                message_ja: Some(ja),
                ..
            } => ja.clone(),
            ApiError::Domain { code, .. } if has(Lang::Ja, &format!("err.{code}")) => {
                t(Lang::Ja, &format!("err.{code}")).to_string()
            }
            ApiError::Domain { .. } => t(Lang::Ja, "api.bad_request").to_string(),
            ApiError::BadRequest { code, .. } => {
                let key = format!("api.{code}");
                if has(Lang::Ja, &key) {
                    t(Lang::Ja, &key).to_string()
                } else {
                    t(Lang::Ja, "api.bad_request").to_string()
                }
            }
            ApiError::Vet(e) => {
                let key = format!("F1.{}", e.code());
                if crate::vetting::messages::has(&key) {
                    msg(&key).ja
                } else {
                    t(Lang::Ja, "error.photo_unusable").to_string()
                }
            }
            ApiError::Busy => t(Lang::Ja, "error.busy").to_string(),
            ApiError::Internal(_) => t(Lang::Ja, "error.internal").to_string(),
            ApiError::NotFound => t(Lang::Ja, "error.not_found").to_string(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } => code,
            ApiError::Vet(e) => e.code(),
            ApiError::Busy => "busy",
            ApiError::Internal(_) => "internal",
            ApiError::NotFound => "not_found",
            ApiError::Domain { code, .. } => code,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Vet(VetError::Input(crate::vetting::InputError::TooLarge { .. })) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::Vet(VetError::Model(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Vet(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Domain { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let code = self.code();
        let ja = Some(self.message_ja());
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            ApiError::Busy => {
                resp.insert_header(("Retry-After", "1"));
            }
            ApiError::Domain { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS => {
                resp.insert_header(("Retry-After", "60"));
            }
            ApiError::Domain { status, .. } if *status == StatusCode::UNAUTHORIZED => {
                resp.insert_header(("WWW-Authenticate", "Bearer"));
            }
            _ => {}
        }
        if let ApiError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
        resp.json(json!({"error": {"code": code, "message": self.to_string(), "message_ja": ja}}))
    }
}

pub(crate) fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        code,
        message: message.into(),
    }
}

/// A broken upload: the library's words go to the log, not to the person.
pub(crate) fn multipart_error(e: actix_multipart::MultipartError) -> ApiError {
    tracing::debug!(error = %e, "invalid multipart body");
    bad(
        "invalid_multipart",
        "the upload is not a readable multipart form",
    )
}

/// The multipart form: `photo` (file), optional `dob`, `application_date`, `exception`.
struct Upload {
    photo: Vec<u8>,
    ctx: VetContext,
}

fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        bad(
            "invalid_date",
            format!("{field} must be a date as YYYY-MM-DD, got '{}'", s.trim()),
        )
    })
}

async fn read_upload(form: Multipart, max_bytes: usize) -> Result<Upload, ApiError> {
    let (fields, photo) =
        read_form(form, max_bytes, &["dob", "application_date", "exception"]).await?;
    let mut ctx = VetContext::default();
    for (name, value) in &fields {
        match name.as_str() {
            "dob" => ctx.date_of_birth = Some(parse_date("dob", value)?),
            "application_date" => {
                ctx.application_date = Some(parse_date("application_date", value)?)
            }
            _ => ctx.exception = Some(value.clone()).filter(|s| !s.trim().is_empty()),
        }
    }
    let photo = photo.ok_or_else(|| bad("missing_photo", "the form has no 'photo' file field"))?;
    Ok(Upload { photo, ctx })
}

/// Reads a multipart form into text fields (each at most 4 kB) and at most one `photo` file
/// (at most `max_photo` bytes); any other field name is refused.
pub(crate) async fn read_form(
    form: Multipart,
    max_photo: usize,
    allowed: &[&str],
) -> Result<(Vec<(String, String)>, Option<Vec<u8>>), ApiError> {
    read_form_with(form, max_photo, allowed, |_| Ok(())).await
}

/// Most parts a form may have: the fields the endpoints know plus a photo.
const MAX_PARTS: usize = 16;

/// Reads a multipart form: at most `MAX_PARTS` parts, known field names only, one photo, and
/// `max_photo` bytes in all (so a body a byte over the upload limit is 413, whatever its
/// parts). `before_photo` sees the fields read so far when the photo part begins and may
/// refuse the request (CSRF, the application's state) before a byte of the photo is read.
pub(crate) async fn read_form_with(
    mut form: Multipart,
    max_photo: usize,
    allowed: &[&str],
    before_photo: impl FnOnce(&[(String, String)]) -> Result<(), ApiError>,
) -> Result<(Vec<(String, String)>, Option<Vec<u8>>), ApiError> {
    let mut fields = Vec::new();
    let mut photo = None;
    let mut parts = 0;
    let mut total = 0usize;
    let mut before_photo = Some(before_photo);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_error)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(bad(
                "too_many_parts",
                format!("the form has more than {MAX_PARTS} parts"),
            ));
        }
        let name = field.name().unwrap_or_default().to_string();
        if name != "photo" && !allowed.contains(&name.as_str()) {
            return Err(bad("unknown_field", format!("unknown form field '{name}'")));
        }
        if name == "photo" {
            if photo.is_some() {
                return Err(bad("duplicate_photo", "the form has more than one photo"));
            }
            if let Some(check) = before_photo.take() {
                check(&fields)?;
            }
        } else if fields.iter().any(|(k, _)| *k == name) {
            return Err(bad(
                "duplicate_field",
                format!("field '{name}' appears twice"),
            ));
        }
        let limit = if name == "photo" { max_photo } else { 4096 };
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            total += chunk.len();
            if buf.len() + chunk.len() > limit || total > max_photo {
                return Err(if name == "photo" || total > max_photo {
                    ApiError::Vet(VetError::Input(crate::vetting::InputError::TooLarge {
                        size: total.max(buf.len() + chunk.len()),
                        limit: max_photo,
                    }))
                } else {
                    bad(
                        "field_too_long",
                        format!("field '{name}' is longer than {limit} bytes"),
                    )
                });
            }
            buf.extend_from_slice(&chunk);
        }
        if name == "photo" {
            photo = Some(buf);
        } else {
            let text = String::from_utf8(buf)
                .map_err(|_| bad("invalid_text", format!("field '{name}' is not UTF-8")))?;
            fields.push((name, text));
        }
    }
    Ok((fields, photo))
}

/// Refuses a body whose declared length is over the upload limit before reading any of it.
pub(crate) fn check_length(req: &actix_web::HttpRequest, max: usize) -> Result<(), ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > max => Err(ApiError::Vet(VetError::Input(
            crate::vetting::InputError::TooLarge {
                size: n,
                limit: max,
            },
        ))),
        _ => Ok(()),
    }
}

/// Admission: a permit if one is free, else a short, fair (FIFO) wait so an unlucky client does
/// not lose the race again and again; past it the client is told to come back (503) rather
/// than queued without bound.
async fn admit(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    match state.permits.clone().try_acquire_owned() {
        Ok(p) => Ok(p),
        Err(_) => tokio::time::timeout(ADMISSION_WAIT, state.permits.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Busy)?
            .map_err(|_| ApiError::Busy),
    }
}

/// Runs an admitted vetting job on the blocking pool once a running slot is free (admitted
/// jobs wait here holding only their upload), and records its latency and verdict.
async fn run_admitted<T: Send + 'static>(
    state: &AppState,
    permit: tokio::sync::OwnedSemaphorePermit,
    endpoint: &'static str,
    job: impl FnOnce(&crate::vetting::Vetter) -> Result<(Vetted, T), VetError> + Send + 'static,
) -> Result<(Vetted, T), ApiError> {
    let running = state
        .running
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let vetter = state.vetter.clone();
    let t = Instant::now();
    let result = web::block(move || {
        let _permits = (permit, running);
        job(&vetter)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .metrics
        .latency
        .with_label_values(&[endpoint])
        .observe(t.elapsed().as_secs_f64());
    let (vetted, extra) = result?;
    state
        .metrics
        .verdicts
        .with_label_values(&[vetted.report.verdict.as_str()])
        .inc();
    Ok((vetted, extra))
}

/// Admits the request, reads the form, vets it.
async fn run_vet(
    state: &AppState,
    form: Multipart,
    endpoint: &'static str,
) -> Result<Vetted, ApiError> {
    let permit = admit(state).await?;
    let upload = read_upload(form, state.vetter.profile.input.max_bytes).await?;
    let (vetted, ()) = run_admitted(state, permit, endpoint, move |v| {
        Ok((v.vet(&upload.photo, &upload.ctx)?, ()))
    })
    .await?;
    for f in &vetted.report.findings {
        let status = match f.status {
            Status::Fail => "fail",
            Status::Warn => "warn",
            _ => continue,
        };
        state
            .metrics
            .failing_rules
            .with_label_values(&[f.rule.as_str(), status])
            .inc();
    }
    Ok(vetted)
}

/// Vets photo bytes already read (the application endpoints parse their own forms), with the
/// same admission control as `/vet`; also returns what is kept of the upload: its pixels,
/// oriented, re-encoded without any metadata (F8: EXIF is never stored).
pub(crate) async fn vet_bytes(
    state: &AppState,
    photo: Vec<u8>,
    ctx: VetContext,
    endpoint: &'static str,
) -> Result<(Vetted, Vec<u8>), ApiError> {
    let permit = admit(state).await?;
    vet_admitted(state, permit, photo, ctx, endpoint).await
}

/// A permit to upload and vet, taken before the upload is read: a busy service answers 503
/// without reading (and holding) 20 MB per waiting client.
pub(crate) async fn admit_upload(
    state: &AppState,
) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    admit(state).await
}

/// `vet_bytes` with a permit taken before the upload was read.
pub(crate) async fn vet_admitted(
    state: &AppState,
    permit: tokio::sync::OwnedSemaphorePermit,
    photo: Vec<u8>,
    ctx: VetContext,
    endpoint: &'static str,
) -> Result<(Vetted, Vec<u8>), ApiError> {
    run_admitted(state, permit, endpoint, move |v| {
        let vetted = v.vet(&photo, &ctx)?;
        let original = crate::vetting::crop::encode(&vetted.work, &v.profile.crop)?;
        Ok((vetted, original))
    })
    .await
}

fn count(state: &AppState, endpoint: &str, status: StatusCode) {
    state
        .metrics
        .requests
        .with_label_values(&[endpoint, status.as_str()])
        .inc();
}

async fn respond(
    state: web::Data<AppState>,
    form: Multipart,
    endpoint: &'static str,
    render: impl FnOnce(Vetted) -> Result<HttpResponse, ApiError>,
) -> HttpResponse {
    let resp = match run_vet(&state, form, endpoint).await.and_then(render) {
        Ok(r) => r,
        Err(e) => e.error_response(),
    };
    count(&state, endpoint, resp.status());
    resp
}

/// `POST /api/v1/vet`: the report.
#[utoipa::path(post, path = "/api/v1/vet", tag = "vet",
    request_body(content = crate::web::openapi::PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The vetting report", body = serde_json::Value),
        (status = 400, description = "Not a usable upload", body = crate::web::openapi::ErrorBody),
        (status = 413, description = "The photo is too large", body = crate::web::openapi::ErrorBody),
        (status = 503, description = "Busy: retry after Retry-After", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn vet(state: web::Data<AppState>, form: Multipart) -> HttpResponse {
    respond(state, form, "vet", |v| {
        Ok(HttpResponse::Ok().json(&v.report))
    })
    .await
}

/// `POST /api/v1/crop`: the issuer-ready JPEG, with the verdict in `X-Verdict`; 422 with the
/// report when no crop could be made.
#[utoipa::path(post, path = "/api/v1/crop", tag = "vet",
    request_body(content = crate::web::openapi::PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The 35:45 crop; the verdict in X-Verdict", content_type = "image/jpeg", body = Vec<u8>),
        (status = 400, description = "Not a usable upload", body = crate::web::openapi::ErrorBody),
        (status = 422, description = "No crop could be made: the error and the report", body = serde_json::Value),
        (status = 503, description = "Busy: retry after Retry-After", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn crop(state: web::Data<AppState>, form: Multipart) -> HttpResponse {
    respond(state, form, "crop", |v| match v.crop_jpeg {
        Some(jpeg) => Ok(HttpResponse::Ok()
            .content_type("image/jpeg")
            .insert_header(("X-Verdict", v.report.verdict.as_str()))
            .body(jpeg)),
        None => Ok(HttpResponse::UnprocessableEntity().json(json!({
            "error": {
                "code": "no_crop",
                "message": "no 35:45 crop could be made from this photo; see the report",
                "message_ja": "この写真から申請用の写真（縦45mm×横35mm）を切り出せませんでした。詳細は判定結果を確認してください。",
            },
            "report": v.report,
        }))),
    })
    .await
}

/// `POST /api/v1/overlay`: the reviewer's picture (PNG).
#[utoipa::path(post, path = "/api/v1/overlay", tag = "vet",
    request_body(content = crate::web::openapi::PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The reviewer's overlay picture; the verdict in X-Verdict", content_type = "image/png", body = Vec<u8>),
        (status = 400, description = "Not a usable upload", body = crate::web::openapi::ErrorBody),
        (status = 503, description = "Busy: retry after Retry-After", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn overlay(state: web::Data<AppState>, form: Multipart) -> HttpResponse {
    respond(state, form, "overlay", |v| {
        Ok(HttpResponse::Ok()
            .content_type("image/png")
            .insert_header(("X-Verdict", v.report.verdict.as_str()))
            .body(v.overlay_png()))
    })
    .await
}

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

pub async fn metrics(state: web::Data<AppState>, req: actix_web::HttpRequest) -> HttpResponse {
    // Not public: with `--metrics-token` a bearer token is needed; without one, only clients on
    // this machine (a scraper beside it, or the tests) are answered.
    let token = state.office().and_then(|o| o.config.metrics_token.clone());
    let allowed = match token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                let (a, b) = (given.trim().as_bytes(), t.as_bytes());
                a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
            }),
        None => req.peer_addr().is_none_or(|a| a.ip().is_loopback()),
    };
    if !allowed {
        return ApiError::NotFound.error_response();
    }
    if let Some(office) = state.office() {
        // Read at scrape time, so the figures are as fresh as the scrape.
        match crate::forwarding::oldest_unforwarded_seconds(office).await {
            Ok(s) => state.metrics.oldest_unforwarded.set(s),
            Err(e) => tracing::error!(error = %e, "metrics: oldest unforwarded"),
        }
        if let Ok(mut conn) = office.db.pool.acquire().await {
            // A count, not the queue's rows: this runs on every scrape.
            if let Ok((n, _)) = crate::store::dashboard::waiting(&mut conn).await {
                state.metrics.review_queue.set(n);
            }
        }
        if let Ok(c) = crate::outbox::counts(&office.db).await {
            state.metrics.mail_pending.set(c.pending);
        }
    }
    super::booths::refresh_metrics(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

pub async fn not_found() -> HttpResponse {
    ApiError::NotFound.error_response()
}
