//! The HTTP API in-process (actix-web test utilities): routes, status codes, error bodies,
//! back-pressure and metrics.

mod common;

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::{test, web, App};
use common::*;
use mynumber_photo::web::{configure, AppState};
use serde_json::Value;

const BOUNDARY: &str = "----mnp-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body built by hand: (name, filename, bytes) parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, data) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post(path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> test::TestRequest {
    test::TestRequest::post()
        .uri(path)
        .insert_header((
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        ))
        .set_payload(multipart(parts))
}

fn photo(bytes: &[u8]) -> (&'static str, Option<&'static str>, &[u8]) {
    ("photo", Some("photo.png"), bytes)
}

fn state(max_inflight: usize) -> web::Data<AppState> {
    web::Data::new(AppState::new(shared_vetter().clone(), max_inflight))
}

/// The service in-process, with the production routes.
macro_rules! app {
    ($data:expr) => {
        test::init_service(App::new().app_data($data).configure(configure)).await
    };
}

fn content_type<B>(resp: &ServiceResponse<B>) -> String {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Asserts the JSON error shape (code, message, message_ja) and the code; returns the body.
fn assert_error(body: &[u8], code: &str) -> Value {
    let v = assert_error_code(body, code);
    assert!(
        v["error"]["message_ja"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no Japanese message: {v}"
    );
    v
}

/// The code and an English message (the `no_crop` body has no `message_ja` yet).
fn assert_error_code(body: &[u8], code: &str) -> Value {
    let v: Value = serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("error body is not JSON: {}", String::from_utf8_lossy(body)));
    let e = &v["error"];
    assert_eq!(e["code"], code, "{v}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no message: {v}"
    );
    v
}

#[actix_web::test]
async fn healthz_is_ok() {
    let app = app!(state(2));
    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = test::read_body_json(resp).await;
    assert_eq!(v["status"], "ok");
}

#[actix_web::test]
async fn vet_returns_the_report_and_metrics_count_it() {
    let data = state(2);
    let app = app!(data.clone());
    let bytes = read_sample("bad_astronaut_busy_bg_smile.png");
    let resp = post("/api/v1/vet", &[photo(&bytes)])
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(content_type(&resp).starts_with("application/json"));
    let v: Value = test::read_body_json(resp).await;
    // The same contract as the library's report.
    let report: mynumber_photo::vetting::Report =
        serde_json::from_value(v.clone()).expect("the body is a Report");
    check_report_contract("API report", &report);
    assert_eq!(v["verdict"], "reject");
    for key in ["verdict", "findings", "face", "crop", "timings_ms"] {
        assert!(v.get(key).is_some(), "report without {key}: {v}");
    }
    // timings_ms is checked by check_report_contract above.
    let f = &v["findings"][0];
    for key in ["rule", "status", "measured", "threshold", "message"] {
        assert!(f.get(key).is_some(), "finding without {key}: {f}");
    }
    assert!(f["message"]["en"].is_string() && f["message"]["ja"].is_string());

    // Context fields are accepted.
    let resp = post(
        "/api/v1/vet",
        &[
            photo(&bytes),
            ("dob", None, b"1990-04-01"),
            ("application_date", None, b"2026-11-01"),
            ("exception", None, b""),
        ],
    )
    .send_request(&app)
    .await;
    assert_eq!(resp.status(), StatusCode::OK);

    let resp =
        test::call_service(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = String::from_utf8(test::read_body(resp).await.to_vec()).unwrap();
    assert!(text.contains("mnp_http_requests_total"), "{text}");
    assert!(text.contains("mnp_verdicts_total"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("mnp_verdicts_total{verdict=\"reject\"}")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("mnp_http_requests_total")
                && l.contains("endpoint=\"vet\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
}

#[actix_web::test]
async fn bad_requests_get_stable_codes() {
    let app = app!(state(2));
    let bytes = read_sample("noface_coffee.png");

    let resp = post("/api/v1/vet", &[photo(&[])]).send_request(&app).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = assert_error(&test::read_body(resp).await, "empty_file");
    assert!(v["error"]["message_ja"].is_string(), "{v}");

    let resp = post("/api/v1/vet", &[("dob", None, b"1990-01-01")])
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_error(&test::read_body(resp).await, "missing_photo");

    for bad in [&b"2026-13-01"[..], b"01/02/2026", b"yesterday"] {
        let resp = post(
            "/api/v1/vet",
            &[photo(&bytes), ("application_date", None, bad)],
        )
        .send_request(&app)
        .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert_error(&test::read_body(resp).await, "invalid_date");
    }
    let resp = post(
        "/api/v1/vet",
        &[("dob", None, b"not-a-date"), photo(&bytes)],
    )
    .send_request(&app)
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_error(&test::read_body(resp).await, "invalid_date");

    // Age 0 on the application date: no photo is needed (since 2024-12-02).
    let resp = post(
        "/api/v1/vet",
        &[
            photo(&bytes),
            ("dob", None, b"2026-10-01"),
            ("application_date", None, b"2026-11-01"),
        ],
    )
    .send_request(&app)
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&test::read_body(resp).await, "photo_not_required_age_0");

    let resp = post("/api/v1/vet", &[photo(b"this is not an image")])
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&test::read_body(resp).await, "unsupported_format");
}

#[actix_web::test]
async fn oversize_upload_is_413() {
    let app = app!(state(2));
    let mut big = read_sample("bad_grace_hopper_hat_glasses.jpg");
    big.resize(20 * 1024 * 1024 + 1024, 0);
    let resp = post("/api/v1/vet", &[photo(&big)]).send_request(&app).await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&test::read_body(resp).await, "file_too_large");
}

#[actix_web::test]
async fn crop_endpoint_gives_a_jpeg_or_422() {
    let app = app!(state(2));
    // A face: a crop can be cut (even though the photo is rejected).
    let bytes = read_sample("bad_astronaut_busy_bg_smile.png");
    let expected = vetter().vet(&bytes, &Default::default()).expect("vets");
    let resp = post("/api/v1/crop", &[photo(&bytes)])
        .send_request(&app)
        .await;
    match &expected.crop_jpeg {
        Some(jpeg) => {
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(content_type(&resp), "image/jpeg");
            let verdict = resp
                .headers()
                .get("X-Verdict")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            assert_eq!(verdict, expected.report.verdict.as_str());
            let body = test::read_body(resp).await;
            assert_eq!(&body[..2], &[0xFF, 0xD8]);
            assert_eq!(
                body.as_ref(),
                jpeg.as_slice(),
                "API crop differs from the library's"
            );
        }
        None => {
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert_error_code(&test::read_body(resp).await, "no_crop");
        }
    }
    // No face: never a crop.
    let resp = post("/api/v1/crop", &[photo(&read_sample("noface_coffee.png"))])
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v = assert_error_code(&test::read_body(resp).await, "no_crop");
    assert_eq!(v["report"]["verdict"], "reject", "{v}");
}

#[actix_web::test]
async fn overlay_is_a_png() {
    let app = app!(state(2));
    let bytes = read_sample("bad_astronaut_busy_bg_smile.png");
    let resp = post("/api/v1/overlay", &[photo(&bytes)])
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(content_type(&resp), "image/png");
    let body = test::read_body(resp).await;
    assert_eq!(&body[..8], b"\x89PNG\r\n\x1a\n");
    let img = image::load_from_memory(&body).expect("overlay decodes");
    assert!(img.width() > 0 && img.height() > 0);
}

#[actix_web::test]
async fn busy_service_answers_503_with_retry_after() {
    let data = state(2);
    let app = app!(data.clone());
    let held = data
        .permits
        .clone()
        .try_acquire_many_owned(2)
        .expect("all permits free at start");
    let bytes = read_sample("noface_coffee.png");
    for path in ["/api/v1/vet", "/api/v1/crop", "/api/v1/overlay"] {
        let resp = post(path, &[photo(&bytes)]).send_request(&app).await;
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let retry = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        assert!(
            retry.as_deref().is_some_and(|s| s.parse::<u32>().is_ok()),
            "{path}: Retry-After {retry:?}"
        );
        assert_error(&test::read_body(resp).await, "busy");
    }
    drop(held);
    // Permits back: served again.
    let resp = post("/api/v1/vet", &[photo(&bytes)])
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[actix_web::test]
async fn unknown_route_is_json_404() {
    let app = app!(state(2));
    for req in [
        test::TestRequest::get().uri("/nope").to_request(),
        test::TestRequest::get().uri("/api/v1/unknown").to_request(),
        test::TestRequest::post().uri("/api/v2/vet").to_request(),
    ] {
        let resp = test::call_service(&app, req).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert_error(&test::read_body(resp).await, "not_found");
    }
}

#[actix_web::test]
async fn a_broken_upload_gets_our_words_not_the_librarys() {
    let app = app!(state(2));
    let resp = test::TestRequest::post()
        .uri("/api/v1/vet")
        .insert_header((
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        ))
        .set_payload("--not-the-boundary\r\ngarbage")
        .send_request(&app)
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let v = assert_error(&test::read_body(resp).await, "invalid_multipart");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert_eq!(
        message, "the upload is not a readable multipart form",
        "{v}"
    );
    assert!(
        v["error"]["message_ja"]
            .as_str()
            .is_some_and(|m| m.contains("フォーム")),
        "{v}"
    );
}
