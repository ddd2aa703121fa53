//! A hostile user against the real service process: taking over someone's form ID, floods of
//! multipart parts and oversize bodies, a replayed link, status probing, a reviewer disabled
//! mid-session, a decision about a photo the reviewer never saw. Each gets a clear error and
//! changes nothing it should not. SQLite always, PostgreSQL when available.

#[path = "support/service.rs"]
mod service;

use std::time::Instant;

use serde_json::{json, Value};
use service::*;

fn sample(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-photos")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn start(s: &Service, id: &str, email: &str) -> Resp {
    post_json(
        &s.url("/api/v1/web/start"),
        &[],
        &json!({"form_id": id, "name": "山田 花子", "email": email, "lang": "en"}),
    )
}

/// The link of the newest mail to `to`.
fn link_for(s: &Service, to: &str, nth: usize) -> String {
    let mails = s.wait_mails(nth);
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.contains(&format!("To: {to}")))
        .unwrap_or_else(|| panic!("no mail to {to} among {}", mails.len()));
    let at = mail.find("/apply/link/").expect("a link") + "/apply/link/".len();
    mail[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

fn session(s: &Service, token: &str) -> (String, String) {
    let r = post_json(&s.url("/api/v1/web/session"), &[], &json!({"token": token}));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    (
        r.cookie("mnp_applicant").expect("cookie"),
        r.json()["csrf_token"].as_str().expect("csrf").to_string(),
    )
}

fn code(r: &Resp) -> Value {
    r.json()["error"]["code"].clone()
}

#[test]
fn form_id_takeover_is_superseded_and_sees_nothing() {
    for backend in backends() {
        let s = Service::start(backend, "takeover");
        let id = form_id(4242);
        // The stranger starts first and opens a session.
        assert_eq!(start(&s, &id, "stranger@example.com").status, 202);
        let stranger_link = link_for(&s, "stranger@example.com", 1);
        let (stranger, _) = session(&s, &stranger_link);
        let mine = get(&s.url("/api/v1/web/application"), &[("Cookie", &stranger)]);
        assert_eq!(mine.status, 200);
        // The real applicant is not locked out: their start mails *them* a link.
        assert_eq!(start(&s, &id, "real@example.jp").status, 202);
        let real_link = link_for(&s, "real@example.jp", 2);
        // ... and the stranger's session is over.
        let gone = get(&s.url("/api/v1/web/application"), &[("Cookie", &stranger)]);
        assert_eq!(gone.status, 401, "{}", String::from_utf8_lossy(&gone.body));
        let (real, _) = session(&s, &real_link);
        assert_eq!(
            get(&s.url("/api/v1/web/application"), &[("Cookie", &real)]).status,
            200
        );
        // A booth submission for the same form never attaches to a web application: it
        // supersedes it, and the web session sees nothing of the booth's date of birth.
        let booth = submit_booth(&s, "takeover-1", &id, "1950-02-03", None);
        assert_eq!(
            booth.status,
            422,
            "the booth needs a photo for an adult: {}",
            String::from_utf8_lossy(&booth.body)
        );
        let photo = sample("bad_grace_hopper_hat_glasses.jpg");
        let booth = submit_booth(&s, "takeover-2", &id, "1950-02-03", Some(&photo));
        assert_eq!(
            booth.status,
            201,
            "{}",
            String::from_utf8_lossy(&booth.body)
        );
        let after = get(&s.url("/api/v1/web/application"), &[("Cookie", &real)]);
        assert_eq!(after.status, 401);
        assert!(!String::from_utf8_lossy(&after.body).contains("1950-02-03"));
        // One live application for the form: the booth's; the earlier ones withdrawn.
        assert_eq!(
            s.sql_strings(&format!(
                "SELECT channel FROM applications WHERE form_id = '{id}'"
            )),
            vec!["booth".to_string()]
        );
        assert_eq!(
            s.sql_i64(&format!(
                "SELECT COUNT(*) FROM applications WHERE form_id LIKE '{id}~%' \
                 AND state = 'withdrawn'"
            )),
            2
        );
        // A web start after the booth's: a new application for the new starter; the booth's
        // photo and date of birth are never shown to them.
        assert_eq!(start(&s, &id, "third@example.org").status, 202);
        let third_link = link_for(&s, "third@example.org", 3);
        let (third, _) = session(&s, &third_link);
        let view = get(&s.url("/api/v1/web/application"), &[("Cookie", &third)]);
        assert_eq!(view.status, 200);
        assert_eq!(view.json()["application"]["date_of_birth"], Value::Null);
        assert_eq!(view.json()["application"]["photo"], Value::Null);
    }
}

#[test]
fn floods_and_oversize_bodies_are_refused_before_reading() {
    let s = Service::start(Backend::Sqlite, "flood");
    let auth = format!("Bearer {}", s.booth_token);
    let h = [
        ("Authorization", auth.as_str()),
        ("Idempotency-Key", "flood-1"),
    ];
    // 10,000 parts.
    let parts: Vec<Part> = (0..10_000).map(|_| Part::Text("braille", "no")).collect();
    let (ct, body) = multipart(&parts);
    let t = Instant::now();
    let r = call(
        "POST",
        &s.url("/api/v1/applications"),
        &h,
        Some((&ct, body)),
    );
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        code(&r) == "too_many_parts" || code(&r) == "duplicate_field",
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    eprintln!("10,000 parts refused in {:?}", t.elapsed());
    let distinct: Vec<String> = (0..10_000).map(|i| format!("f{i}")).collect();
    let parts: Vec<Part> = distinct.iter().map(|n| Part::Text(n, "x")).collect();
    let (ct, body) = multipart(&parts);
    let r = call(
        "POST",
        &s.url("/api/v1/applications"),
        &h,
        Some((&ct, body)),
    );
    assert_eq!(r.status, 400);
    // 20 MB plus one byte: 413, whatever is inside.
    let big = vec![0u8; 20 * 1024 * 1024 + 1];
    let r = call(
        "POST",
        &s.url("/api/v1/applications"),
        &h,
        Some(("multipart/form-data; boundary=x", big)),
    );
    assert_eq!(r.status, 413, "{}", String::from_utf8_lossy(&r.body));
    // Nothing was stored.
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM applications"), 0);
    // A web photo with a wrong CSRF token is refused before the photo is read or vetted.
    let id = form_id(77);
    assert_eq!(start(&s, &id, "a@example.jp").status, 202);
    let (cookie, _) = session(&s, &link_for(&s, "a@example.jp", 1));
    let photo = sample("bad_grace_hopper_hat_glasses.jpg");
    let r = post_multipart(
        &s.url("/api/v1/web/photo"),
        &[("Cookie", cookie.as_str())],
        &[
            Part::Text("csrf_token", "wrong"),
            Part::File("photo", &photo),
        ],
    );
    assert_eq!(r.status, 403);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM photos"), 0);
}

#[test]
fn replayed_link_probing_and_disabled_reviewer() {
    for backend in backends() {
        let s = Service::start_with(backend, "probe", &[("--status-per-minute", "20")]);
        // A link works once.
        let id = form_id(88);
        assert_eq!(start(&s, &id, "b@example.jp").status, 202);
        let link = link_for(&s, "b@example.jp", 1);
        session(&s, &link);
        let again = post_json(&s.url("/api/v1/web/session"), &[], &json!({"token": link}));
        assert_eq!(again.status, 410);
        assert_eq!(code(&again), "link_used");
        // The sent link mail keeps no token in the database.
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while s.sql_i64("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'link' AND body <> ''") > 0 {
            assert!(
                Instant::now() < deadline,
                "link body still stored after sending"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        // Probing 1,000 form IDs (spoofing X-Forwarded-For, which is not trusted): at most
        // the limit is answered, the rest are 429.
        // (Limits count in fixed minutes: start early in one.)
        while chrono::Utc::now().timestamp_millis() % 60_000 > 30_000 {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let t = Instant::now();
        let mut answered = 0;
        let mut limited = 0;
        for n in 0..1000u64 {
            let fake = format!("198.51.100.{}", n % 250);
            let r = post_json(
                &s.url("/api/v1/status"),
                &[("X-Forwarded-For", fake.as_str())],
                &json!({"form_id": form_id(10_000 + n), "date_of_birth": "1990-01-01"}),
            );
            match r.status {
                200 => answered += 1,
                429 => limited += 1,
                other => panic!("{other}: {}", String::from_utf8_lossy(&r.body)),
            }
        }
        // 20 in one minute; a slow machine may cross into the next one (20 more at most).
        assert!(answered <= 40, "{answered} lookups answered");
        assert!(
            answered <= 20 || t.elapsed() > std::time::Duration::from_secs(30),
            "{answered} lookups answered"
        );
        assert_eq!(answered + limited, 1000);
        // A reviewer disabled mid-session is out at the next request.
        let r = post_json(
            &s.url("/api/v1/review/login"),
            &[],
            &json!({"name": REVIEWER, "password": REVIEWER_PASSWORD}),
        );
        assert_eq!(r.status, 200);
        let cookie = r.cookie("mnp_reviewer").expect("cookie");
        assert_eq!(
            get(&s.url("/api/v1/review/queue"), &[("Cookie", &cookie)]).status,
            200
        );
        s.admin(&["reviewer", "disable", REVIEWER], None);
        assert_eq!(
            get(&s.url("/api/v1/review/queue"), &[("Cookie", &cookie)]).status,
            401
        );
        assert_eq!(
            s.sql_i64("SELECT COUNT(*) FROM sessions WHERE reviewer_id IS NOT NULL"),
            0
        );
        // A new password (which also enables the account again) ends the sessions signed in
        // with the old one.
        s.admin(&["reviewer", "add", REVIEWER], Some(REVIEWER_PASSWORD));
        let r = post_json(
            &s.url("/api/v1/review/login"),
            &[],
            &json!({"name": REVIEWER, "password": REVIEWER_PASSWORD}),
        );
        assert_eq!(r.status, 200);
        let cookie = r.cookie("mnp_reviewer").expect("cookie");
        s.admin(
            &["reviewer", "add", REVIEWER],
            Some("a different long password"),
        );
        assert_eq!(
            get(&s.url("/api/v1/review/queue"), &[("Cookie", &cookie)]).status,
            401
        );
    }
}

#[test]
fn sign_in_backs_off_per_account_and_decisions_name_the_photo() {
    let s = Service::start(Backend::Sqlite, "backoff");
    // A rejected web photo goes to review; the reviewer decides about the photo they saw.
    let id = form_id(99);
    assert_eq!(start(&s, &id, "c@example.jp").status, 202);
    let (cookie, csrf) = session(&s, &link_for(&s, "c@example.jp", 1));
    let h = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let photo = sample("bad_grace_hopper_hat_glasses.jpg");
    let r = post_multipart(
        &s.url("/api/v1/web/photo"),
        &h,
        &[Part::File("photo", &photo)],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let app_id = s.sql_strings(&format!(
        "SELECT id FROM applications WHERE form_id = '{id}'"
    ))[0]
        .clone();
    let r = post_json(
        &s.url("/api/v1/review/login"),
        &[],
        &json!({"name": REVIEWER, "password": REVIEWER_PASSWORD}),
    );
    let rc = r.cookie("mnp_reviewer").expect("cookie");
    let rcsrf = r.json()["csrf_token"].as_str().unwrap().to_string();
    let rh = [("Cookie", rc.as_str()), ("X-CSRF-Token", rcsrf.as_str())];
    let item = get(&s.url(&format!("/api/v1/review/items/{app_id}")), &rh);
    assert_eq!(item.status, 200);
    let seen = item.json()["photo_id"]
        .as_str()
        .expect("photo id")
        .to_string();
    let stale = post_json(
        &s.url(&format!("/api/v1/review/items/{app_id}/decision")),
        &rh,
        &json!({"action": "accept", "reason": "looks fine", "photo_id": "someotherphoto"}),
    );
    assert_eq!(
        stale.status,
        409,
        "{}",
        String::from_utf8_lossy(&stale.body)
    );
    assert_eq!(code(&stale), "photo_changed");
    let ok = post_json(
        &s.url(&format!("/api/v1/review/items/{app_id}/decision")),
        &rh,
        &json!({"action": "retake", "rules": ["P9"], "photo_id": seen}),
    );
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));

    // Wrong passwords from many addresses lock the account for a while, even the right one.
    for _ in 0..6 {
        let r = post_json(
            &s.url("/api/v1/review/login"),
            &[],
            &json!({"name": REVIEWER, "password": "wrong password here"}),
        );
        assert_eq!(r.status, 401);
    }
    let r = post_json(
        &s.url("/api/v1/review/login"),
        &[],
        &json!({"name": REVIEWER, "password": REVIEWER_PASSWORD}),
    );
    assert_eq!(
        r.status, 401,
        "the account backs off after repeated failures"
    );
    assert!(s.sql_i64("SELECT COUNT(*) FROM reviewers WHERE locked_until IS NOT NULL") == 1);
}

/// A bad SMTP setting fails only the mail job (retried, its error recorded): forwarding and
/// retention still start.
#[test]
fn bad_smtp_setting_does_not_stop_forwarding() {
    let s = Service::start_with(
        Backend::Sqlite,
        "badsmtp",
        &[
            ("--smtp-url", "bogus://nowhere"),
            ("--status-per-minute", "1000"),
        ],
    );
    let baby = (chrono::Utc::now().date_naive() - chrono::Duration::days(90)).to_string();
    let id = form_id(31337);
    let r = submit_booth(&s, "smtp-1", &id, &baby, None);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = post_json(
            &s.url("/api/v1/status"),
            &[],
            &json!({"form_id": id, "date_of_birth": baby}),
        );
        if r.json()["state"] == "forwarded" {
            break;
        }
        assert!(Instant::now() < deadline, "never forwarded: {}", s.log());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    while s.sql_i64("SELECT COUNT(*) FROM jobs WHERE kind = 'mail' AND last_error IS NOT NULL") == 0
    {
        assert!(
            Instant::now() < deadline,
            "the mail job's error is not recorded"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The smaller defects: a booth photo at age 0 is refused; the web applicant's declared
/// exception is stored; an accepted photo of a complete application is not silently replaced;
/// an application claimed by a forwarding batch takes no new photo; sessions end after 30 idle
/// minutes; `/metrics` needs its token; a trusted proxy's X-Forwarded-For names the client.
#[test]
fn smaller_defects() {
    let compliant = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/photos/dev/canada_003f.jpg");
    let s = Service::start_with(
        Backend::Sqlite,
        "smaller",
        &[
            ("--metrics-token", "scrape-secret"),
            ("--trusted-proxy", "127.0.0.1"),
            ("--status-per-minute", "2"),
        ],
    );
    let photo = sample("bad_grace_hopper_hat_glasses.jpg");
    let baby = (chrono::Utc::now().date_naive() - chrono::Duration::days(60)).to_string();
    let r = submit_booth(&s, "age0-photo", &form_id(501), &baby, Some(&photo));
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(code(&r), "photo_not_accepted");

    // Web: the declared exception is stored with the photo.
    let id = form_id(502);
    assert_eq!(start(&s, &id, "d@example.jp").status, 202);
    let (cookie, csrf) = session(&s, &link_for(&s, "d@example.jp", 1));
    let h = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let r = post_multipart(
        &s.url("/api/v1/web/photo"),
        &h,
        &[
            Part::Text("exception_reason", "medical eye patch"),
            Part::File("photo", &photo),
        ],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        s.sql_strings(&format!(
            "SELECT exception_reason FROM applications WHERE form_id = '{id}'"
        )),
        vec!["medical eye patch".to_string()]
    );
    // Claimed by a forwarding batch: no new photo (409 forwarding-like refusal).
    s.sql_exec(&format!(
        "UPDATE applications SET forward_batch = 'b-test' WHERE form_id = '{id}'"
    ))
    .unwrap();
    let r = post_multipart(
        &s.url("/api/v1/web/photo"),
        &h,
        &[Part::File("photo", &photo)],
    );
    assert_eq!(r.status, 409, "{}", String::from_utf8_lossy(&r.body));
    s.sql_exec(&format!(
        "UPDATE applications SET forward_batch = NULL WHERE form_id = '{id}'"
    ))
    .unwrap();
    // Complete with an accepted photo: going back to step 2 does not replace it.
    if let Ok(good) = std::fs::read(&compliant) {
        let r = post_multipart(
            &s.url("/api/v1/web/photo"),
            &h,
            &[Part::File("photo", &good)],
        );
        assert_eq!(
            r.json()["state"],
            "auto_accepted",
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        let details =
            json!({"date_of_birth": "1990-01-01", "certificates": "yes", "braille": "no"});
        assert_eq!(
            post_json(&s.url("/api/v1/web/details"), &h, &details).status,
            200
        );
        let before = s.sql_i64("SELECT COUNT(*) FROM photos");
        let r = post_multipart(
            &s.url("/api/v1/web/photo"),
            &h,
            &[Part::File("photo", &photo)],
        );
        assert_eq!(r.status, 409, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(s.sql_i64("SELECT COUNT(*) FROM photos"), before);
    } else {
        eprintln!("skipped the replacement part: ../shared/photos/dev not found");
    }
    // 30 idle minutes end a session.
    s.sql_exec("UPDATE sessions SET last_seen_at = 1, created_at = 1")
        .unwrap();
    assert_eq!(
        get(&s.url("/api/v1/web/application"), &[("Cookie", &cookie)]).status,
        401
    );
    // /metrics: only with the token.
    assert_eq!(get(&s.url("/metrics"), &[]).status, 404);
    let m = get(
        &s.url("/metrics"),
        &[("Authorization", "Bearer scrape-secret")],
    );
    assert_eq!(m.status, 200);
    // Behind the trusted proxy (127.0.0.1 here), each forwarded client has its own limit.
    let lookup = |client: &str| {
        post_json(
            &s.url("/api/v1/status"),
            &[("X-Forwarded-For", client)],
            &json!({"form_id": form_id(600), "date_of_birth": "1990-01-01"}),
        )
        .status
    };
    let first: Vec<u16> = (0..3).map(|_| lookup("203.0.113.1")).collect();
    assert_eq!(first, vec![200, 200, 429]);
    // Another client (but the same form ID, limited too: 2 a minute per form ID).
    let other = post_json(
        &s.url("/api/v1/status"),
        &[("X-Forwarded-For", "203.0.113.2")],
        &json!({"form_id": form_id(601), "date_of_birth": "1990-01-01"}),
    );
    assert_eq!(other.status, 200);
}
