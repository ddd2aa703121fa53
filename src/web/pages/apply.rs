//! The applicant's pages: contact and mail link, photo with its verdict, details, confirmation,
//! completion; and the status lookup. Each step reads and writes the application through
//! `Office`, so the server holds the progress and every page can be reloaded.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use serde_json::Value;

use super::html::{self, esc, field as input, hidden, notice, Field, Frame, Switch};
use super::i18n::{next_step_text, t, tf, tr};
use super::{
    chosen_lang, drafts, field, lang_of, remember_lang, same_site_only, see_other, set_lang_cookie,
    PageError,
};
use crate::application::{
    eligibility, next_step, Channel, ContactName, DateOfBirth, Email, Event, FormId, State,
};
use crate::auth::{self, LinkError};
use crate::mail::templates::Lang;
use crate::office::{entitlements, today_jst};
use crate::store::applications::{self as apps, mask_form_id, ApplicationRow, PhotoRow};
use crate::vetting::{Finding, Report, Status, VetContext};
use crate::web::api::{vet_bytes, ApiError};
use crate::web::session::{self, APPLICANT_COOKIE};
use crate::web::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/apply", web::get().to(start_get))
        .route("/apply", web::post().to(start_post))
        .route("/apply/sent", web::get().to(sent))
        .route("/apply/link/{token}", web::get().to(link_get))
        .route("/apply/link/{token}", web::post().to(link_post))
        .route("/apply/photo", web::get().to(photo_get))
        .route("/apply/photo", web::post().to(photo_post))
        .route("/apply/photo/{kind}", web::get().to(photo_image))
        .route("/apply/details", web::get().to(details_get))
        .route("/apply/details", web::post().to(details_post))
        .route("/apply/confirm", web::get().to(confirm_get))
        .route("/apply/confirm", web::post().to(confirm_post))
        .route("/apply/done", web::get().to(done_get))
        .route("/status", web::get().to(status_get))
        .route("/status", web::post().to(status_post));
}

type Fields = Vec<(String, String)>;

fn api(lang: Lang) -> impl Fn(ApiError) -> PageError {
    move |e| PageError::api(lang, &e)
}

fn intake(lang: Lang) -> impl Fn(crate::office::IntakeError) -> PageError {
    move |e| PageError::api(lang, &ApiError::from(e))
}

fn internal(lang: Lang) -> impl Fn(crate::store::StoreError) -> PageError {
    move |e| {
        tracing::error!(error = %e, "page");
        PageError::key(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
    }
}

fn secure(state: &AppState) -> bool {
    state
        .office()
        .map(|o| !o.config.insecure_cookies)
        .unwrap_or(true)
}

fn page(
    lang: Lang,
    title: &str,
    switch: Switch<'_>,
    status: StatusCode,
    body: &str,
) -> HttpResponse {
    let frame = Frame {
        lang,
        title,
        switch,
        console: false,
    };
    html::respond(status, html::document(&frame, body))
}

/// The signed-in applicant: their own application only (the session names it).
struct Applicant {
    app: ApplicationRow,
    session: auth::Session,
    lang: Lang,
}

async fn applicant(state: &AppState, req: &HttpRequest) -> Result<Applicant, PageError> {
    let guess = lang_of(req);
    let office = state.office_or_unavailable().map_err(api(guess))?;
    let (id, session) = session::applicant(state, req).await.map_err(|e| {
        if e.status_code() == StatusCode::UNAUTHORIZED {
            PageError::key(guess, StatusCode::UNAUTHORIZED, "session.none")
        } else {
            PageError::api(guess, &e)
        }
    })?;
    let app = office.application(&id).await.map_err(intake(guess))?;
    let lang = chosen_lang(req).unwrap_or_else(|| Lang::from_code(&app.lang));
    Ok(Applicant { app, session, lang })
}

async fn current_photo(
    state: &AppState,
    app: &ApplicationRow,
    l: Lang,
) -> Result<Option<PhotoRow>, PageError> {
    let Some(id) = &app.photo_id else {
        return Ok(None);
    };
    let office = state.office_or_unavailable().map_err(api(l))?;
    let mut conn = office
        .db
        .pool
        .acquire()
        .await
        .map_err(|e| internal(l)(e.into()))?;
    apps::photo(&mut conn, id).await.map_err(internal(l))
}

/// Where the applicant continues after the link or a finished step.
fn next_page(app: &ApplicationRow) -> &'static str {
    let complete = app.completed_at.is_some();
    match app.state {
        State::RetakeRequested => "/apply/photo",
        State::Forwarded | State::Withdrawn => "/apply/done",
        _ if complete => "/apply/done",
        State::AutoAccepted | State::Accepted => "/apply/details",
        _ => "/apply/photo",
    }
}

fn is_mobile(req: &HttpRequest) -> bool {
    req.headers()
        .get("User-Agent")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.contains("Mobi") || ua.contains("Android") || ua.contains("iPhone"))
}

/// A draft page: saves the form, remembers the language and shows the form again in it.
async fn switch_with_draft(
    state: &AppState,
    req: &HttpRequest,
    page_key: &str,
    fields: &Fields,
    lang: Lang,
    back: &str,
) -> HttpResponse {
    let (id, new) = drafts::id(req);
    drafts::save_shared(state, &id, page_key, fields).await;
    let mut resp = see_other(back);
    set_lang_cookie(state, &mut resp, lang);
    if new {
        drafts::set_cookie(&mut resp, &id, secure(state));
    }
    resp.finish()
}

// ---- Step 1: contact name and email -------------------------------------------------------

#[derive(serde::Deserialize)]
struct StartQuery {
    id: Option<String>,
}

#[derive(Default)]
struct StartValues {
    form_id: String,
    name: String,
    email: String,
    channel: String,
    locked: bool,
}

impl StartValues {
    fn from_fields(f: &[(String, String)]) -> StartValues {
        StartValues {
            form_id: field(f, "form_id").to_string(),
            name: field(f, "name").to_string(),
            email: field(f, "email").to_string(),
            channel: field(f, "channel").to_string(),
            locked: field(f, "locked") == "1",
        }
    }
}

#[derive(Default)]
struct StartErrors {
    form_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
}

impl StartErrors {
    fn any(&self) -> bool {
        self.form_id.is_some() || self.name.is_some() || self.email.is_some()
    }
}

