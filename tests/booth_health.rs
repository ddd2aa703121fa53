//! Booth health on the real service (SQLite and PostgreSQL): the report endpoint and its token,
//! the stored report, the per-booth gauges in `/metrics`, the alarm (silent, holding, refused)
//! at the configured age, revoked booths, and the console's booths page.

#[path = "support/service.rs"]
mod support;

use serde_json::{json, Value};
use support::{backends, get, post_json, Backend, Service, REVIEWER, REVIEWER_PASSWORD};

const BOOTH: &str = "booth-1";

fn report(pending: i64, failed: i64, oldest: Option<i64>) -> Value {
    json!({"version": "0.1.0", "queue_length": pending + failed, "pending": pending,
           "failed": failed, "oldest_pending_age_seconds": oldest, "last_error": null})
}

fn send(s: &Service, token: &str, body: &Value) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let headers: Vec<(&str, &str)> = if token.is_empty() {
        vec![]
    } else {
        vec![("Authorization", auth.as_str())]
    };
    let r = post_json(&s.url("/api/v1/booth/health"), &headers, body);
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

/// Our booth's gauges: (name, value).
fn gauges(s: &Service, booth: &str) -> Vec<(String, f64)> {
    let text = String::from_utf8(get(&s.url("/metrics"), &[]).body).expect("utf-8");
    let label = format!("{{booth=\"{booth}\"}}");
    text.lines()
        .filter(|l| l.starts_with("mnp_booth_") && l.contains(&label))
        .filter_map(|l| {
            let (name, value) = l.split_once(&label)?;
            Some((name.to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

fn gauge(g: &[(String, f64)], name: &str) -> Option<f64> {
    g.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

fn booths_page(s: &Service) -> String {
    console_page(s, "/console/booths", "ja")
}

/// A console page as a signed-in reviewer whose browser asks for `lang`.
fn console_page(s: &Service, path: &str, lang: &str) -> String {
    let r = post_json(
        &s.url("/api/v1/review/login"),
        &[],
        &json!({"name": REVIEWER, "password": REVIEWER_PASSWORD}),
    );
    assert_eq!(r.status, 200);
    let cookie = r.cookie("mnp_reviewer").expect("cookie");
    let page = get(
        &s.url(path),
        &[("Cookie", &cookie), ("Accept-Language", lang)],
    );
    assert_eq!(page.status, 200);
    String::from_utf8(page.body).expect("utf-8")
}

/// The page's row for a booth.
fn row<'a>(page: &'a str, booth: &str) -> &'a str {
    page.split(&format!("data-booth=\"{booth}\""))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row for {booth} in {page}"))
}

fn run(backend: Backend) {
    let s = Service::start_with(backend, "booth_health", &[("--booth-alarm-seconds", "600")]);
    let token = s.booth_token.clone();
    s.admin(&["booth", "add", "booth-quiet"], None);

    // Only a booth's own valid token.
    assert_eq!(send(&s, "", &report(0, 0, None)).0, 401);
    assert_eq!(send(&s, "mnpb_not_a_token", &report(0, 0, None)).0, 401);
    let (status, bad) = send(&s, &token, &report(-1, 0, None));
    assert_eq!(
        (status, bad["error"]["code"].clone()),
        (400, json!("bad_health_report"))
    );

    // A healthy booth: heard now, nothing held, no alarm.
    let (status, ack) = send(&s, &token, &report(0, 0, None));
    assert_eq!(status, 200, "{ack}");
    assert_eq!(
        (ack["booth"].clone(), ack["alarm_after_seconds"].clone()),
        (json!(BOOTH), json!(600))
    );
    let g = gauges(&s, BOOTH);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    let heard = gauge(&g, "mnp_booth_last_heard_timestamp_seconds").expect("last heard");
    assert!((now - heard).abs() < 30.0, "{heard} vs {now}");
    assert_eq!(gauge(&g, "mnp_booth_alarm"), Some(0.0), "{g:?}");
    assert_eq!(gauge(&g, "mnp_booth_queue_length"), Some(0.0));
    // A booth that never reported has no gauges (it has no reporting agent yet).
    assert!(gauges(&s, "booth-quiet").is_empty());
    let page = booths_page(&s);
    assert!(row(&page, BOOTH).contains("data-state=\"ok\""), "{page}");
    assert!(row(&page, BOOTH).contains("正常"), "{page}");
    let dash = console_page(&s, "/console/dashboard", "en");
    assert!(!dash.contains("id=\"booth-alarm\""), "{dash}");
    assert!(
        row(&page, "booth-quiet").contains("data-state=\"never\""),
        "{page}"
    );

    // Holding an application for 5 minutes: within the alarm age. For 11: in alarm.
    send(&s, &token, &report(1, 0, Some(300)));
    let g = gauges(&s, BOOTH);
    assert_eq!(gauge(&g, "mnp_booth_alarm"), Some(0.0), "{g:?}");
    assert!(
        gauge(&g, "mnp_booth_oldest_pending_seconds").is_some_and(|a| (300.0..330.0).contains(&a))
    );
    send(&s, &token, &report(1, 0, Some(660)));
    let g = gauges(&s, BOOTH);
    assert_eq!(gauge(&g, "mnp_booth_alarm"), Some(1.0), "{g:?}");
    assert_eq!(gauge(&g, "mnp_booth_pending"), Some(1.0));
    let page = booths_page(&s);
    assert!(row(&page, BOOTH).contains("data-state=\"alarm\""), "{page}");
    assert!(page.contains("id=\"booth-alarm\""), "{page}");
    // The dashboard raises it too, naming the booth and why, with the way to the booths page.
    let dash = console_page(&s, "/console/dashboard", "en");
    let banner = dash
        .split("id=\"booth-alarm\"")
        .nth(1)
        .and_then(|b| b.split("</section>").next())
        .unwrap_or_else(|| panic!("no booth alarm on the dashboard: {dash}"));
    assert!(
        banner.contains(&format!("{BOOTH}: holding applications")),
        "{banner}"
    );
    assert!(banner.contains("href=\"/console/booths\""), "{banner}");
    let dash = console_page(&s, "/console/dashboard", "ja");
    assert!(dash.contains("申請を保持したまま"), "{dash}");

    // Sent: cleared, on the dashboard too.
    send(&s, &token, &report(0, 0, None));
    assert_eq!(gauge(&gauges(&s, BOOTH), "mnp_booth_alarm"), Some(0.0));
    let dash = console_page(&s, "/console/dashboard", "en");
    assert!(!dash.contains("id=\"booth-alarm\""), "{dash}");

    // A refused application waits for a person: alarm at once.
    send(&s, &token, &report(0, 1, None));
    let g = gauges(&s, BOOTH);
    assert_eq!(
        (gauge(&g, "mnp_booth_alarm"), gauge(&g, "mnp_booth_failed")),
        (Some(1.0), Some(1.0))
    );
    send(&s, &token, &report(0, 0, None));

    // Silent: the last report is older than the alarm age, and the held item's age keeps
    // growing while nobody hears from the booth.
    send(&s, &token, &report(1, 0, Some(10)));
    s.sql_exec("UPDATE booth_health SET reported_at = reported_at - 700000, oldest_pending_since = oldest_pending_since - 700000")
        .expect("age the report");
    let g = gauges(&s, BOOTH);
    assert_eq!(gauge(&g, "mnp_booth_alarm"), Some(1.0), "{g:?}");
    assert!(
        gauge(&g, "mnp_booth_oldest_pending_seconds").is_some_and(|a| a >= 700.0),
        "{g:?}"
    );
    assert!(row(&booths_page(&s), BOOTH).contains("data-state=\"alarm\""));

    // Revoked: its reports are refused, it leaves the gauges and the page shows it revoked.
    s.admin(&["booth", "revoke", BOOTH], None);
    assert_eq!(send(&s, &token, &report(0, 0, None)).0, 401);
    assert!(gauges(&s, BOOTH).is_empty());
    let page = booths_page(&s);
    assert!(
        row(&page, BOOTH).contains("data-state=\"revoked\""),
        "{page}"
    );
    assert!(!page.contains("id=\"booth-alarm\""), "{page}");
}

#[test]
fn booth_health_reports_gauges_and_alarms() {
    for b in backends() {
        run(b);
    }
}
