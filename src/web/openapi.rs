//! The API contract, OpenAPI 3.1, made from the handlers' own `#[utoipa::path]` annotations and
//! the request types' `ToSchema`/`IntoParams` derives, served at `/api/v1/openapi.json`.
//! `tests/openapi.rs` checks that every route registered under `/api/v1` (the table in
//! `web/mod.rs`) is documented with its method and nothing else is, and validates the document.
//!
//! The multipart bodies are described by the types below: the handlers read them field by field
//! (`read_form`), so these types are the documented shape of those fields.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::{api, applications, booths, review};

/// Every error: a stable code, the English message and, where there is one, the Japanese.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// Stable, for programs: e.g. `unauthorized`, `invalid_form_id`.
    code: String,
    message: String,
    message_ja: Option<String>,
}

/// `multipart/form-data` for the vetting endpoints.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// The photo (JPEG, PNG, HEIC...).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    /// Date of birth, YYYY-MM-DD (age-dependent rules).
    dob: Option<String>,
    /// Application date, YYYY-MM-DD (the photo's age).
    application_date: Option<String>,
    /// A medical or religious reason the rules cannot be met.
    exception: Option<String>,
}

/// `multipart/form-data` of a booth's application.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BoothApplication {
    /// The application form's 23-digit ID.
    form_id: String,
    /// YYYY-MM-DD.
    date_of_birth: String,
    /// yes / no (default yes).
    certificates: Option<String>,
    /// yes / no (default no).
    braille: Option<String>,
    exception_reason: Option<String>,
    /// JPEG; absent for applicants under one year old.
    #[schema(value_type = Option<String>, format = Binary)]
    photo: Option<Vec<u8>>,
}

/// `multipart/form-data` of the applicant's photo step.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebPhoto {
    csrf_token: String,
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    exception_reason: Option<String>,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "booth_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The booth's token (`mynumber-photo admin booth add NAME`)",
                    ))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "reviewer_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                super::session::REVIEWER_COOKIE,
            ))),
        );
        c.add_security_scheme(
            "applicant_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                super::session::APPLICANT_COOKIE,
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mynumber-photo",
        description = "Vets My Number Card ID photos and takes whole applications: from booths \
                       (one request, with a booth token and an Idempotency-Key), from the web \
                       (three steps) and the reviewers' console. Errors: `{\"error\": {\"code\", \
                       \"message\", \"message_ja\"}}`."
    ),
    paths(
        api::vet,
        api::crop,
        api::overlay,
        applications::submit_booth,
        booths::report,
        applications::web_start,
        applications::web_session,
        applications::web_application,
        applications::web_photo,
        applications::web_details,
        applications::status,
        applications::status_post,
        review::login,
        review::logout,
        review::me,
        review::queue,
        review::item,
        review::photo,
        review::decide,
        document,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "vet", description = "Photo vetting"),
        (name = "booth", description = "Photo booths: applications and health reports"),
        (name = "web", description = "The applicant's web steps"),
        (name = "status", description = "Status lookup"),
        (name = "review", description = "Reviewers"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The document as JSON, made once.
pub fn json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_default())
}

/// `GET /api/v1/openapi.json`
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = serde_json::Value)))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(json())
}
