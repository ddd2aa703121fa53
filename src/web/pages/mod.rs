//! Server-rendered pages: the applicant's steps, the status lookup and the reviewer console.
//!
//! Every page works without JavaScript (forms, POST-redirect-GET); `static/app.js` only adds
//! the instant photo verdict and the console's keyboard shortcuts. What a person typed lives on
//! the server: submitted steps in the application, and a form not yet submitted (when the
//! language is switched mid-way, which submits the form) in a short-lived draft, so neither a
//! reload, the back button, a language switch nor a browser's translation loses it.

mod apply;
mod booths;
mod console;
mod drafts;
mod html;
mod i18n;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};

use super::api::ApiError;
use super::session;
use super::AppState;
use crate::mail::templates::Lang;
use askama::Template;
use html::{Frame, Switch};
use i18n::t;

pub const LANG_COOKIE: &str = "lang";

/// Page routes (everything outside `/api`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/app.css", web::get().to(css))
        .route("/static/app.js", web::get().to(js))
        .route("/static/favicon.svg", web::get().to(favicon))
        .route("/favicon.ico", web::get().to(favicon))
        .route("/lang", web::post().to(switch_lang));
    apply::configure(cfg);
    console::configure(cfg);
    booths::configure(cfg);
}

async fn css() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../../static/app.css"),
    )
}

async fn js() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../../static/app.js"),
    )
}

/// The tab icon: a card with a portrait. SVG, which browsers take at /favicon.ico too.
async fn favicon() -> HttpResponse {
    asset("image/svg+xml", include_str!("../../../static/favicon.svg"))
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=300"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}

/// The language: the person's choice (cookie), else the best match for the whole
/// `Accept-Language` header, else Japanese.
pub fn lang_of(req: &HttpRequest) -> Lang {
    chosen_lang(req).unwrap_or_else(|| {
        req.headers()
            .get("Accept-Language")
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::negotiate)
            .unwrap_or_default()
    })
}

/// The language the person picked, if they did.
pub fn chosen_lang(req: &HttpRequest) -> Option<Lang> {
    req.cookie(LANG_COOKIE).map(|c| Lang::from_code(c.value()))
}

fn secure_cookies(state: &AppState) -> bool {
    state
        .office()
        .map(|o| !o.config.insecure_cookies)
        .unwrap_or(true)
}

/// Remembers the language for a year. Not a secret, so readable; Lax so it holds when the
/// person arrives from a mail link.
pub fn set_lang_cookie(state: &AppState, resp: &mut HttpResponseBuilder, lang: Lang) {
    resp.cookie(
        Cookie::build(LANG_COOKIE, lang.code())
            .path("/")
            .secure(secure_cookies(state))
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish(),
    );
}

/// 303 See Other: after a POST the browser GETs the result, so reload and back are safe.
pub fn see_other(location: &str) -> HttpResponseBuilder {
    let mut r = HttpResponse::SeeOther();
    r.insert_header(("Location", location.to_string()))
        .insert_header(("Cache-Control", "no-store"));
    r
}

/// Only local paths are redirect targets (no open redirect through `back`).
pub fn local_path(p: &str) -> &str {
    if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') {
        p
    } else {
        "/"
    }
}

/// Refuses requests a browser marks as coming from another site (forms without a session yet:
/// step 1, the link page, sign-in).
pub fn same_site_only(req: &HttpRequest, lang: Lang) -> Result<(), PageError> {
    let cross_fetch = req
        .headers()
        .get("Sec-Fetch-Site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s == "cross-site");
    let cross_origin = req
        .headers()
        .get("Origin")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| {
            let host = req.connection_info().host().to_string();
            let origin_host = origin
                .split_once("://")
                .map(|(_, h)| h)
                .unwrap_or(origin)
                .trim_end_matches('/');
            origin != "null" && origin_host != host
        });
    if cross_fetch || cross_origin {
        return Err(PageError::key(
            lang,
            StatusCode::FORBIDDEN,
            "error.cross_site",
        ));
    }
    Ok(())
}

/// An error shown as a page in the person's language.
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct PageError {
    pub lang: Lang,
    pub status: StatusCode,
    /// Already in `lang`.
    pub text: String,
}

