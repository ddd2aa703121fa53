//! The reviewer console: sign-in, the queue (oldest first, by rule and channel), one item with
//! its photo, overlay, measurements and history, the two decisions, and a small dashboard.
//! Pages need the reviewer's session (else the sign-in page); every POST also needs its CSRF
//! token and a same-site origin.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde_json::Value;

use super::html::{self, esc, field as input, hidden, notice, Field, Frame, Switch};
use super::i18n::{t, tf};
use super::{field, local_path, same_site_only, see_other, PageError};
use crate::auth::{self, Reviewer, Session};
use crate::mail::templates::Lang;
use crate::review::{self, Decision};
use crate::store::applications as apps;
use crate::store::dashboard;
use crate::vetting::messages::{self, rule_ids, rule_title};
use crate::web::api::ApiError;
use crate::web::session::{self, REVIEWER_COOKIE};
use crate::web::AppState;

/// Every rule a photo can be flagged for: the queue filter and the dashboard's rows.
const RULES: &[&str] = &[
    "F1", "F3", "F4", "F5", "F6", "F7", "F8", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9",
    "P10", "P11", "P12", "P13", "P14", "P15", "P16", "P17", "P18", "P19", "P20", "P21",
];

const CHANNELS: &[&str] = &["booth", "smartphone", "pc", "counter"];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", web::get().to(queue))
        .route("/console/login", web::get().to(login_get))
        .route("/console/login", web::post().to(login_post))
        .route("/console/logout", web::post().to(logout))
        .route("/console/dashboard", web::get().to(dashboard_page))
        .route("/console/items/{id}", web::get().to(item_get))
        .route("/console/items/{id}/decision", web::post().to(decide));
}

type Fields = Vec<(String, String)>;

/// The console speaks Japanese or English: easy Japanese becomes Japanese, any other English.
fn lang_of(req: &HttpRequest) -> Lang {
    super::lang_of(req).for_console()
}

fn api(lang: Lang) -> impl Fn(ApiError) -> PageError {
    move |e| PageError::api(lang, &e)
}

fn store_err(lang: Lang) -> impl Fn(crate::store::StoreError) -> PageError {
    move |e| {
        tracing::error!(error = %e, "console");
        PageError::key(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
    }
}

fn page(lang: Lang, title: &str, back: &str, status: StatusCode, body: &str) -> HttpResponse {
    let frame = Frame {
        lang,
        title,
        switch: Switch::Own { back, csrf: None },
        console: true,
    };
    html::respond(status, html::document(&frame, body))
}

/// The signed-in reviewer, or `None` (pages then send the browser to the sign-in page).
async fn signed_in(state: &AppState, req: &HttpRequest) -> Option<(Reviewer, Session)> {
    session::reviewer(state, req).await.ok()
}

fn to_login() -> HttpResponse {
    see_other("/console/login").finish()
}

/// Filter values are rule ids and channel names: letters, digits and '_' only.
fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 32)
        .filter(|s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .map(str::to_string)
}

#[derive(serde::Deserialize, Default)]
struct QueueQuery {
    rule: Option<String>,
    channel: Option<String>,
    decided: Option<String>,
}

impl QueueQuery {
    fn rule(&self) -> Option<String> {
        clean(self.rule.as_deref())
    }
    fn channel(&self) -> Option<String> {
        clean(self.channel.as_deref())
    }
    /// The filter as a query string, kept from the queue through items and decisions.
    fn qs(&self) -> String {
        filter_qs(self.rule().as_deref(), self.channel().as_deref())
    }
}

fn filter_qs(rule: Option<&str>, channel: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(r) = rule {
        parts.push(format!("rule={r}"));
    }
    if let Some(c) = channel {
        parts.push(format!("channel={c}"));
    }
    parts.join("&")
}

