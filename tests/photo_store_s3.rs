//! The S3-compatible photo store against a real S3 server process (moto's server mode, from
//! PyPI): the store's four calls, and a booth submission through the service storing its
//! photos there.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/service.rs"]
mod service;

use moto::s3_server;
use mynumber_photo::store::s3::S3PhotoStore;
use mynumber_photo::store::{sha256_hex, PhotoStore};
use service::*;

#[test]
fn s3_store_put_get_list_delete() {
    let Some(server) = s3_server() else { return };
    let store = S3PhotoStore::new(
        &server.endpoint,
        "photos-a",
        "us-east-1",
        "testing",
        "testing",
    )
    .expect("store");
    store.ensure_bucket().expect("bucket");
    store.ensure_bucket().expect("idempotent");
    let bytes = b"\xFF\xD8 a jpeg, as far as the store cares".to_vec();
    let sha = store.put(&bytes).expect("put");
    assert_eq!(sha, sha256_hex(&bytes));
    assert_eq!(store.put(&bytes).expect("put again"), sha);
    assert_eq!(store.get(&sha).expect("get"), bytes);
    let listed = store.list().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, sha);
    store.delete(&sha).expect("delete");
    store.delete(&sha).expect("delete twice");
    let missing = store.get(&sha).expect_err("gone");
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    assert!(store.get("../etc/passwd").is_err());
    assert!(store.list().expect("list").is_empty());
}

#[test]
fn service_stores_photos_in_s3() {
    let Some(server) = s3_server() else { return };
    let s = Service::start_with(
        Backend::Sqlite,
        "s3",
        &[
            ("--s3-endpoint", &server.endpoint),
            ("--s3-bucket", "applications"),
            ("--s3-access-key", "testing"),
            ("--s3-secret-key", "testing"),
        ],
    );
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-photos/bad_grace_hopper_hat_glasses.jpg"),
    )
    .unwrap();
    let r = submit_booth(&s, "s3-1", &form_id(60), "1960-01-01", Some(&photo));
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    // Nothing in the local folder; the blobs are in the bucket.
    let local = s.data_dir.join("photos");
    assert!(std::fs::read_dir(&local)
        .map(|d| d.count() == 0)
        .unwrap_or(true));
    let store = S3PhotoStore::new(
        &server.endpoint,
        "applications",
        "us-east-1",
        "testing",
        "testing",
    )
    .unwrap();
    let shas = s.sql_strings("SELECT original_sha FROM photos");
    assert_eq!(shas.len(), 1);
    let stored = store.get(&shas[0]).expect("the original is in S3");
    assert_eq!(&stored[..2], &[0xFF, 0xD8]);
    // The reviewer console reads it back from there.
    let login = post_json(
        &s.url("/api/v1/review/login"),
        &[],
        &serde_json::json!({"name": REVIEWER, "password": REVIEWER_PASSWORD}),
    );
    let cookie = login.cookie("mnp_reviewer").unwrap();
    let id = r.json()["application_id"].as_str().unwrap().to_string();
    let got = get(
        &s.url(&format!("/api/v1/review/items/{id}/photo/original")),
        &[("Cookie", &cookie)],
    );
    assert_eq!(got.status, 200);
    assert_eq!(got.body, stored);
}