async fn start_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<StartQuery>,
) -> HttpResponse {
    let l = lang_of(&req);
    let mut v = match drafts::load_shared(&state, &req, "start").await {
        Some(d) => StartValues::from_fields(&d),
        None => StartValues::default(),
    };
    // From the form's QR code: the ID is known and not to be retyped.
    if let Some(id) = q.id.as_deref().and_then(|i| FormId::parse(i).ok()) {
        if v.form_id.is_empty() || v.locked {
            v.form_id = id.as_str().to_string();
            v.locked = true;
        }
    }
    if v.channel.is_empty() {
        v.channel = if is_mobile(&req) { "smartphone" } else { "pc" }.into();
    }
    let continuing = match session::applicant(&state, &req).await {
        Ok((id, _)) => match state.office() {
            Some(o) => o.application(&id).await.ok(),
            None => None,
        },
        Err(_) => None,
    };
    render_start(
        l,
        &v,
        &StartErrors::default(),
        continuing.as_ref(),
        StatusCode::OK,
    )
}

fn render_start(
    l: Lang,
    v: &StartValues,
    e: &StartErrors,
    continuing: Option<&ApplicationRow>,
    status: StatusCode,
) -> HttpResponse {
    let mut body = html::steps(l, 1);
    body += &format!(
        "<h1>{}</h1><p>{}</p>",
        esc(t(l, "apply.title")),
        esc(t(l, "apply.intro"))
    );
    if let Some(app) = continuing {
        body += &notice(
            "info",
            &tf(
                l,
                "apply.continuing",
                &[("id", &mask_form_id(&app.form_id))],
            ),
            &format!(
                "<p><a href=\"{}\">{}</a></p>",
                next_page(app),
                esc(t(l, "apply.continue_link"))
            ),
        );
    }
    if e.any() {
        body += &notice("error", t(l, "form.has_errors"), "");
    }
    let locked_attrs = if v.locked { " readonly" } else { "" };
    body += "<form id=\"main-form\" method=\"post\" action=\"/apply\" novalidate>";
    body += &hidden("channel", &v.channel);
    if v.locked {
        body += &hidden("locked", "1");
    }
    body += &input(&Field {
        name: "form_id",
        label: t(l, "apply.form_id"),
        hint: Some(t(
            l,
            if v.locked {
                "apply.form_id_locked"
            } else {
                "apply.form_id_hint"
            },
        )),
        value: &v.form_id,
        error: e.form_id.as_deref(),
        attrs: &format!(
            "type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" required maxlength=\"40\"{locked_attrs}"
        ),
    });
    body += &input(&Field {
        name: "name",
        label: t(l, "apply.name"),
        hint: Some(t(l, "apply.name_hint")),
        value: &v.name,
        error: e.name.as_deref(),
        attrs: "type=\"text\" autocomplete=\"name\" required maxlength=\"200\"",
    });
    body += &input(&Field {
        name: "email",
        label: t(l, "apply.email"),
        hint: Some(t(l, "apply.email_hint")),
        value: &v.email,
        error: e.email.as_deref(),
        attrs:
            "type=\"email\" autocomplete=\"email\" inputmode=\"email\" required maxlength=\"254\"",
    });
    body += &format!(
        "<p class=\"hint\">{}</p><button type=\"submit\" class=\"primary\">{}</button></form>",
        esc(t(l, "apply.privacy")),
        esc(t(l, "apply.send_link"))
    );
    page(
        l,
        t(l, "apply.title"),
        Switch::Form {
            id: "main-form",
            action: "/apply",
        },
        status,
        &body,
    )
}