fn nav(l: Lang, r: &Reviewer, s: &Session, current: &str) -> String {
    let link = |href: &str, key: &str| {
        let aria = if href == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        format!("<a href=\"{href}\"{aria}>{}</a>", esc(t(l, key)))
    };
    format!(
        "<nav class=\"console-nav\" aria-label=\"{}\">{}{}{}<span class=\"who\">{}</span>\
         <form method=\"post\" action=\"/console/logout\">{}<button type=\"submit\" class=\"link\">{}</button></form></nav>",
        esc(t(l, "console.brand")),
        link("/console", "console.queue"),
        link("/console/dashboard", "console.dashboard"),
        link("/console/booths", "console.nav_booths"),
        esc(&tf(l, "console.signed_in_as", &[("name", &r.name)])),
        hidden("csrf_token", &s.csrf),
        esc(t(l, "console.signout")),
    )
}

fn channel_label(l: Lang, c: &str) -> String {
    if CHANNELS.contains(&c) {
        t(l, &format!("channel.{c}")).to_string()
    } else {
        c.to_string()
    }
}

fn state_label(l: Lang, s: &str) -> String {
    match s.parse::<crate::application::State>() {
        Ok(st) => t(l, &format!("state.{}", st.as_str())).to_string(),
        Err(_) => s.to_string(),
    }
}

/// A rule's plain instruction; for file rules without one, what passing it means.
fn rule_text(l: Lang, rule: &str) -> String {
    rule_title(rule)
        .or_else(|| {
            let key = format!("{rule}.ok");
            messages::has(&key).then(|| messages::msg(&key))
        })
        .map(|m| m.text(l))
        .unwrap_or_default()
}

fn minutes_since(l: Lang, ms: i64) -> String {
    let n = ((crate::store::now_ms() - ms) / 60_000).max(0);
    tf(l, "console.minutes", &[("n", &n.to_string())])
}

// ---- Sign-in ------------------------------------------------------------------------------------

async fn login_get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if signed_in(&state, &req).await.is_some() {
        return see_other("/console").finish();
    }
    login_page(lang_of(&req), "", None, StatusCode::OK)
}

fn login_page(l: Lang, name: &str, error: Option<&str>, status: StatusCode) -> HttpResponse {
    let mut body = format!("<h1>{}</h1>", esc(t(l, "console.signin")));
    if let Some(e) = error {
        body += &notice("error", e, "");
    }
    body += "<form method=\"post\" action=\"/console/login\" class=\"narrow\">";
    body += &input(&Field {
        name: "name",
        label: t(l, "console.name"),
        hint: None,
        value: name,
        error: None,
        attrs: "type=\"text\" autocomplete=\"username\" required autofocus",
    });
    body += &input(&Field {
        name: "password",
        label: t(l, "console.password"),
        hint: None,
        value: "",
        error: None,
        attrs: "type=\"password\" autocomplete=\"current-password\" required",
    });
    body += &format!(
        "<button type=\"submit\" class=\"primary\">{}</button></form>",
        esc(t(l, "console.signin"))
    );
    page(l, t(l, "console.signin"), "/console/login", status, &body)
}

async fn login_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    // Refusing cross-site sign-in keeps another site from signing a reviewer into its account.
    same_site_only(&req, l)?;
    let office = state.office_or_unavailable().map_err(api(l))?;
    if !state
        .login_limit
        .check_as(&state, "login:addr", &session::client_key(&req))
        .await
    {
        return Err(PageError::key(
            l,
            StatusCode::TOO_MANY_REQUESTS,
            "error.rate_limited",
        ));
    }
    let name = field(&form, "name").trim();
    let reviewer = auth::verify_reviewer(&office.db, name, field(&form, "password"))
        .await
        .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?;
    let Some(reviewer) = reviewer else {
        return Ok(login_page(
            l,
            name,
            Some(t(l, "console.bad_credentials")),
            StatusCode::UNAUTHORIZED,
        ));
    };
    let (token, _) = auth::create_session(
        &office.db,
        auth::SessionOwner::Reviewer(reviewer.id.clone()),
        10 * 3600 * 1000,
    )
    .await
    .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?;
    let mut resp = see_other("/console");
    session::set_cookie(&state, &mut resp, REVIEWER_COOKIE, &token);
    Ok(resp.finish())
}

