//! The console's booths page: every booth with when it was last heard from, its queue, its
//! oldest unsent application and its alarms; revoked booths shown as such. Reviewers only.
//!
//! Self-contained on purpose (the other pages are moving to templates and catalogues): the
//! words are the `WORDS` table below, keyed like catalogue entries, and every value put into
//! the page goes through `esc`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::mail::templates::Lang;
use crate::store::now_ms;
use crate::web::booths::{fleet, Alarm, BoothStatus};
use crate::web::session;
use crate::web::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/booths", web::get().to(page));
}

/// (key, Japanese, English): ready to move into the catalogues.
const WORDS: &[(&str, &str, &str)] = &[
    ("booths.title", "ブース", "Booths"),
    ("booths.name", "ブース", "Booth"),
    ("booths.state", "状態", "State"),
    ("booths.last_heard", "最終報告", "Last heard"),
    ("booths.version", "バージョン", "Version"),
    ("booths.queue", "未送信／保留", "Queue"),
    ("booths.oldest", "最も古い未送信", "Oldest pending"),
    ("booths.failed", "拒否された申請", "Refused"),
    ("booths.last_error", "最後のエラー", "Last error"),
    ("booths.never", "報告なし", "never reported"),
    ("booths.revoked", "トークン失効", "token revoked"),
    ("booths.ok", "正常", "OK"),
    ("booths.alarm.silent", "応答なし", "silent"),
    (
        "booths.alarm.holding",
        "申請を保持したまま",
        "holding applications",
    ),
    (
        "booths.alarm.refused",
        "拒否された申請あり（要対応）",
        "refused applications (act)",
    ),
    ("booths.alarm_banner", "警告中のブース", "Booths in alarm"),
    ("booths.alarm_age", "警告までの時間", "Alarm after"),
    (
        "booths.none",
        "ブースは登録されていません。",
        "No booths are registered.",
    ),
    ("booths.minutes_ago", "分前", "min ago"),
    ("booths.minutes", "分", "min"),
    ("booths.back", "審査キュー", "Review queue"),
    ("booths.dashboard", "ダッシュボード", "Dashboard"),
];

fn w(l: Lang, key: &str) -> &'static str {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, ja, en)| if l == Lang::En { *en } else { *ja })
        .unwrap_or("")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn jst(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| {
            (d + chrono::Duration::hours(9))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn alarm_word(l: Lang, a: Alarm) -> &'static str {
    match a {
        Alarm::Silent => w(l, "booths.alarm.silent"),
        Alarm::Holding => w(l, "booths.alarm.holding"),
        Alarm::Refused => w(l, "booths.alarm.refused"),
    }
}

fn state_cell(l: Lang, b: &BoothStatus) -> String {
    if b.revoked {
        return format!(
            "<td data-state=\"revoked\">{}</td>",
            esc(w(l, "booths.revoked"))
        );
    }
    if b.last_heard.is_none() {
        return format!(
            "<td data-state=\"never\">{}</td>",
            esc(w(l, "booths.never"))
        );
    }
    if b.alarms.is_empty() {
        return format!("<td data-state=\"ok\">{}</td>", esc(w(l, "booths.ok")));
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
                "{} ({} {})",
                jst(ms),
                (now - ms).max(0) / 60_000,
                w(l, "booths.minutes_ago")
            )
        })
        .unwrap_or_else(|| w(l, "booths.never").to_string());
    let oldest = b
        .oldest_pending_age_seconds
        .map(|s| format!("{} {}", s / 60, w(l, "booths.minutes")))
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
    let l = super::lang_of(&req);
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
    let in_alarm: Vec<&BoothStatus> = booths.iter().filter(|b| !b.alarms.is_empty()).collect();
    let banner = if in_alarm.is_empty() {
        String::new()
    } else {
        let items: String = in_alarm
            .iter()
            .map(|b| {
                let why: Vec<&str> = b.alarms.iter().map(|a| alarm_word(l, *a)).collect();
                format!("<li>{}: {}</li>", esc(&b.name), esc(&why.join(", ")))
            })
            .collect();
        format!(
            "<section class=\"notice error\" role=\"alert\" id=\"booth-alarm\"><h2>{}</h2><ul>{items}</ul></section>",
            esc(w(l, "booths.alarm_banner"))
        )
    };
    let table = if booths.is_empty() {
        format!("<p>{}</p>", esc(w(l, "booths.none")))
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
        .map(|k| format!("<th scope=\"col\">{}</th>", esc(w(l, k))))
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
         <main><h1>{title}</h1>{banner}<p>{age_word}: {age} {min}</p>{table}</main></body></html>",
        lang = l.code(),
        title = esc(w(l, "booths.title")),
        back = esc(w(l, "booths.back")),
        dash = esc(w(l, "booths.dashboard")),
        age_word = esc(w(l, "booths.alarm_age")),
        age = alarm_s / 60,
        min = esc(w(l, "booths.minutes")),
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
    fn every_word_has_both_languages_and_values_are_escaped() {
        for (k, ja, en) in WORDS {
            assert!(!ja.is_empty() && !en.is_empty(), "{k}");
        }
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
    }
}
