//! The console's booths page: every booth with when it was last heard from, its queue, its
//! oldest unsent application and its alarms; revoked booths shown as such. Reviewers only.
//!
//! Its words are the `booths-*` messages of `locales/{ja,en}/console.ftl`; every value put
//! into the page goes through `esc`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::html::{esc, jst};
use super::i18n::{t, tf};
use crate::mail::templates::Lang;
use crate::store::now_ms;
use crate::web::booths::{fleet, Alarm, BoothStatus};
use crate::web::session;
use crate::web::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/booths", web::get().to(page));
}

/// "N min" and "N min ago" in the console's language.
fn minutes(l: Lang, key: &str, n: i64) -> String {
    tf(l, key, &[("minutes", &n.to_string())])
}

fn alarm_word(l: Lang, a: Alarm) -> &'static str {
    match a {
        Alarm::Silent => t(l, "booths.alarm.silent"),
        Alarm::Holding => t(l, "booths.alarm.holding"),
        Alarm::Refused => t(l, "booths.alarm.refused"),
    }
}

/// The alarm banner of the booths page and the dashboard: each booth in alarm with why, and a
/// link to the booths page. Empty when no booth is in alarm.
pub fn alarm_banner(l: Lang, in_alarm: &[BoothStatus]) -> String {
    if in_alarm.is_empty() {
        return String::new();
    }
    let items: String = in_alarm
        .iter()
        .map(|b| {
            let why: Vec<&str> = b.alarms.iter().map(|a| alarm_word(l, *a)).collect();
            format!(
                "<li data-alarm-booth=\"{}\">{}: {}</li>",
                esc(&b.name),
                esc(&b.name),
                esc(&why.join(", "))
            )
        })
        .collect();
    format!(
        "<section class=\"notice error\" role=\"alert\" id=\"booth-alarm\"><h2>{}</h2><ul>{items}</ul>\
         <p><a href=\"/console/booths\">{}</a></p></section>",
        esc(t(l, "booths.alarm_banner")),
        esc(t(l, "booths.alarm_link")),
    )
}

fn state_cell(l: Lang, b: &BoothStatus) -> String {
    if b.revoked {
        return format!(
            "<td data-state=\"revoked\">{}</td>",
            esc(t(l, "booths.revoked"))
        );
    }
    if b.last_heard.is_none() {
        return format!(
            "<td data-state=\"never\">{}</td>",
            esc(t(l, "booths.never"))
        );
    }
    if b.alarms.is_empty() {
        return format!("<td data-state=\"ok\">{}</td>", esc(t(l, "booths.ok")));
    }
    let words: Vec<&str> = b.alarms.iter().map(|a| alarm_word(l, *a)).collect();
    format!(
        "<td data-state=\"alarm\" class=\"alarm\"><strong>{}</strong></td>",
        esc(&words.join(", "))
    )
}

fn row(l: Lang, b: &BoothStatus, now: i64) -> String {
    let heard = b
        .last_heard
        .map(|ms| {
            format!(
                "{} ({})",
                jst(ms),
                minutes(l, "booths.minutes_ago", (now - ms).max(0) / 60_000)
            )
        })
        .unwrap_or_else(|| t(l, "booths.never").to_string());
    let oldest = b
        .oldest_pending_age_seconds
        .map(|s| minutes(l, "booths.minutes", s / 60))
        .unwrap_or_else(|| "–".into());
    format!(
        "<tr data-booth=\"{name}\"><th scope=\"row\">{name}</th>{state}<td>{heard}</td>\
         <td>{version}</td><td class=\"num\" data-queue=\"{q}\">{q} / {p}</td><td>{oldest}</td>\
         <td class=\"num\">{f}</td><td>{err}</td></tr>",
        name = esc(&b.name),
        state = state_cell(l, b),
        heard = esc(&heard),
        version = esc(b.version.as_deref().unwrap_or("–")),
        q = b.queue_length,
        p = b.pending,
        oldest = esc(&oldest),
        f = b.failed,
        err = esc(b.last_error.as_deref().unwrap_or("")),
    )
}

async fn page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let l = super::lang_of(&req).for_console();
    if session::reviewer(&state, &req).await.is_err() {
        return super::see_other("/console/login").finish();
    }
    let Some(office) = state.office() else {
        return HttpResponse::ServiceUnavailable().finish();
    };
    let now = now_ms();
    let alarm_s = office.config.booth_alarm_seconds;
    let booths = match fleet(&office.db, now, alarm_s.saturating_mul(1000)).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "console: booths");
            return HttpResponse::InternalServerError().finish();
        }
    };
    let in_alarm: Vec<BoothStatus> = booths
        .iter()
        .filter(|b| !b.alarms.is_empty())
        .cloned()
        .collect();
    let banner = alarm_banner(l, &in_alarm);
    let table = if booths.is_empty() {
        format!("<p>{}</p>", esc(t(l, "booths.none")))
    } else {
        let head: String = [
            "booths.name",
            "booths.state",
            "booths.last_heard",
            "booths.version",
            "booths.queue",
            "booths.oldest",
            "booths.failed",
            "booths.last_error",
        ]
        .iter()
        .map(|k| format!("<th scope=\"col\">{}</th>", esc(t(l, k))))
        .collect();
        let rows: String = booths.iter().map(|b| row(l, b, now)).collect();
        format!("<table class=\"dash\" id=\"booths\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    };
    let body = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
         <body class=\"console\"><nav class=\"console-nav\"><a href=\"/console\">{back}</a> \
         <a href=\"/console/dashboard\">{dash}</a> <a href=\"/console/booths\" aria-current=\"page\">{title}</a></nav>\
         <main><h1>{title}</h1>{banner}<p>{age_word}: {age}</p>{table}</main></body></html>",
        lang = l.code(),
        title = esc(t(l, "booths.title")),
        back = esc(t(l, "console.queue")),
        dash = esc(t(l, "console.dashboard")),
        age_word = esc(t(l, "booths.alarm_age")),
        age = esc(&minutes(l, "booths.minutes", alarm_s / 60)),
    );
    HttpResponse::build(StatusCode::OK)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_from_the_console_catalogue_values_escaped_and_the_alarm_banner() {
        let b = BoothStatus {
            name: "<b>".into(),
            revoked: true,
            last_heard: None,
            version: None,
            queue_length: 0,
            pending: 0,
            failed: 0,
            oldest_pending_age_seconds: None,
            last_error: Some("\"x\" & <y>".into()),
            alarms: vec![],
        };
        let r = row(Lang::En, &b, 0);
        assert!(r.contains("&lt;b&gt;") && !r.contains("<b>"));
        assert!(r.contains("&quot;x&quot; &amp; &lt;y&gt;"));
        assert!(r.contains("token revoked"));
        assert!(row(Lang::Ja, &b, 0).contains("トークン失効"));
        assert_eq!(alarm_banner(Lang::En, &[]), "");
        let alarmed = BoothStatus {
            alarms: vec![Alarm::Holding],
            ..b
        };
        let banner = alarm_banner(Lang::En, &[alarmed]);
        assert!(
            banner.contains("&lt;b&gt;: holding applications"),
            "{banner}"
        );
        assert!(banner.contains("href=\"/console/booths\""), "{banner}");
    }
}