async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    let Some((_, s)) = signed_in(&state, &req).await else {
        return Ok(to_login());
    };
    session::check_csrf(&req, &s, Some(field(&form, "csrf_token"))).map_err(api(l))?;
    let office = state.office_or_unavailable().map_err(api(l))?;
    if let Some(c) = req.cookie(REVIEWER_COOKIE) {
        auth::end_session(&office.db, c.value())
            .await
            .map_err(|e| PageError::api(l, &ApiError::Internal(e.to_string())))?;
    }
    let mut resp = see_other("/console/login");
    session::clear_cookie(&mut resp, REVIEWER_COOKIE);
    Ok(resp.finish())
}

// ---- The queue ----------------------------------------------------------------------------------

async fn queue(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    let Some((r, s)) = signed_in(&state, &req).await else {
        return Ok(to_login());
    };
    let office = state.office_or_unavailable().map_err(api(l))?;
    let mut conn = office
        .db
        .pool
        .acquire()
        .await
        .map_err(|e| store_err(l)(e.into()))?;
    let (rule, channel) = (q.rule(), q.channel());
    let items = apps::review_queue(&mut conn, rule.as_deref(), channel.as_deref(), 200)
        .await
        .map_err(store_err(l))?;
    let qs = q.qs();
    let mut body = nav(l, &r, &s, "/console");
    body += &format!("<h1>{}</h1>", esc(t(l, "console.queue")));
    if q.decided.is_some() {
        body += &notice("ok", t(l, "console.decided"), "");
    }
    let option = |value: &str, label: &str, selected: bool| {
        format!(
            "<option value=\"{}\"{}>{}</option>",
            esc(value),
            if selected { " selected" } else { "" },
            esc(label)
        )
    };
    let rule_opts: String = std::iter::once(option("", t(l, "console.any"), rule.is_none()))
        .chain(
            RULES
                .iter()
                .map(|x| option(x, x, rule.as_deref() == Some(*x))),
        )
        .collect();
    let channel_opts: String = std::iter::once(option("", t(l, "console.any"), channel.is_none()))
        .chain(
            CHANNELS
                .iter()
                .map(|c| option(c, &channel_label(l, c), channel.as_deref() == Some(*c))),
        )
        .collect();
    body += &format!(
        "<form method=\"get\" action=\"/console\" class=\"filters\" id=\"filters\">\
         <div class=\"field\"><label for=\"rule\">{}</label><select id=\"rule\" name=\"rule\">{rule_opts}</select></div>\
         <div class=\"field\"><label for=\"channel\">{}</label><select id=\"channel\" name=\"channel\">{channel_opts}</select></div>\
         <button type=\"submit\">{}</button></form>",
        esc(t(l, "console.rule")),
        esc(t(l, "console.channel")),
        esc(t(l, "console.apply_filter")),
    );
    if items.is_empty() {
        body += &format!("<p id=\"queue-empty\">{}</p>", esc(t(l, "console.empty")));
    } else {
        let rows: String = items
            .iter()
            .map(|i| {
                let href = if qs.is_empty() {
                    format!("/console/items/{}", i.id)
                } else {
                    format!("/console/items/{}?{qs}", i.id)
                };
                format!(
                    "<tr data-href=\"{href}\"><td><a href=\"{href}\">{}</a></td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{} <span class=\"muted\">({})</span></td></tr>",
                    esc(&i.form_id_tail),
                    esc(&channel_label(l, &i.channel)),
                    esc(&state_label(l, &i.state)),
                    esc(&i.failing_rules.join(" ")),
                    esc(&html::jst(i.waiting_since)),
                    esc(&minutes_since(l, i.waiting_since)),
                    href = esc(&href),
                )
            })
            .collect();
        body += &format!(
            "<table class=\"queue\" id=\"queue\"><caption>{cap} {n}</caption><thead><tr><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             </tr></thead><tbody>{rows}</tbody></table>",
            esc(t(l, "console.form_id")),
            esc(t(l, "console.channel")),
            esc(t(l, "console.state")),
            esc(t(l, "console.flagged")),
            esc(t(l, "console.waiting")),
            cap = esc(t(l, "console.queue_length")),
            n = items.len(),
        );
    }
    body += &format!(
        "<details class=\"shortcuts\"><summary>{}</summary><p>{}</p></details>",
        esc(t(l, "console.shortcuts")),
        esc(t(l, "console.shortcuts_queue"))
    );
    let back = if qs.is_empty() {
        "/console".to_string()
    } else {
        format!("/console?{qs}")
    };
    Ok(page(l, t(l, "console.queue"), &back, StatusCode::OK, &body))
}

