//! The pages against the real service process: in a real browser (playwright-core driving
//! Debian's Chromium, specs in tests/browser/), and their security over plain HTTP: the console
//! refuses unauthenticated and cross-site requests, and an applicant's session reaches only its
//! own application.
//!
//! The browser specs are skipped (with a message) when node, /usr/bin/chromium or
//! tests/browser/node_modules is missing, unless CI is set: then that is a failure
//! (scripts/install-browser-deps.sh installs them). Screenshots go to target/browser-artifacts/.

#[path = "support/browser.rs"]
mod browser;
use browser::browser_missing;

#[path = "support/service.rs"]
mod service;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use service::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> PathBuf {
    repo().join("sample-photos").join(name)
}

const REJECTED: &str = "bad_grace_hopper_hat_glasses.jpg";

fn run_spec(s: &Service, spec: &str, vars: &[(&str, String)]) {
    let artifacts = repo().join("target/browser-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let compliant = repo().join("../shared/photos/dev/canada_003f.jpg");
    let compliant = if compliant.exists() {
        compliant.display().to_string()
    } else {
        eprintln!("{spec}: ../shared/photos/dev is absent: the compliant-photo part is skipped");
        String::new()
    };
    let status = Command::new("node")
        .arg(repo().join("tests/browser").join(spec))
        .current_dir(repo())
        .env("BASE_URL", &s.base)
        .env("DATA_DIR", &s.data_dir)
        .env("ARTIFACTS_DIR", &artifacts)
        .env("REVIEWER", REVIEWER)
        .env("REVIEWER_PASSWORD", REVIEWER_PASSWORD)
        .env("PHOTO_REJECTED", sample(REJECTED))
        .env("PHOTO_COMPLIANT", compliant)
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .status()
        .expect("run node");
    assert!(
        status.success(),
        "browser spec {spec} failed ({status}); service log:\n{}",
        s.log()
    );
}

#[test]
fn browser_smartphone_application_age0_and_reviewer() {
    if let Some(why) = browser_missing(repo()) {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser tests: {why} (see scripts/install-browser-deps.sh)"
        );
        eprintln!("skipped the browser tests: {why} (scripts/install-browser-deps.sh installs it)");
        return;
    }
    let s = Service::start(Backend::Sqlite, "browser");
    // A booth application the machine rejected, for the reviewer to overrule.
    let rejected_id = form_id(9001);
    let bad = std::fs::read(sample(REJECTED)).expect("sample photo");
    let r = submit_booth(&s, "browser-seed", &rejected_id, "1985-06-15", Some(&bad));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["state"], "auto_rejected");

    run_spec(
        &s,
        "applicant.mjs",
        &[
            ("FORM_ID", form_id(9002)),
            ("EMAIL", "hanako@example.jp".into()),
        ],
    );
    run_spec(
        &s,
        "age0.mjs",
        &[
            ("FORM_ID", form_id(9003)),
            ("EMAIL", "parent@example.jp".into()),
        ],
    );
    run_spec(
        &s,
        "reviewer.mjs",
        &[
            ("REJECTED_FORM_ID", rejected_id.clone()),
            ("REJECTED_DOB", "1985-06-15".into()),
        ],
    );
    // A reviewer's retake request, from the mail back to the photo step.
    run_spec(
        &s,
        "retake.mjs",
        &[
            ("FORM_ID", form_id(9005)),
            ("EMAIL", "maria.santos@example.jp".into()),
        ],
    );
    // Every language's home, photo and status pages (last: it uses up the lookup limit).
    run_spec(
        &s,
        "languages.mjs",
        &[
            ("FORM_ID", form_id(9004)),
            ("EMAIL", "an.nguyen@example.jp".into()),
        ],
    );
    // No WCAG 2.1 A/AA violation (axe-core) on the applicant and console pages.
    run_spec(
        &s,
        "a11y.mjs",
        &[
            ("FORM_ID", form_id(9006)),
            ("EMAIL", "aiko.tanaka@example.jp".into()),
            ("KEY_FORM_ID", form_id(9007)),
            ("KEY_EMAIL", "keys.only@example.jp".into()),
        ],
    );
    // The override is on record with its reason.
    let reasons = s.sql_strings(
        "SELECT event FROM audit_log WHERE actor_kind = 'reviewer' \
         AND event LIKE '%reviewer_accepted%'",
    );
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].contains("Religious head covering"),
        "{reasons:?}"
    );
    // Age 0 went through without a photo.
    assert_eq!(
        s.sql_i64(&format!(
            "SELECT COUNT(*) FROM applications WHERE form_id = '{}' AND photo_id IS NULL \
             AND completed_at IS NOT NULL",
            form_id(9003)
        )),
        1
    );
}

// ---- Security over HTTP -------------------------------------------------------------------------