async fn start_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    let l = lang_of(&req);
    same_site_only(&req, l)?;
    let v = StartValues::from_fields(&fields);
    let switch = field(&fields, "_lang");
    if !switch.is_empty() {
        let back = match FormId::parse(&v.form_id) {
            Ok(id) if v.locked => format!("/apply?id={}", id.as_str()),
            _ => "/apply".to_string(),
        };
        return Ok(switch_with_draft(
            &state,
            &req,
            "start",
            &fields,
            Lang::from_code(switch),
            &back,
        )
        .await);
    }
    let office = state.office_or_unavailable().map_err(api(l))?;
    let mut e = StartErrors::default();
    let form_id = FormId::parse(&v.form_id)
        .map_err(|x| e.form_id = Some(tr(l, x.code(), x.to_string(), x.message_ja())))
        .ok();
    let name = ContactName::parse(&v.name)
        .map_err(|x| e.name = Some(tr(l, x.code(), x.to_string(), x.message_ja())))
        .ok();
    let email = Email::parse(&v.email)
        .map_err(|x| e.email = Some(tr(l, x.code(), x.to_string(), x.message_ja())))
        .ok();
    let (Some(form_id), Some(name), Some(email)) = (form_id, name, email) else {
        return Ok(render_start(
            l,
            &v,
            &e,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let channel = if v.channel == "pc" {
        Channel::Pc
    } else {
        Channel::Smartphone
    };
    office
        .web_start(&form_id, &name, &email, channel, l)
        .await
        .map_err(intake(l))?;
    drafts::clear_shared(&state, &req, "start").await;
    let mut resp = see_other("/apply/sent");
    // The language the form was filled in is the person's choice from now on.
    set_lang_cookie(&state, &mut resp, l);
    Ok(resp.finish())
}

async fn sent(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let l = lang_of(&req);
    let minutes = state
        .office()
        .map(|o| o.config.link_minutes.max(1))
        .unwrap_or(30)
        .to_string();
    let body = format!(
        "{}<h1>{}</h1>{}<p>{}</p><p><a href=\"/apply\">{}</a></p>",
        html::steps(l, 1),
        esc(t(l, "sent.title")),
        notice(
            "ok",
            t(l, "sent.heading"),
            &format!(
                "<p>{}</p>",
                esc(&tf(l, "sent.body", &[("minutes", &minutes)]))
            )
        ),
        esc(t(l, "sent.spam")),
        esc(t(l, "sent.again")),
    );
    page(
        l,
        t(l, "sent.title"),
        Switch::Own {
            back: "/apply/sent",
            csrf: None,
        },
        StatusCode::OK,
        &body,
    )
}

// ---- The one-time link ----------------------------------------------------------------------

fn plausible_token(token: &str) -> bool {
    (16..=128).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /apply/link/{token}`: only a button. Mail scanners fetch links; the token is used by
/// the POST the person makes.
async fn link_get(req: HttpRequest, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    if !plausible_token(&token) {
        return Err(PageError::key(l, StatusCode::NOT_FOUND, "link.invalid"));
    }
    let action = format!("/apply/link/{}", token.as_str());
    let body = format!(
        "<h1>{}</h1><p>{}</p><form method=\"post\" action=\"{}\">\
         <button type=\"submit\" class=\"primary\" autofocus>{}</button></form>",
        esc(t(l, "link.title")),
        esc(t(l, "link.body")),
        esc(&action),
        esc(t(l, "link.continue")),
    );
    Ok(page(
        l,
        t(l, "link.title"),
        Switch::Own {
            back: &action,
            csrf: None,
        },
        StatusCode::OK,
        &body,
    ))
}

async fn link_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    same_site_only(&req, l)?;
    let office = state.office_or_unavailable().map_err(api(l))?;
    let used = auth::consume_link(&office.db, token.trim())
        .await
        .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?;
    let app_id = used.map_err(|e| {
        let key = match e {
            LinkError::Unknown => "link.invalid",
            LinkError::Used => "link.used",
            LinkError::Expired => "link.expired",
        };
        PageError::key(l, StatusCode::GONE, key)
    })?;
    let (cookie, _) = auth::create_session(
        &office.db,
        auth::SessionOwner::Applicant(app_id.clone()),
        2 * 3600 * 1000,
    )
    .await
    .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?;
    let app = office.application(&app_id).await.map_err(intake(l))?;
    let mut resp = see_other(next_page(&app));
    session::set_cookie(&state, &mut resp, APPLICANT_COOKIE, &cookie);
    Ok(resp.finish())
}

// ---- Step 2: the photo ------------------------------------------------------------------------

fn verdict_section(l: Lang, photo: Option<&PhotoRow>, error: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(e) = error {
        out += &notice("error", t(l, "photo.error"), &format!("<p>{}</p>", esc(e)));
    }
    if let Some(p) = photo {
        out += &verdict_html(l, p);
    }
    format!("<section id=\"verdict\" aria-live=\"polite\" tabindex=\"-1\">{out}</section>")
}

fn localized(l: Lang, f: &Finding) -> String {
    f.message.text(l)
}

fn verdict_html(l: Lang, p: &PhotoRow) -> String {
    let report: Option<Report> = serde_json::from_value(p.report.clone()).ok();
    let findings = report
        .as_ref()
        .map(|r| r.findings.as_slice())
        .unwrap_or(&[]);
    let mut seen = std::collections::HashSet::new();
    let fails: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Fail && !f.waived && seen.insert(f.rule.clone()))
        .collect();
    let checks: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            ((f.status == Status::Warn && !f.informational)
                || (f.status == Status::Fail && f.waived))
                && seen.insert(f.rule.clone())
        })
        .collect();
    let list = |items: &[&Finding], cls: &str| -> String {
        let li: String = items
            .iter()
            .map(|f| {
                // The rule id stays for scripts and tests; an applicant reads the words only.
                format!(
                    "<li data-rule=\"{r}\">{}</li>",
                    esc(&localized(l, f)),
                    r = esc(&f.rule)
                )
            })
            .collect();
        format!("<ul class=\"{cls}\">{li}</ul>")
    };
    let (kind, title) = match p.verdict.as_str() {
        "accept" => ("ok", "photo.verdict_accept"),
        "review" => ("warn", "photo.verdict_review"),
        _ => ("error", "photo.verdict_reject"),
    };
    let mut inner = String::new();
    if !fails.is_empty() {
        inner += &format!("<p>{}</p>", esc(t(l, "photo.fix_these")));
        inner += &list(&fails, "instructions");
    }
    if !checks.is_empty() {
        inner += &format!("<p>{}</p>", esc(t(l, "photo.person_checks")));
        inner += &list(&checks, "checks");
    }
    let mut out = format!(
        "<div class=\"verdict\" data-verdict=\"{}\">{}</div>",
        esc(&p.verdict),
        notice(kind, t(l, title), &inner)
    );
    out += &format!(
        "<div class=\"pictures\"><figure><img src=\"/apply/photo/overlay?v={id}\" alt=\"{alt}\" \
         class=\"overlay\"><figcaption>{cap}</figcaption></figure>",
        id = esc(&p.id),
        alt = esc(t(l, "photo.overlay_alt")),
        cap = esc(t(l, "photo.overlay_caption")),
    );
    if p.crop_sha.is_some() && p.verdict != "reject" {
        out += &format!(
            "<figure><img src=\"/apply/photo/crop?v={id}\" alt=\"{alt}\" class=\"crop\">\
             <figcaption>{cap}</figcaption></figure>",
            id = esc(&p.id),
            alt = esc(t(l, "photo.crop_alt")),
            cap = esc(t(l, "photo.crop_caption")),
        );
    }
    out += "</div>";
    out += &match p.verdict.as_str() {
        "accept" => format!(
            "<p class=\"actions\"><a class=\"button primary\" href=\"/apply/details\" id=\"continue\">{}</a></p>",
            esc(t(l, "photo.continue"))
        ),
        "review" => format!(
            "<p>{}</p><p class=\"actions\"><a class=\"button primary\" href=\"/apply/details\" id=\"continue\">{}</a></p>",
            esc(t(l, "photo.review_hint")),
            esc(t(l, "photo.continue"))
        ),
        _ => format!(
            "<p>{}</p><details class=\"anyway\"><summary>{}</summary><p>{}</p>\
             <p><a class=\"button\" href=\"/apply/details\" id=\"submit-anyway\">{}</a></p></details>",
            esc(t(l, "photo.retake_hint")),
            esc(t(l, "photo.disagree")),
            esc(t(l, "photo.anyway_hint")),
            esc(t(l, "photo.anyway")),
        ),
    };
    out
}

fn photo_page(
    l: Lang,
    a: &Applicant,
    photo: Option<&PhotoRow>,
    error: Option<&str>,
    mobile: bool,
    status: StatusCode,
    retake: Option<&[String]>,
) -> HttpResponse {
    let app = &a.app;
    let mut body = html::steps(l, 2);
    body += &format!("<h1>{}</h1>", esc(t(l, "photo.title")));
    if photo_settled(app) {
        let key = if app.state == State::Accepted && app.photo_id.is_none() {
            "photo.not_needed"
        } else {
            "photo.locked"
        };
        body += &notice(
            "info",
            t(l, key),
            &format!(
                "<p><a class=\"button primary\" href=\"{}\">{}</a></p>",
                next_page(app),
                esc(t(l, "common.continue"))
            ),
        );
    } else {
        body += &format!("<p>{}</p>", esc(t(l, "photo.intro")));
        let tips: String = [
            "photo.tip1",
            "photo.tip2",
            "photo.tip3",
            "photo.tip4",
            "photo.tip5",
        ]
        .iter()
        .map(|k| format!("<li>{}</li>", esc(t(l, k))))
        .collect();
        body += &format!(
            "<details class=\"tips\"><summary>{}</summary><ul>{tips}</ul></details>",
            esc(t(l, "photo.tips"))
        );
        match retake {
            // A person asked for a new photo: their rules and note, not the machine's old
            // reasons, and no offer to send the old photo to a person again. The empty
            // verdict region stays for the new photo's verdict.
            Some(reasons) if app.state == State::RetakeRequested => {
                body += &retake_notice(l, reasons);
                body += &verdict_section(l, None, error);
            }
            _ => body += &verdict_section(l, photo, error),
        }
        let camera = if mobile {
            format!(
                "<div class=\"field\"><label for=\"photo-camera\">{}</label>\
                 <input type=\"file\" id=\"photo-camera\" name=\"photo\" accept=\"image/*\" capture=\"user\"></div>",
                esc(t(l, "photo.take"))
            )
        } else {
            String::new()
        };
        body += &format!(
            "<form id=\"photo-form\" method=\"post\" action=\"/apply/photo\" \
             enctype=\"multipart/form-data\" data-checking=\"{checking}\" data-failed=\"{failed}\">\
             {csrf}<h2 data-retake=\"{retake}\">{heading}</h2>{camera}\
             <div class=\"field\"><label for=\"photo-file\">{choose}</label>\
             <p class=\"hint\" id=\"photo-file-hint\">{hint}</p>\
             <input type=\"file\" id=\"photo-file\" name=\"photo\" \
             accept=\"image/jpeg,image/png,image/webp\" aria-describedby=\"photo-file-hint\"></div>\
             {exception}<button type=\"submit\" class=\"primary\" id=\"photo-submit\">{check}</button>\
             <p class=\"progress\" role=\"status\" aria-live=\"polite\"></p></form>",
            checking = esc(t(l, "photo.checking")),
            failed = esc(t(l, "error.internal")),
            csrf = hidden("csrf_token", &a.session.csrf),
            retake = esc(t(l, "photo.retake")),
            heading = esc(t(
                l,
                if photo.is_some() {
                    "photo.retake"
                } else {
                    "photo.add"
                }
            )),
            choose = esc(t(l, "photo.choose")),
            hint = esc(t(l, "photo.choose_hint")),
            check = esc(t(l, "photo.check")),
            exception = exception_choice(l, app.exception_reason.as_deref(), photo.is_some()),
        );
        if app.state == State::Registered {
            body += &format!(
                "<aside class=\"age0\"><h2>{}</h2><p>{}</p><p><a href=\"/apply/details\" id=\"no-photo\">{}</a></p></aside>",
                esc(t(l, "photo.age0_title")),
                esc(t(l, "photo.age0_body")),
                esc(t(l, "photo.age0_link")),
            );
        }
    }
    page(
        l,
        t(l, "photo.title"),
        Switch::Own {
            back: "/apply/photo",
            csrf: Some(&a.session.csrf),
        },
        status,
        &body,
    )
}

/// What the reviewer asked for: each rule's plain instruction, then their note.
fn retake_notice(l: Lang, reasons: &[String]) -> String {
    let (rules, notes): (Vec<&String>, Vec<&String>) = reasons
        .iter()
        .partition(|r| crate::vetting::messages::rule_title(r).is_some());
    let items: String = rules
        .iter()
        .filter_map(|r| crate::vetting::messages::rule_title(r).map(|m| (r, m)))
        .map(|(r, m)| format!("<li data-rule=\"{}\">{}</li>", esc(r), esc(&m.text(l))))
        .collect();
    let mut inner = format!(
        "<p>{}</p><ul class=\"instructions\">{items}</ul>",
        esc(t(l, "photo.fix_these"))
    );
    if !notes.is_empty() {
        inner += &format!(
            "<p>{}</p><blockquote class=\"reviewer-note\">{}</blockquote>",
            esc(t(l, "photo.reviewer_note")),
            notes
                .iter()
                .map(|n| esc(n))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    format!(
        "<section id=\"retake-request\">{}</section>",
        notice("warn", t(l, "photo.reviewer_title"), &inner)
    )
}

/// The reasons of the last retake request, when that is where the application stands.
async fn retake_reasons(state: &AppState, app: &ApplicationRow) -> Option<Vec<String>> {
    if app.state != State::RetakeRequested {
        return None;
    }
    let office = state.office()?;
    let mut conn = office.db.pool.acquire().await.ok()?;
    let history = apps::history(&mut conn, &app.id).await.ok()?;
    history
        .iter()
        .rev()
        .find(|e| e.event["kind"] == "retake_requested")
        .and_then(|e| e.event["reasons"].as_array())
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
}

/// Whether the photo can no longer change: the state forbids it, or the application was sent
/// with an accepted photo (going back must not silently replace it).
fn photo_settled(app: &ApplicationRow) -> bool {
    app.state.transition(&Event::NewPhoto).is_err()
        || (app.completed_at.is_some()
            && matches!(app.state, State::AutoAccepted | State::Accepted))
}

fn missing_photo() -> ApiError {
    ApiError::domain(
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing_photo",
        t(Lang::En, "photo.none"),
        t(Lang::Ja, "photo.none"),
    )
}

/// Head coverings and bandages worn for religious or medical reasons are allowed: declaring one
/// waives those rules and sends the photo to a person instead of rejecting it.
const EXCEPTIONS: [(&str, &str, &str); 2] = [
    (
        "religious",
        "photo.exception_religious",
        "religious head covering",
    ),
    (
        "medical",
        "photo.exception_medical",
        "medical reasons (bandage, eye patch)",
    ),
];

fn exception_choice(l: Lang, declared: Option<&str>, has_photo: bool) -> String {
    let chosen = EXCEPTIONS
        .iter()
        .find(|(_, _, reason)| Some(*reason) == declared)
        .map(|(v, _, _)| *v)
        .unwrap_or("");
    let radio = |value: &str, key: &str, checked: bool| {
        format!(
            "<label class=\"choice\"><input type=\"radio\" name=\"exception\" value=\"{value}\"{}> {}</label>",
            if checked { " checked" } else { "" },
            esc(t(l, key))
        )
    };
    let options: String = std::iter::once(radio("", "photo.exception_none", chosen.is_empty()))
        .chain(EXCEPTIONS.iter().map(|(v, k, _)| radio(v, k, *v == chosen)))
        .collect();
    // With a photo already sent, the reason can be applied to it (without JavaScript too).
    let recheck = if has_photo {
        format!(
            "<button type=\"submit\" name=\"recheck\" value=\"1\" id=\"exception-recheck\">{}</button>",
            esc(t(l, "photo.exception_recheck"))
        )
    } else {
        String::new()
    };
    format!(
        "<details class=\"exception\"{open}><summary>{}</summary><fieldset class=\"field\"><legend>{}</legend>\
         <p class=\"hint\">{}</p>{options}{recheck}</fieldset></details>",
        esc(t(l, "photo.exception_summary")),
        esc(t(l, "photo.exception_legend")),
        esc(t(l, "photo.exception_hint")),
        open = if chosen.is_empty() { "" } else { " open" },
    )
}

async fn photo_get(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let a = applicant(&state, &req).await?;
    let photo = current_photo(&state, &a.app, a.lang).await?;
    let retake = retake_reasons(&state, &a.app).await;
    Ok(photo_page(
        a.lang,
        &a,
        photo.as_ref(),
        None,
        is_mobile(&req),
        StatusCode::OK,
        retake.as_deref(),
    ))
}

/// The form's text fields and the first non-empty `photo` file (the page offers the camera and
/// a file chooser; the one not used arrives empty).
async fn read_photo_form(
    mut form: Multipart,
    max_photo: usize,
) -> Result<(Fields, Option<Vec<u8>>), ApiError> {
    let mut fields = Vec::new();
    let mut photo: Option<Vec<u8>> = None;
    while let Some(part) = form.next().await {
        let mut part = part.map_err(crate::web::api::multipart_error)?;
        let name = part.name().unwrap_or_default().to_string();
        let limit = if name == "photo" { max_photo } else { 4096 };
        let mut buf = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(crate::web::api::multipart_error)?;
            if buf.len() + chunk.len() > limit {
                return Err(ApiError::Vet(crate::vetting::VetError::Input(
                    crate::vetting::InputError::TooLarge {
                        size: buf.len() + chunk.len(),
                        limit,
                    },
                )));
            }
            buf.extend_from_slice(&chunk);
        }
        if name == "photo" {
            if photo.is_none() && !buf.is_empty() {
                photo = Some(buf);
            }
        } else if let Ok(text) = String::from_utf8(buf) {
            fields.push((name, text));
        }
    }
    Ok((fields, photo))
}

async fn photo_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, PageError> {
    let a = applicant(&state, &req).await?;
    let l = a.lang;
    let office = state.office_or_unavailable().map_err(api(l))?;
    // The script asks for the verdict alone, to show it without a reload.
    let fragment = req.headers().contains_key("X-Fragment");
    let result = async {
        let (fields, photo) = read_photo_form(form, state.vetter.profile.input.max_bytes).await?;
        session::check_csrf(
            &req,
            &a.session,
            Some(field(&fields, "csrf_token")).filter(|s| !s.is_empty()),
        )?;
        if photo_settled(&a.app) {
            return Err(ApiError::domain(
                StatusCode::CONFLICT,
                "photo_settled",
                t(Lang::En, "photo.locked"),
                t(Lang::Ja, "photo.locked"),
            ));
        }
        let exception = EXCEPTIONS
            .iter()
            .find(|(v, _, _)| *v == field(&fields, "exception"))
            .map(|(_, _, reason)| reason.to_string());
        // A reason declared after the photo was sent: check the photo already sent again with it.
        let photo = match photo {
            Some(p) => p,
            None if field(&fields, "recheck") == "1" => {
                let Some(sha) = current_photo(&state, &a.app, l)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|p| p.original_sha)
                else {
                    return Err(missing_photo());
                };
                let photos = office.photos.clone();
                web::block(move || photos.get(&sha))
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))?
                    .map_err(|e| ApiError::Internal(e.to_string()))?
            }
            None => return Err(missing_photo()),
        };
        let mut conn = office
            .db
            .pool
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        apps::set_exception_reason(&mut conn, &a.app.id, exception.as_deref())
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        drop(conn);
        let ctx = VetContext {
            date_of_birth: a.app.date_of_birth.as_deref().and_then(|d| d.parse().ok()),
            application_date: Some(today_jst()),
            exception,
        };
        let (vetted, original) = vet_bytes(&state, photo, ctx, "web_photo").await?;
        let overlay = vetted.overlay_png();
        let stored = office
            .store_photo(original, vetted.crop_jpeg, vetted.report)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        office.web_photo(&a.app.id, &stored).await?;
        overlays::put(&stored.original_sha, overlay);
        Ok::<_, ApiError>(())
    }
    .await;
    let error = match result {
        Ok(()) => None,
        // A forged or cross-site request gets no page with the applicant's data.
        Err(e) if e.status_code() == StatusCode::FORBIDDEN => return Err(PageError::api(l, &e)),
        Err(e) => Some(PageError::api(l, &e)),
    };
    if error.is_none() && !fragment {
        return Ok(see_other("/apply/photo#verdict").finish());
    }
    let app = office.application(&a.app.id).await.map_err(intake(l))?;
    let photo = current_photo(&state, &app, l).await?;
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    let text = error.as_ref().map(|e| e.text().to_string());
    if fragment {
        return Ok(html::respond(
            status,
            verdict_section(l, photo.as_ref(), text.as_deref()),
        ));
    }
    let a = Applicant { app, ..a };
    let retake = retake_reasons(&state, &a.app).await;
    Ok(photo_page(
        l,
        &a,
        photo.as_ref(),
        text.as_deref(),
        is_mobile(&req),
        status,
        retake.as_deref(),
    ))
}

/// `GET /apply/photo/{overlay|crop}`: pictures of the applicant's own current photo.
async fn photo_image(
    state: web::Data<AppState>,
    req: HttpRequest,
    kind: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let a = applicant(&state, &req).await?;
    let l = a.lang;
    let office = state.office_or_unavailable().map_err(api(l))?;
    let not_found = || PageError::key(l, StatusCode::NOT_FOUND, "error.not_found");
    let photo = current_photo(&state, &a.app, a.lang)
        .await?
        .ok_or_else(not_found)?;
    let sha = match kind.as_str() {
        "overlay" => photo.original_sha,
        "crop" => photo.crop_sha,
        _ => None,
    }
    .ok_or_else(not_found)?;
    let private = ("Cache-Control", "private, no-store");
    if kind.as_str() == "overlay" {
        if let Some(png) = overlays::get(&sha) {
            return Ok(HttpResponse::Ok()
                .content_type("image/png")
                .insert_header(private)
                .body(png));
        }
    }
    let photos = office.photos.clone();
    let key = sha.clone();
    let bytes = web::block(move || photos.get(&sha))
        .await
        .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?
        .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?;
    if kind.as_str() == "crop" {
        return Ok(HttpResponse::Ok()
            .content_type("image/jpeg")
            .insert_header(private)
            .body(bytes));
    }
    // The overlay is drawn from the stored original (its pixels only), as for reviewers.
    let (vetted, _) = vet_bytes(&state, bytes, VetContext::default(), "overlay")
        .await
        .map_err(api(l))?;
    let png = vetted.overlay_png();
    overlays::put(&key, png.clone());
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(private)
        .body(png))
}

/// The last few applicant overlays, by original photo: drawing one means vetting the photo
/// again, and the page shows it right after the upload that already vetted it.
mod overlays {
    use std::collections::VecDeque;
    use std::sync::{LazyLock, Mutex};

    const KEEP: usize = 16;
    /// (original photo SHA-256, overlay PNG), oldest first.
    type Entries = VecDeque<(String, Vec<u8>)>;
    static CACHE: LazyLock<Mutex<Entries>> = LazyLock::new(|| Mutex::new(VecDeque::new()));

    pub fn put(sha: &str, png: Vec<u8>) {
        if let Ok(mut c) = CACHE.lock() {
            c.retain(|(k, _)| k != sha);
            if c.len() >= KEEP {
                c.pop_front();
            }
            c.push_back((sha.to_string(), png));
        }
    }

    pub fn get(sha: &str) -> Option<Vec<u8>> {
        let c = CACHE.lock().ok()?;
        c.iter().find(|(k, _)| k == sha).map(|(_, v)| v.clone())
    }
}

// ---- Step 3: details, confirmation, completion ---------------------------------------------------

#[derive(Default)]
struct Details {
    dob: String,
    certificates: bool,
    braille: bool,
}

impl Details {
    fn from_fields(f: &[(String, String)]) -> Details {
        Details {
            dob: field(f, "date_of_birth").to_string(),
            certificates: field(f, "certificates") != "no",
            braille: field(f, "braille") == "yes",
        }
    }

    fn from_app(app: &ApplicationRow) -> Details {
        Details {
            dob: app.date_of_birth.clone().unwrap_or_default(),
            certificates: app.user_cert.unwrap_or(true),
            braille: app.braille.unwrap_or(false),
        }
    }

    fn fields(&self) -> Fields {
        let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
        vec![
            ("date_of_birth".into(), self.dob.clone()),
            ("certificates".into(), yn(self.certificates)),
            ("braille".into(), yn(self.braille)),
        ]
    }
}

fn closed(app: &ApplicationRow) -> bool {
    matches!(app.state, State::Forwarded | State::Withdrawn)
}

async fn details_get(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let a = applicant(&state, &req).await?;
    if closed(&a.app) {
        return Ok(see_other("/apply/done").finish());
    }
    let d = drafts::load_shared(&state, &req, "details")
        .await
        .map(|f| Details::from_fields(&f))
        .unwrap_or_else(|| Details::from_app(&a.app));
    Ok(render_details(&a, &d, None, StatusCode::OK))
}

fn render_details(
    a: &Applicant,
    d: &Details,
    dob_error: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let l = a.lang;
    let mut body = html::steps(l, 3);
    body += &format!("<h1>{}</h1>", esc(t(l, "details.title")));
    if a.app.state == State::Registered {
        body += &notice(
            "info",
            t(l, "details.no_photo_title"),
            &format!(
                "<p>{}</p><p><a href=\"/apply/photo\">{}</a></p>",
                esc(t(l, "details.no_photo_body")),
                esc(t(l, "details.back_to_photo"))
            ),
        );
    }
    if dob_error.is_some() {
        body += &notice("error", t(l, "form.has_errors"), "");
    }
    body += "<form id=\"main-form\" method=\"post\" action=\"/apply/details\" novalidate>";
    body += &hidden("csrf_token", &a.session.csrf);
    body += &input(&Field {
        name: "date_of_birth",
        label: t(l, "details.dob"),
        hint: Some(t(l, "details.dob_hint")),
        value: &d.dob,
        error: dob_error,
        attrs: &format!(
            "type=\"date\" autocomplete=\"bday\" required min=\"1900-01-01\" max=\"{}\"",
            today_jst()
        ),
    });
    body += &html::yes_no(
        l,
        "certificates",
        t(l, "details.certificates"),
        Some(t(l, "details.certificates_hint")),
        d.certificates,
    );
    body += &html::yes_no(
        l,
        "braille",
        t(l, "details.braille"),
        Some(t(l, "details.braille_hint")),
        d.braille,
    );
    body += &format!(
        "<button type=\"submit\" class=\"primary\">{}</button></form>\
         <p><a href=\"/apply/photo\">{}</a></p>",
        esc(t(l, "details.next")),
        esc(t(l, "details.back_to_photo"))
    );
    page(
        l,
        t(l, "details.title"),
        Switch::Form {
            id: "main-form",
            action: "/apply/details",
        },
        status,
        &body,
    )
}

async fn details_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    let a = applicant(&state, &req).await?;
    session::check_csrf(&req, &a.session, Some(field(&fields, "csrf_token")))
        .map_err(api(a.lang))?;
    let office = state.office_or_unavailable().map_err(api(a.lang))?;
    let switch = field(&fields, "_lang");
    if !switch.is_empty() {
        let lang = Lang::from_code(switch);
        remember_lang(office, &a.app.id, lang).await?;
        return Ok(
            switch_with_draft(&state, &req, "details", &fields, lang, "/apply/details").await,
        );
    }
    let l = a.lang;
    let mut d = Details::from_fields(&fields);
    let dob = match DateOfBirth::parse(&d.dob, today_jst()) {
        Ok(dob) => dob,
        Err(x) => {
            let msg = tr(l, x.code(), x.to_string(), x.message_ja());
            return Ok(render_details(
                &a,
                &d,
                Some(&msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let el = eligibility(dob.date(), today_jst(), false);
    if a.app.state == State::Registered && el.map(|e| e.photo_required).unwrap_or(true) {
        let msg = t(l, "details.photo_needed");
        return Ok(render_details(
            &a,
            &d,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    d.dob = dob.to_string();
    let (id, new) = drafts::id(&req);
    drafts::save_shared(&state, &id, "details", &d.fields()).await;
    let mut resp = see_other("/apply/confirm");
    if new {
        drafts::set_cookie(&mut resp, &id, secure(&state));
    }
    Ok(resp.finish())
}

/// The details waiting for confirmation, checked again (a draft is only a convenience).
async fn pending_details(state: &AppState, req: &HttpRequest) -> Option<(Details, DateOfBirth)> {
    let d = Details::from_fields(&drafts::load_shared(state, req, "details").await?);
    let dob = DateOfBirth::parse(&d.dob, today_jst()).ok()?;
    Some((d, dob))
}

fn row(label: &str, value: &str) -> String {
    format!("<dt>{}</dt><dd>{}</dd>", esc(label), esc(value))
}

fn yes_no_text(l: Lang, b: bool) -> &'static str {
    t(l, if b { "common.yes" } else { "common.no" })
}

/// "1234 5678 …": digits in groups of four, as printed on the form.
fn grouped(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Card and certificate lines from `office::entitlements`.
fn entitlement_rows(l: Lang, ent: &Value) -> String {
    let mut out = String::new();
    if let Some(until) = ent["card_valid_until"].as_str() {
        out += &row(t(l, "confirm.card_until"), until);
    }
    if ent["signature_certificate"]["issued"] == Value::Bool(false)
        && ent["signature_certificate"]["reason"].is_string()
    {
        out += &row(
            t(l, "confirm.signature"),
            t(l, "confirm.signature_not_issued"),
        );
    }
    out
}

async fn confirm_get(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let a = applicant(&state, &req).await?;
    let l = a.lang;
    let Some((d, dob)) = pending_details(&state, &req).await else {
        return Ok(see_other("/apply/details").finish());
    };
    let photo = current_photo(&state, &a.app, a.lang).await?;
    let ent = entitlements(dob.date(), today_jst(), d.certificates);
    let photo_text = match photo.as_ref().map(|p| p.verdict.as_str()) {
        None => t(l, "confirm.photo_none"),
        Some("accept") => t(l, "photo.verdict_accept"),
        Some("review") => t(l, "photo.verdict_review"),
        Some(_) => t(l, "confirm.photo_rejected"),
    };
    let mut dl = String::new();
    // The whole ID, in groups of four, so a typo can still be caught before sending.
    dl += &row(t(l, "apply.form_id"), &grouped(&a.app.form_id));
    dl += &row(
        t(l, "apply.name"),
        a.app.contact_name.as_deref().unwrap_or(""),
    );
    dl += &row(t(l, "apply.email"), a.app.email.as_deref().unwrap_or(""));
    dl += &row(t(l, "confirm.photo"), photo_text);
    dl += &row(t(l, "details.dob"), &dob.to_string());
    if let Some(age) = ent["age"].as_u64() {
        dl += &row(t(l, "confirm.age"), &age.to_string());
    }
    dl += &row(t(l, "details.certificates"), yes_no_text(l, d.certificates));
    dl += &row(t(l, "details.braille"), yes_no_text(l, d.braille));
    dl += &entitlement_rows(l, &ent);
    let crop = match &photo {
        Some(p) if p.crop_sha.is_some() && p.verdict != "reject" => format!(
            "<img class=\"crop small\" src=\"/apply/photo/crop?v={}\" alt=\"{}\">",
            esc(&p.id),
            esc(t(l, "photo.crop_alt"))
        ),
        _ => String::new(),
    };
    let body = format!(
        "{steps}<h1>{title}</h1><p>{intro}</p>{crop}<dl class=\"summary\">{dl}</dl>\
         <form method=\"post\" action=\"/apply/confirm\">{csrf}\
         <button type=\"submit\" class=\"primary\" id=\"submit\">{submit}</button></form>\
         <p><a href=\"/apply/details\">{edit}</a></p>",
        steps = html::steps(l, 4),
        title = esc(t(l, "confirm.title")),
        intro = esc(t(l, "confirm.intro")),
        csrf = hidden("csrf_token", &a.session.csrf),
        submit = esc(t(l, "confirm.submit")),
        edit = esc(t(l, "confirm.edit")),
    );
    Ok(page(
        l,
        t(l, "confirm.title"),
        Switch::Own {
            back: "/apply/confirm",
            csrf: Some(&a.session.csrf),
        },
        StatusCode::OK,
        &body,
    ))
}

async fn confirm_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    let a = applicant(&state, &req).await?;
    let l = a.lang;
    session::check_csrf(&req, &a.session, Some(field(&fields, "csrf_token"))).map_err(api(l))?;
    let office = state.office_or_unavailable().map_err(api(l))?;
    let Some((d, dob)) = pending_details(&state, &req).await else {
        return Ok(see_other("/apply/details").finish());
    };
    office
        .web_details(&a.app.id, &dob, d.certificates, d.braille)
        .await
        .map_err(intake(l))?;
    drafts::clear_shared(&state, &req, "details").await;
    Ok(see_other("/apply/done").finish())
}

fn state_label(l: Lang, s: State) -> &'static str {
    t(l, &format!("state.{}", s.as_str()))
}

async fn done_get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let a = applicant(&state, &req).await?;
    let l = a.lang;
    let app = &a.app;
    let complete = app.completed_at.is_some();
    if !complete && !closed(app) {
        return Ok(see_other(next_page(app)).finish());
    }
    let step = next_step(app.state, complete);
    let mut dl = String::new();
    dl += &row(t(l, "apply.form_id"), &mask_form_id(&app.form_id));
    dl += &row(t(l, "status.state"), state_label(l, app.state));
    if let Some(dob) = app.date_of_birth.as_deref().and_then(|d| d.parse().ok()) {
        dl += &entitlement_rows(
            l,
            &entitlements(dob, today_jst(), app.user_cert.unwrap_or(false)),
        );
    }
    let mut extra = String::new();
    if app.photo_id.is_none() && app.state == State::Accepted {
        extra += &format!("<p>{}</p>", esc(t(l, "done.no_photo")));
    }
    if matches!(app.state, State::AutoRejected | State::RetakeRequested) {
        extra += &format!(
            "<p><a class=\"button\" href=\"/apply/photo\">{}</a></p>",
            esc(t(l, "done.retake"))
        );
    }
    let body = format!(
        "<h1>{title}</h1>{notice}<dl class=\"summary\" id=\"summary\" data-state=\"{state}\">{dl}</dl>{extra}\
         <p><a href=\"/status\">{status}</a></p>",
        title = esc(t(l, "done.title")),
        notice = notice(
            "ok",
            t(l, "done.received"),
            &format!(
                "<p>{}</p><p class=\"next-step\">{}</p>",
                esc(t(l, "done.mail")),
                esc(if app.state == State::AutoRejected {
                    // Sent on despite the machine's verdict: a person decides next (the status
                    // lookup says so too: next step `wait_for_review`).
                    t(l, "done.review_pending")
                } else {
                    next_step_text(l, step.code, app.state)
                })
            )
        ),
        state = app.state.as_str(),
        status = esc(t(l, "done.status_link")),
    );
    Ok(page(
        l,
        t(l, "done.title"),
        Switch::Own {
            back: "/apply/done",
            csrf: Some(&a.session.csrf),
        },
        StatusCode::OK,
        &body,
    ))
}

// ---- The status lookup ------------------------------------------------------------------------

async fn status_get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let l = lang_of(&req);
    let f = drafts::load_shared(&state, &req, "status")
        .await
        .unwrap_or_default();
    render_status(l, &f, (None, None), None, StatusCode::OK)
}

fn render_status(
    l: Lang,
    f: &[(String, String)],
    errors: (Option<String>, Option<String>),
    result: Option<&Value>,
    status: StatusCode,
) -> HttpResponse {
    let mut body = format!(
        "<h1>{}</h1><p>{}</p>",
        esc(t(l, "status.title")),
        esc(t(l, "status.intro"))
    );
    if let Some(r) = result {
        let step = r["next_step"]["code"]
            .as_str()
            .map(|code| {
                let st = r["state"]
                    .as_str()
                    .and_then(|s| s.parse::<State>().ok())
                    .unwrap_or(State::Registered);
                next_step_text(l, code, st)
            })
            .unwrap_or_default();
        let inner = match r["state"].as_str() {
            Some(s) => format!(
                "<dl class=\"summary\"><dt>{}</dt><dd id=\"status-state\" data-state=\"{}\">{}</dd>\
                 <dt>{}</dt><dd id=\"status-next\">{}</dd></dl>",
                esc(t(l, "status.state")),
                esc(s),
                esc(t(l, &format!("state.{s}"))),
                esc(t(l, "status.next")),
                esc(step)
            ),
            None => format!("<p id=\"status-next\">{}</p>", esc(step)),
        };
        body += &format!(
            "<section class=\"result\" role=\"status\">{}</section>",
            notice(
                if r["state"].is_string() {
                    "info"
                } else {
                    "warn"
                },
                t(l, "status.result"),
                &inner
            )
        );
    }
    body += "<form id=\"main-form\" method=\"post\" action=\"/status\" novalidate>";
    body += &input(&Field {
        name: "form_id",
        label: t(l, "apply.form_id"),
        hint: Some(t(l, "apply.form_id_hint")),
        value: field(f, "form_id"),
        error: errors.0.as_deref(),
        attrs: "type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" required maxlength=\"40\"",
    });
    body += &input(&Field {
        name: "date_of_birth",
        label: t(l, "details.dob"),
        hint: Some(t(l, "details.dob_hint")),
        value: field(f, "date_of_birth"),
        error: errors.1.as_deref(),
        attrs: "type=\"date\" autocomplete=\"bday\" required min=\"1900-01-01\"",
    });
    body += &format!(
        "<button type=\"submit\" class=\"primary\">{}</button></form>",
        esc(t(l, "status.lookup"))
    );
    page(
        l,
        t(l, "status.title"),
        Switch::Form {
            id: "main-form",
            action: "/status",
        },
        status,
        &body,
    )
}

async fn status_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    let l = lang_of(&req);
    same_site_only(&req, l)?;
    let switch = field(&fields, "_lang");
    if !switch.is_empty() {
        return Ok(switch_with_draft(
            &state,
            &req,
            "status",
            &fields,
            Lang::from_code(switch),
            "/status",
        )
        .await);
    }
    let office = state.office_or_unavailable().map_err(api(l))?;
    if !state
        .status_limit
        .check_as(&state, "status:addr", &session::client_key(&req))
        .await
    {
        return Err(PageError::key(
            l,
            StatusCode::TOO_MANY_REQUESTS,
            "error.rate_limited",
        ));
    }
    let form_id = FormId::parse(field(&fields, "form_id"));
    let dob = DateOfBirth::parse(field(&fields, "date_of_birth"), today_jst());
    let (form_id, dob) = match (form_id, dob) {
        (Ok(f), Ok(d)) => (f, d),
        (f, d) => {
            let errors = (
                f.err()
                    .map(|x| tr(l, x.code(), x.to_string(), x.message_ja())),
                d.err()
                    .map(|x| tr(l, x.code(), x.to_string(), x.message_ja())),
            );
            return Ok(render_status(
                l,
                &fields,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let result = office.status(&form_id, &dob).await.map_err(intake(l))?;
    Ok(render_status(
        l,
        &fields,
        (None, None),
        Some(&result),
        StatusCode::OK,
    ))
}