// ---- One item -----------------------------------------------------------------------------------

fn compact(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() != 0.0 => format!("{f:.3}"),
            _ => n.to_string(),
        },
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}: {}", compact(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(a) => format!("[{}]", a.iter().map(compact).collect::<Vec<_>>().join(", ")),
        Value::Bool(b) => b.to_string(),
    }
}

struct ItemView<'a> {
    item: &'a Value,
    q: &'a QueueQuery,
    /// The next item of the same filter, for "n".
    next: Option<&'a str>,
    error: Option<&'a str>,
    status: StatusCode,
    /// Reviewers' names by id, for the history.
    names: &'a std::collections::HashMap<String, String>,
}

fn item_page(l: Lang, r: &Reviewer, s: &Session, v: &ItemView<'_>) -> HttpResponse {
    let (item, q, error, status) = (v.item, v.q, v.error, v.status);
    let id = item["id"].as_str().unwrap_or_default();
    let qs = q.qs();
    let back = if qs.is_empty() {
        "/console".to_string()
    } else {
        format!("/console?{qs}")
    };
    let tail = item["form_id_tail"].as_str().unwrap_or_default();
    let state = item["state"].as_str().unwrap_or_default();
    let mut body = nav(l, r, s, "");
    let next = match v.next {
        Some(n) if qs.is_empty() => format!(
            " · <a href=\"/console/items/{}\" id=\"next-item\">{}</a>",
            esc(n),
            esc(t(l, "console.next"))
        ),
        Some(n) => format!(
            " · <a href=\"/console/items/{}?{}\" id=\"next-item\">{}</a>",
            esc(n),
            esc(&qs),
            esc(t(l, "console.next"))
        ),
        None => String::new(),
    };
    body += &format!(
        "<p><a href=\"{}\" id=\"back-to-queue\">{}</a>{next}</p><h1>{}</h1>",
        esc(&back),
        esc(t(l, "console.back")),
        esc(&tf(l, "console.item", &[("id", tail)]))
    );
    if let Some(e) = error {
        body += &notice("error", e, "");
    }
    body += &format!(
        "<dl class=\"summary\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd id=\"item-state\" data-state=\"{}\">{}</dd>",
        esc(t(l, "console.channel")),
        esc(&channel_label(l, item["channel"].as_str().unwrap_or_default())),
        esc(t(l, "console.state")),
        esc(state),
        esc(&state_label(l, state)),
    );
    if let Some(x) = item["exception_reason"].as_str() {
        body += &format!(
            "<dt>{}</dt><dd>{}</dd>",
            esc(t(l, "console.exception")),
            esc(x)
        );
    }
    body += "</dl>";

    let photo = &item["photo"];
    let failing: Vec<&str> = photo["failing_rules"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut measurements = String::new();
    body += &format!("<section><h2>{}</h2>", esc(t(l, "console.photo")));
    if photo.is_null() {
        body += &format!("<p>{}</p>", esc(t(l, "console.no_photo")));
    } else {
        let src = |kind: &str| format!("/api/v1/review/items/{}/photo/{kind}", esc(id));
        let mut figs = String::new();
        if photo["original_available"] == Value::Bool(true) {
            figs += &format!(
                "<figure class=\"main\"><img id=\"img-overlay\" src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\
                 <figure><img id=\"img-original\" src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                src("overlay"),
                esc(t(l, "console.photo_alt_overlay")),
                esc(t(l, "console.overlay")),
                src("original"),
                esc(t(l, "console.photo_alt_original")),
                esc(t(l, "console.original")),
            );
        }
        if photo["crop_available"] == Value::Bool(true) {
            figs += &format!(
                "<figure><img id=\"img-crop\" src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                src("crop"),
                esc(t(l, "console.photo_alt_crop")),
                esc(t(l, "console.crop")),
            );
        }
        body += &format!("<div class=\"pictures review\" id=\"pictures\">{figs}</div>");
        let report = &photo["report"];
        if let Some(face) = report["face"].as_object() {
            measurements += &format!(
                "<h3>{}</h3><p class=\"mono\">box {} · eyes {} · chin {} · crown {} · crop {}</p>",
                esc(t(l, "console.face")),
                esc(&compact(&face["box"])),
                esc(&compact(&face["landmarks"]["eyes"])),
                esc(&compact(&face["landmarks"]["chin"])),
                esc(&compact(&face["landmarks"]["crown"])),
                esc(&compact(&report["crop"])),
            );
        }
        let rows: String = report["findings"]
            .as_array()
            .map(|fs| {
                // What failed first, then what a person must check, then the rest.
                let mut fs: Vec<&Value> = fs.iter().collect();
                fs.sort_by_key(|f| match f["status"].as_str() {
                    Some("fail") => 0,
                    Some("warn") => 1,
                    _ => 2,
                });
                fs.into_iter()
                    .map(|f| {
                        let st = f["status"].as_str().unwrap_or("not_applicable");
                        let msg = f["message"][l.code()].as_str().unwrap_or_default();
                        format!(
                            "<tr class=\"st-{st}\"><th scope=\"row\">{}</th><td>{}</td><td class=\"mono\">{}</td>\
                             <td class=\"mono\">{}</td><td>{}</td></tr>",
                            esc(f["rule"].as_str().unwrap_or_default()),
                            esc(t(l, &format!("status.{st}"))),
                            esc(&compact(&f["measured"])),
                            esc(&compact(&f["threshold"])),
                            esc(msg),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        measurements += &format!(
            "<div class=\"scroll\" tabindex=\"0\"><table class=\"findings\" id=\"findings\"><thead><tr>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            esc(t(l, "console.rule")),
            esc(t(l, "console.status")),
            esc(t(l, "console.measured")),
            esc(t(l, "console.threshold")),
            esc(t(l, "console.message")),
        );
    }
    body += "</section>";

    let can_accept = matches!(state, "auto_rejected" | "in_review");
    let can_retake = matches!(state, "auto_rejected" | "in_review" | "auto_accepted");
    let action = format!("/console/items/{}/decision", esc(id));
    // The decision names the photo shown here, so it cannot land on a newer one.
    let back_field = format!(
        "{}{}",
        hidden("back", &qs),
        hidden("photo_id", item["photo_id"].as_str().unwrap_or_default())
    );
    if can_accept || can_retake {
        body += "<section class=\"decisions\">";
    } else {
        body += &notice("info", t(l, "console.not_open"), "");
    }
    if can_accept {
        body += &format!(
            "<form method=\"post\" action=\"{action}\" id=\"accept-form\" class=\"decision\">\
             <h2>{}</h2>{}{}{back_field}\
             <div class=\"field\"><label for=\"reason\">{}</label>\
             <textarea id=\"reason\" name=\"reason\" required rows=\"3\" maxlength=\"2000\"></textarea></div>\
             <button type=\"submit\" class=\"primary\" id=\"accept-button\">{}</button></form>",
            esc(t(l, "console.accept")),
            hidden("csrf_token", &s.csrf),
            hidden("action", "accept"),
            esc(t(l, "console.accept_reason")),
            esc(t(l, "console.accept_button")),
        );
    }
    if can_retake {
        let boxes: String = rule_ids()
            .map(|rid| {
                let title = rule_title(rid)
                    .map(|m| m.text(l))
                    .unwrap_or_default();
                format!(
                    "<label class=\"choice\"><input type=\"checkbox\" name=\"rules\" value=\"{rid}\"{}> \
                     <strong>{rid}</strong> {}</label>",
                    if failing.contains(&rid) { " checked" } else { "" },
                    esc(&title),
                )
            })
            .collect();
        body += &format!(
            "<form method=\"post\" action=\"{action}\" id=\"retake-form\" class=\"decision\">\
             <h2>{}</h2>{}{}{back_field}<fieldset class=\"field rules\"><legend>{}</legend>{boxes}</fieldset>\
             <div class=\"field\"><label for=\"note\">{}</label>\
             <textarea id=\"note\" name=\"note\" rows=\"2\" maxlength=\"2000\"></textarea></div>\
             <button type=\"submit\" id=\"retake-button\">{}</button></form>",
            esc(t(l, "console.retake")),
            hidden("csrf_token", &s.csrf),
            hidden("action", "retake"),
            esc(t(l, "console.retake_rules")),
            esc(t(l, "console.retake_note")),
            esc(t(l, "console.retake_button")),
        );
    }
    if can_accept || can_retake {
        body += "</section>";
    }
    if !measurements.is_empty() {
        body += &format!(
            "<section><h2>{}</h2>{measurements}</section>",
            esc(t(l, "console.measurements"))
        );
    }

    let hist: String = item["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|e| {
                    let ev = &e["event"];
                    let mut detail = Vec::new();
                    if let Some(r) = ev["reason"].as_str() {
                        detail.push(r.to_string());
                    }
                    if let Some(rs) = ev["reasons"].as_array() {
                        detail.extend(rs.iter().filter_map(Value::as_str).map(str::to_string));
                    }
                    if let Some(v) = ev["verdict"].as_str() {
                        detail.push(word(l, &format!("console.verdict_{v}"), v));
                    }
                    let kind = e["actor_kind"].as_str().unwrap_or("");
                    let by = match (kind, e["actor_id"].as_str()) {
                        // A reviewer by name; an id only if the account is gone.
                        ("reviewer", Some(a)) => v
                            .names
                            .get(a)
                            .cloned()
                            .unwrap_or_else(|| a[..a.len().min(8)].to_string()),
                        (_, Some(a)) => {
                            format!(
                                "{} {}",
                                word(l, &format!("console.actor_{kind}"), kind),
                                &a[..a.len().min(8)]
                            )
                        }
                        (_, None) => word(l, &format!("console.actor_{kind}"), kind),
                    };
                    format!(
                        "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(&html::jst(e["at"].as_i64().unwrap_or(0))),
                        esc(&state_label(l, e["from"].as_str().unwrap_or(""))),
                        esc(&state_label(l, e["to"].as_str().unwrap_or(""))),
                        esc(&{
                            let kind = ev["kind"].as_str().unwrap_or("");
                            word(l, &format!("console.event_{kind}"), kind)
                        }),
                        esc(&by),
                        esc(&detail.join("; ")),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    body += &format!(
        "<section><h2>{}</h2><div class=\"scroll\" tabindex=\"0\"><table class=\"history\" id=\"history\"><thead><tr>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th></tr></thead><tbody>{hist}</tbody></table></div></section>",
        esc(t(l, "console.history")),
        esc(t(l, "console.when")),
        esc(t(l, "console.change")),
        esc(t(l, "console.event")),
        esc(t(l, "console.by")),
        esc(t(l, "console.details")),
    );
    body += &format!(
        "<details class=\"shortcuts\"><summary>{}</summary><p>{}</p></details>",
        esc(t(l, "console.shortcuts")),
        esc(t(l, "console.shortcuts_item"))
    );
    let here = if qs.is_empty() {
        format!("/console/items/{id}")
    } else {
        format!("/console/items/{id}?{qs}")
    };
    page(
        l,
        &tf(l, "console.item", &[("id", tail)]),
        &here,
        status,
        &body,
    )
}

async fn item_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    let Some((r, s)) = signed_in(&state, &req).await else {
        return Ok(to_login());
    };
    let office = state.office_or_unavailable().map_err(api(l))?;
    let item = review::item(office, &id)
        .await
        .map_err(|e| PageError::api(l, &ApiError::from(e)))?;
    let next = next_item(office, &q, Some(&id), l).await?;
    let names = reviewer_names(office, l).await?;
    Ok(item_page(
        l,
        &r,
        &s,
        &ItemView {
            item: &item,
            q: &q,
            next: next.as_deref(),
            error: None,
            status: StatusCode::OK,
            names: &names,
        },
    ))
}

async fn reviewer_names(
    office: &crate::office::Office,
    l: Lang,
) -> Result<std::collections::HashMap<String, String>, PageError> {
    crate::auth::reviewer_names(&office.db).await.map_err(|e| {
        tracing::error!(error = %e, "reviewer names");
        PageError::key(l, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
    })
}

/// A catalogue word for a code (`console.event_new_photo`), or the code itself when the
/// catalogue has none (a kind added later).
fn word(l: Lang, key: &str, code: &str) -> String {
    if crate::i18n::has(l, key) {
        t(l, key).to_string()
    } else {
        code.to_string()
    }
}

/// The oldest waiting item of the filter other than `except`.
async fn next_item(
    office: &crate::office::Office,
    q: &QueueQuery,
    except: Option<&str>,
    l: Lang,
) -> Result<Option<String>, PageError> {
    let mut conn = office
        .db
        .pool
        .acquire()
        .await
        .map_err(|e| store_err(l)(e.into()))?;
    let items = apps::review_queue(&mut conn, q.rule().as_deref(), q.channel().as_deref(), 2)
        .await
        .map_err(store_err(l))?;
    Ok(items
        .into_iter()
        .map(|i| i.id)
        .find(|i| Some(i.as_str()) != except))
}

async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    form: web::Form<Fields>,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    let Some((r, s)) = signed_in(&state, &req).await else {
        return Err(PageError::key(l, StatusCode::UNAUTHORIZED, "session.none"));
    };
    session::check_csrf(&req, &s, Some(field(&form, "csrf_token"))).map_err(api(l))?;
    let office = state.office_or_unavailable().map_err(api(l))?;
    // The filter the reviewer works through, from the hidden field: "rule=P9&channel=booth".
    let back = field(&form, "back");
    let pick = |name: &str| {
        back.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| clean(Some(v)))
    };
    let q = QueueQuery {
        rule: pick("rule"),
        channel: pick("channel"),
        decided: None,
    };
    let decision = match field(&form, "action") {
        "accept" => Decision::Accept {
            reason: field(&form, "reason").to_string(),
        },
        "retake" => Decision::Retake {
            rules: form
                .iter()
                .filter(|(k, _)| k == "rules")
                .map(|(_, v)| v.clone())
                .collect(),
            note: Some(field(&form, "note").to_string()).filter(|n| !n.trim().is_empty()),
        },
        _ => return Err(PageError::key(l, StatusCode::BAD_REQUEST, "error.internal")),
    };
    // The photo the page showed (hidden field `photo_id`): a newer one makes this a 409.
    let seen = form
        .iter()
        .find(|(k, _)| k == "photo_id")
        .map(|(_, v)| v.as_str());
    if let Err(e) = review::decide_seen(office, &id, &r, decision, seen).await {
        let e = ApiError::from(e);
        let item = review::item(office, &id)
            .await
            .map_err(|e| PageError::api(l, &ApiError::from(e)))?;
        let text = PageError::api(l, &e);
        let next = next_item(office, &q, Some(&id), l).await?;
        let names = reviewer_names(office, l).await?;
        return Ok(item_page(
            l,
            &r,
            &s,
            &ItemView {
                item: &item,
                q: &q,
                next: next.as_deref(),
                error: Some(text.text()),
                status: e.status_code(),
                names: &names,
            },
        ));
    }
    // On to the next oldest item of the same filter: a day of reviewing is a sequence of these.
    let next = next_item(office, &q, None, l).await?;
    let qs = q.qs();
    let sep = if qs.is_empty() { "" } else { "&" };
    let to = match next {
        Some(n) => format!("/console/items/{n}?{qs}{sep}decided=1"),
        None => format!("/console?{qs}{sep}decided=1"),
    };
    Ok(see_other(local_path(&to)).finish())
}

// ---- Dashboard ----------------------------------------------------------------------------------

async fn dashboard_page(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let l = lang_of(&req);
    let Some((r, s)) = signed_in(&state, &req).await else {
        return Ok(to_login());
    };
    let office = state.office_or_unavailable().map_err(api(l))?;
    let mut conn = office
        .db
        .pool
        .acquire()
        .await
        .map_err(|e| store_err(l)(e.into()))?;
    let d = dashboard::summary(&mut conn, RULES)
        .await
        .map_err(store_err(l))?;
    let oldest = match d.oldest_waiting_since {
        Some(ms) => format!("{} ({})", html::jst(ms), minutes_since(l, ms)),
        None => t(l, "console.none").to_string(),
    };
    let rejected = |rule: &str| {
        d.rejections
            .iter()
            .find(|c| c.rule == rule)
            .map(|c| c.count)
            .unwrap_or(0)
    };
    let table = |id: &str, caption: &str, rows: &[dashboard::RuleCount], rate: bool| {
        let max = rows.iter().map(|c| c.count).max().unwrap_or(1).max(1);
        let body: String = rows
            .iter()
            .map(|c| {
                let title = rule_text(l, &c.rule);
                let rate_cell = if rate {
                    let base = rejected(&c.rule);
                    let pct = if base > 0 {
                        format!("{}%", c.count * 100 / base)
                    } else {
                        "–".into()
                    };
                    format!("<td>{pct}</td>")
                } else {
                    String::new()
                };
                format!(
                    "<tr data-rule=\"{r}\"><th scope=\"row\">{r}</th><td>{}</td><td class=\"num\">{n}</td>{rate_cell}\
                     <td><meter min=\"0\" max=\"{max}\" value=\"{n}\">{n}</meter></td></tr>",
                    esc(&title),
                    r = esc(&c.rule),
                    n = c.count,
                )
            })
            .collect();
        let rate_head = if rate {
            format!(
                "<th scope=\"col\">{}</th>",
                esc(t(l, "console.override_rate"))
            )
        } else {
            String::new()
        };
        format!(
            "<table class=\"dash\" id=\"{id}\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>\
             <th scope=\"col\"></th><th scope=\"col\">{}</th>{rate_head}<th scope=\"col\"></th></tr></thead>\
             <tbody>{body}</tbody></table>",
            esc(caption),
            esc(t(l, "console.rule")),
            esc(t(l, "console.count")),
        )
    };
    let mut body = nav(l, &r, &s, "/console/dashboard");
    // The booth alarm first: a booth holding applications is the one thing that cannot wait.
    let alarmed = crate::web::booths::in_alarm(&state)
        .await
        .map_err(store_err(l))?;
    body += &super::booths::alarm_banner(l, &alarmed);
    body += &format!(
        "<h1>{}</h1><dl class=\"stats\"><div><dt>{}</dt><dd id=\"queue-length\">{}</dd></div>\
         <div><dt>{}</dt><dd id=\"oldest\">{}</dd></div><div><dt>{}</dt><dd id=\"overrides-total\">{}</dd></div>\
         <div><dt>{}</dt><dd>{}</dd></div></dl><p>{}</p>",
        esc(t(l, "console.dashboard")),
        esc(t(l, "console.queue_length")),
        d.queue_length,
        esc(t(l, "console.oldest")),
        esc(&oldest),
        esc(t(l, "console.overrides_total")),
        d.overrides_total,
        esc(t(l, "console.retakes_total")),
        d.retakes_total,
        esc(t(l, "console.dashboard_hint")),
    );
    body += &table("overrides", t(l, "console.overrides"), &d.overrides, true);
    body += &table(
        "rejections",
        t(l, "console.rejections"),
        &d.rejections,
        false,
    );
    Ok(page(
        l,
        t(l, "console.dashboard"),
        "/console/dashboard",
        StatusCode::OK,
        &body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dashboard_names_rules_by_what_to_fix_not_by_their_pass_text() {
        for rule in ["F4", "F5", "P10"] {
            let label = rule_text(Lang::En, rule);
            assert!(!label.is_empty(), "{rule}");
            assert_ne!(label, messages::msg(&format!("{rule}.ok")).en, "{rule}");
        }
        assert_eq!(rule_text(Lang::Ja, "F4"), t(Lang::Ja, "rule.F4"));
    }
}