/// Requests that do not follow redirects (the support agent does), so 303s can be checked.
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Option<(&str, Vec<u8>)>) -> Resp {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    try_call_with(&agent, method, url, headers, body).expect("HTTP request")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> Option<(&'static str, Vec<u8>)> {
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Some(("application/x-www-form-urlencoded", body.into_bytes()))
}

fn text(r: &Resp) -> String {
    String::from_utf8_lossy(&r.body).to_string()
}

/// The page's CSRF token (hidden field).
fn csrf_in(page: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Step 1 and the link from the mail, as a browser does it; returns the applicant's cookie.
fn applicant_session(s: &Service, form_id: &str, email: &str, mails_before: usize) -> String {
    let r = http(
        "POST",
        &s.url("/apply"),
        &[],
        form(&[
            ("form_id", form_id),
            ("name", "Test Person"),
            ("email", email),
            ("channel", "pc"),
        ]),
    );
    assert_eq!(r.status, 303, "{}", text(&r));
    assert_eq!(r.header("location"), Some("/apply/sent"));
    let mails = s.wait_mails(mails_before + 1);
    let mail = mails
        .iter()
        .find(|m| m.contains(email))
        .expect("the link mail");
    let start = mail.find("/apply/link/").expect("a link");
    let token: String = mail[start + "/apply/link/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    let link = s.url(&format!("/apply/link/{token}"));
    // The GET (a mail scanner) does not use the link.
    assert_eq!(http("GET", &link, &[], None).status, 200);
    let r = http("POST", &link, &[], None);
    assert_eq!(r.status, 303, "{}", text(&r));
    // Once only.
    assert_eq!(http("POST", &link, &[], None).status, 410);
    r.cookie("mnp_applicant").expect("applicant cookie")
}

#[test]
fn pages_refuse_unauthenticated_cross_site_and_other_applications() {
    for backend in backends() {
        let s = Service::start(backend, "pages_security");

        // The console without a session: pages send to the sign-in, decisions are refused.
        for path in ["/console", "/console/items/abc", "/console/dashboard"] {
            let r = http("GET", &s.url(path), &[], None);
            assert_eq!(r.status, 303, "{backend:?} {path}");
            assert_eq!(r.header("location"), Some("/console/login"), "{path}");
        }
        let decision = |id: &str| s.url(&format!("/console/items/{id}/decision"));
        let r = http(
            "POST",
            &decision("abc"),
            &[],
            form(&[("action", "accept"), ("reason", "x")]),
        );
        assert_eq!(r.status, 401, "{backend:?}: {}", text(&r));

        // A rejected booth application to decide on.
        let id = form_id(7001);
        let bad = std::fs::read(sample(REJECTED)).expect("sample");
        let r = submit_booth(&s, "sec-1", &id, "1980-01-01", Some(&bad));
        assert_eq!(r.status, 201);
        let app_id = r.json()["application_id"].as_str().expect("id").to_string();

        // Sign-in from another site is refused; from the console it works.
        let creds = [("name", REVIEWER), ("password", REVIEWER_PASSWORD)];
        let r = http(
            "POST",
            &s.url("/console/login"),
            &[("Origin", "https://evil.example")],
            form(&creds),
        );
        assert_eq!(r.status, 403, "{backend:?}");
        let r = http(
            "POST",
            &s.url("/console/login"),
            &[],
            form(&[("name", REVIEWER), ("password", "not the password")]),
        );
        assert_eq!(r.status, 401);
        let r = http("POST", &s.url("/console/login"), &[], form(&creds));
        assert_eq!(r.status, 303, "{}", text(&r));
        let line = r
            .set_cookie_line("mnp_reviewer")
            .expect("cookie")
            .to_string();
        assert!(
            line.contains("HttpOnly") && line.contains("SameSite=Strict"),
            "{line}"
        );
        let cookie = r.cookie("mnp_reviewer").expect("cookie");
        let item = http(
            "GET",
            &s.url(&format!("/console/items/{app_id}")),
            &[("Cookie", &cookie)],
            None,
        );
        assert_eq!(item.status, 200, "{}", text(&item));
        let csrf = csrf_in(&text(&item));
        let accept = [
            ("csrf_token", csrf.as_str()),
            ("action", "accept"),
            ("reason", "checked by hand"),
        ];

        // Cross-site decisions are refused even with the right token; so is a missing token.
        for headers in [
            vec![
                ("Cookie", cookie.as_str()),
                ("Origin", "https://evil.example"),
            ],
            vec![
                ("Cookie", cookie.as_str()),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        ] {
            let r = http("POST", &decision(&app_id), &headers, form(&accept));
            assert_eq!(r.status, 403, "{backend:?} {headers:?}");
        }
        let r = http(
            "POST",
            &decision(&app_id),
            &[("Cookie", &cookie)],
            form(&[("action", "accept"), ("reason", "x")]),
        );
        assert_eq!(r.status, 403);
        assert_eq!(
            s.sql_strings(&format!(
                "SELECT state FROM applications WHERE id = '{app_id}'"
            )),
            vec!["auto_rejected"]
        );

        // A same-site decision with the token goes through, and the dashboard counts it.
        let r = http(
            "POST",
            &decision(&app_id),
            &[("Cookie", &cookie), ("Origin", &s.base)],
            form(&accept),
        );
        assert_eq!(r.status, 303, "{}", text(&r));
        let state = s.sql_strings(&format!(
            "SELECT state FROM applications WHERE id = '{app_id}'"
        ));
        assert!(state == ["accepted"] || state == ["forwarded"], "{state:?}");
        let dash = http(
            "GET",
            &s.url("/console/dashboard"),
            &[("Cookie", &cookie)],
            None,
        );
        assert_eq!(dash.status, 200);
        let dash = text(&dash);
        assert!(
            dash.contains("id=\"overrides-total\">1<"),
            "{backend:?}: {dash}"
        );
        assert!(dash.contains("<tr data-rule=\"P17\">") || dash.contains("<tr data-rule="));

        // A retake with reasons from the rules plus free text.
        let r = submit_booth(&s, "sec-2", &form_id(7004), "1980-01-01", Some(&bad));
        let retake_id = r.json()["application_id"].as_str().expect("id").to_string();
        let r = http(
            "POST",
            &decision(&retake_id),
            &[("Cookie", &cookie)],
            form(&[
                ("csrf_token", &csrf),
                ("action", "retake"),
                ("rules", "P17"),
                ("rules", "P10"),
                ("note", "Please take off the cap."),
            ]),
        );
        assert_eq!(r.status, 303, "{}", text(&r));
        let events = s.sql_strings(&format!(
            "SELECT event FROM audit_log WHERE application_id = '{retake_id}' \
             AND actor_kind = 'reviewer'"
        ));
        assert!(
            events.len() == 1
                && events[0].contains("P17")
                && events[0].contains("P10")
                && events[0].contains("take off the cap"),
            "{events:?}"
        );

        // Two applicants: A's session reaches A's application only.
        let (id_a, id_b) = (form_id(7002), form_id(7003));
        let mails = s.mails().len();
        let cookie_a = applicant_session(&s, &id_a, "a@example.jp", mails);
        let cookie_b = applicant_session(&s, &id_b, "b@example.jp", mails + 1);
        let photo_b = http(
            "GET",
            &s.url("/apply/photo"),
            &[("Cookie", &cookie_b)],
            None,
        );
        let csrf_b = csrf_in(&text(&photo_b));
        let (ct, body) = multipart(&[
            Part::Text("csrf_token", &csrf_b),
            // A declared exception travels with the photo (religious head covering).
            Part::Text("exception", "religious"),
            Part::File("photo", &bad),
        ]);
        let r = http(
            "POST",
            &s.url("/apply/photo"),
            &[("Cookie", &cookie_b)],
            Some((&ct, body)),
        );
        assert_eq!(r.status, 303, "{}", text(&r));
        let b_id = s.sql_strings(&format!(
            "SELECT id FROM applications WHERE form_id = '{id_b}'"
        ))[0]
            .clone();

        let page_a = text(&http(
            "GET",
            &s.url("/apply/photo"),
            &[("Cookie", &cookie_a)],
            None,
        ));
        assert!(page_a.contains(&id_a[19..]) || page_a.contains("photo-form"));
        assert!(!page_a.contains(&format!("…{}", &id_b[19..])));
        // A has no photo: the overlay is not B's.
        let r = http(
            "GET",
            &s.url("/apply/photo/overlay"),
            &[("Cookie", &cookie_a)],
            None,
        );
        assert_eq!(r.status, 404);
        let r = http(
            "GET",
            &s.url("/apply/photo/overlay"),
            &[("Cookie", &cookie_b)],
            None,
        );
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("image/png"));
        // The applicant's cookie opens no console page and no reviewer API.
        let r = http(
            "GET",
            &s.url(&format!("/console/items/{b_id}")),
            &[("Cookie", &cookie_a)],
            None,
        );
        assert_eq!(r.status, 303);
        let r = http(
            "GET",
            &s.url(&format!("/api/v1/review/items/{b_id}/photo/original")),
            &[("Cookie", &cookie_a)],
            None,
        );
        assert_eq!(r.status, 401);
        // A's token does not act for A from another site.
        let csrf_a = csrf_in(&page_a);
        let r = http(
            "POST",
            &s.url("/apply/details"),
            &[("Cookie", &cookie_a), ("Origin", "https://evil.example")],
            form(&[("csrf_token", &csrf_a), ("date_of_birth", "1990-01-01")]),
        );
        assert_eq!(r.status, 403);
        // Nor B's token for A.
        let r = http(
            "POST",
            &s.url("/apply/details"),
            &[("Cookie", &cookie_a)],
            form(&[("csrf_token", &csrf_b), ("date_of_birth", "1990-01-01")]),
        );
        assert_eq!(r.status, 403);
        // Without a session the applicant pages say so.
        assert_eq!(http("GET", &s.url("/apply/photo"), &[], None).status, 401);
    }
}
