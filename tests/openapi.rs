//! The OpenAPI document: made from the handlers, it covers every `/api/v1` route the app
//! registers (with its method) and nothing else, it is what the running service serves at
//! `/api/v1/openapi.json`, and openapi-spec-validator (PyPI; `.ci/run` installs it) accepts it.

#[path = "support/service.rs"]
mod support;

use std::collections::BTreeSet;

use mynumber_photo::web::{openapi, API_V1_ROUTES};
use serde_json::Value;
use support::{call, Backend, Service};

fn document() -> Value {
    serde_json::from_str(openapi::json()).expect("the document is JSON")
}

/// (method, full path) of every operation in the document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.insert((method.clone(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_registered_route_is_documented_and_nothing_else() {
    let doc = document();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let registered: BTreeSet<(String, String)> = API_V1_ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), format!("/api/v1{p}")))
        .collect();
    let documented = operations(&doc);
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "registered but not documented: {missing:?}"
    );
    assert!(extra.is_empty(), "documented but not registered: {extra:?}");
    // The booth's two endpoints name their authentication.
    for p in ["/api/v1/applications", "/api/v1/booth/health"] {
        assert_eq!(
            doc["paths"][p]["post"]["security"][0]["booth_token"],
            serde_json::json!([]),
            "{p}"
        );
    }
}

#[test]
fn the_document_validates() {
    let dir = std::env::temp_dir().join(format!("mnp-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("openapi.json");
    std::fs::write(&file, openapi::json()).expect("write");
    let probe = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("CI").is_err(),
            "openapi-spec-validator is missing: .ci/run installs it"
        );
        eprintln!(
            "skipped: openapi-spec-validator not installed (pip install openapi-spec-validator)"
        );
        return;
    }
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
        .arg(&file)
        .output()
        .expect("run the validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openapi-spec-validator: {text}");
    assert!(text.contains("OK"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The served document is this one, and every documented path is routed (answered by its
/// handler, never by the catch-all "no such endpoint").
#[test]
fn the_service_serves_it_and_routes_every_documented_path() {
    let s = Service::start(Backend::Sqlite, "openapi");
    let served = call("GET", &s.url("/api/v1/openapi.json"), &[], None);
    assert_eq!(served.status, 200);
    assert_eq!(served.json(), document());
    for (method, path) in operations(&document()) {
        let url = s.url(&path.replace("{id}", "x").replace("{kind}", "original"));
        let r = call(&method.to_uppercase(), &url, &[], None);
        let code = serde_json::from_slice::<Value>(&r.body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_string));
        assert!(
            !(r.status == 404 && code.as_deref() == Some("not_found")) && r.status != 405,
            "{method} {path}: {} {code:?}",
            r.status
        );
    }
}