impl PageError {
    /// A text given in Japanese and English only (Japanese for Japanese readers).
    pub fn new(lang: Lang, status: StatusCode, en: &str, ja: &str) -> PageError {
        let text = if lang.is_japanese() { ja } else { en };
        PageError {
            lang,
            status,
            text: text.to_string(),
        }
    }

    pub fn key(lang: Lang, status: StatusCode, key: &str) -> PageError {
        PageError {
            lang,
            status,
            text: t(lang, key).to_string(),
        }
    }

    pub fn api(lang: Lang, e: &ApiError) -> PageError {
        PageError {
            lang,
            status: e.status_code(),
            text: api_text(lang, e),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let l = self.lang;
        // A limit reached is not a fault: say which.
        let title = if self.status == StatusCode::TOO_MANY_REQUESTS {
            t(l, "error.rate_limited_title")
        } else {
            t(l, "error.title")
        };
        let frame = Frame {
            lang: l,
            title,
            switch: Switch::Own {
                back: "/",
                csrf: None,
            },
            console: false,
        };
        html::respond(
            self.status,
            html::render(&ErrorPage {
                frame: &frame,
                text: self.text(),
            }),
        )
    }
}

/// The text of an API error in `lang`, for showing on a page.
pub fn api_text(lang: Lang, e: &ApiError) -> String {
    match e {
        ApiError::Domain {
            code,
            message,
            message_ja,
            ..
        } => i18n::tr(
            lang,
            code,
            message.clone(),
            message_ja.clone().unwrap_or_else(|| message.clone()),
        ),
        ApiError::Vet(v) => {
            let key = format!("F1.{}", v.code());
            if crate::vetting::messages::has(&key) {
                crate::vetting::messages::msg(&key).text(lang)
            } else {
                t(lang, "error.photo_unusable").to_string()
            }
        }
        ApiError::Busy => t(lang, "error.busy").to_string(),
        ApiError::NotFound => t(lang, "error.not_found").to_string(),
        ApiError::BadRequest { .. } | ApiError::Internal(_) => {
            t(lang, "error.internal").to_string()
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    frame: &'a Frame<'a>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    frame: &'a Frame<'a>,
    text: &'a str,
}

/// Any unknown path: a page for a browser (it asks for HTML), the JSON error for API clients.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let wants_html = !req.path().starts_with("/api/")
        && req
            .headers()
            .get("Accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        PageError::key(lang_of(&req), StatusCode::NOT_FOUND, "error.not_found").error_response()
    } else {
        ApiError::NotFound.error_response()
    }
}

/// `GET /`: where to go.
async fn home(req: HttpRequest) -> HttpResponse {
    let l = lang_of(&req);
    let frame = Frame {
        lang: l,
        title: t(l, "home.title"),
        switch: Switch::Own {
            back: "/",
            csrf: None,
        },
        console: false,
    };
    html::respond(StatusCode::OK, html::render(&HomePage { frame: &frame }))
}

#[derive(serde::Deserialize)]
struct LangForm {
    #[serde(rename = "_lang")]
    lang: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    csrf_token: Option<String>,
}

/// `POST /lang`: remembers the choice; with the applicant's session (and its CSRF token) also
/// on the application, so its mail follows.
async fn switch_lang(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LangForm>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_code(&form.lang);
    same_site_only(&req, lang)?;
    if let (Ok((app_id, s)), Some(office)) =
        (session::applicant(&state, &req).await, state.office())
    {
        if session::check_csrf(&req, &s, form.csrf_token.as_deref()).is_ok() {
            remember_lang(office, &app_id, lang).await?;
        }
    }
    let mut resp = see_other(local_path(&form.back));
    set_lang_cookie(&state, &mut resp, lang);
    Ok(resp.finish())
}

/// The application's language: its mail is written in it.
pub async fn remember_lang(
    office: &crate::office::Office,
    app_id: &str,
    lang: Lang,
) -> Result<(), PageError> {
    let internal = |_| PageError::key(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal");
    let mut conn = office.db.pool.acquire().await.map_err(internal)?;
    crate::store::applications::set_lang(&mut conn, app_id, lang.code())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "set_lang");
            PageError::key(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
        })
}

/// The value of a urlencoded field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
