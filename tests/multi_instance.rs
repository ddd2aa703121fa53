//! Two service instances on one database (PostgreSQL when available) and one photo store (moto
//! S3 when available), as behind a load balancer: booth and web traffic alternating between
//! them from several threads, one instance SIGKILLed mid-burst while an `admin` command runs,
//! restarted, and both forwarding. Every acknowledged application is there exactly once, with
//! its photo, in exactly one forwarded batch; a rate limit holds across both instances.

#[path = "support/moto.rs"]
mod moto;
#[path = "support/service.rs"]
mod service;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use service::*;

const THREADS: usize = 3;
const PER_THREAD: usize = 8;

fn compliant_photo() -> Option<Vec<u8>> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/photos/dev/canada_003f.jpg");
    match std::fs::read(&p) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("skipped: ../shared/photos/dev not found (booth traffic is age 0 only)");
            None
        }
    }
}

/// A date of birth under one year: the card is made without a photo.
fn infant_dob() -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(120)).to_string()
}

#[test]
fn two_instances_forward_every_acknowledged_application_exactly_once() {
    let backend = if postgres_admin_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let s3 = moto::s3_server();
    let mut env: Vec<(&str, &str)> = Vec::new();
    if let Some(server) = &s3 {
        env.extend([
            ("MNP_S3_ENDPOINT", server.endpoint.as_str()),
            ("MNP_S3_BUCKET", "multi"),
            ("MNP_S3_ACCESS_KEY", "testing"),
            ("MNP_S3_SECRET_KEY", "testing"),
        ]);
    }
    let a = Service::start_env(
        backend,
        "multi",
        &[
            ("--status-per-minute", "6"),
            ("--job-lease-seconds", "3"),
            ("--forward-batch", "5"),
        ],
        &env,
    );
    let mut b = a.twin(1);
    let bases = [a.base.clone(), b.base.clone()];

    // A rate limit of 6 a minute holds across both instances together (counted in fixed
    // minutes: start well inside one).
    while chrono::Utc::now().timestamp_millis() % 60_000 > 50_000 {
        std::thread::sleep(Duration::from_millis(200));
    }
    let answered = (0..12)
        .filter(|i| {
            let r = post_json(
                &format!("{}/api/v1/status", bases[i % 2]),
                &[],
                &json!({"form_id": form_id(900 + *i as u64), "date_of_birth": "1990-01-01"}),
            );
            r.status == 200
        })
        .count();
    assert_eq!(answered, 6, "6 a minute across both instances");

    // A draft typed on one instance (the no-JavaScript form, saved by a language switch) is
    // there on the other.
    let no_redirects: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let saved = try_call_with(
        &no_redirects,
        "POST",
        &format!("{}/apply", bases[0]),
        &[],
        Some((
            "application/x-www-form-urlencoded",
            b"form_id=&name=Draft+Person+Seven&email=draft7%40example.jp&channel=smartphone&_lang=en"
                .to_vec(),
        )),
    )
    .expect("draft saved");
    assert_eq!(
        saved.status,
        303,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let draft = saved.cookie("mnp_draft").expect("draft cookie");
    let form = get(
        &format!("{}/apply", bases[1]),
        &[("Cookie", &format!("{draft}; mnp_lang=en"))],
    );
    let page = String::from_utf8_lossy(&form.body);
    assert!(
        page.contains("Draft Person Seven") && page.contains("draft7@example.jp"),
        "the draft is not on the other instance: {page}"
    );

    let photo = Arc::new(compliant_photo());
    // (form ID, whether it carries a photo) of every 2xx answer.
    let acked: Arc<Mutex<Vec<(String, bool)>>> = Arc::new(Mutex::new(Vec::new()));
    let mut threads = Vec::new();
    for t in 0..THREADS {
        let (bases, token) = (bases.clone(), a.booth_token.clone());
        let (photo, acked) = (photo.clone(), acked.clone());
        threads.push(std::thread::spawn(move || {
            for i in 0..PER_THREAD {
                let n = (t * 100 + i) as u64;
                let id = form_id(5000 + n);
                let key = format!("multi-{t}-{i}");
                let with_photo = photo.is_some() && i % 2 == 0;
                let dob = if with_photo {
                    "1985-05-05".to_string()
                } else {
                    infant_dob()
                };
                // Alternate instances; a dead one is retried on the other with the same key.
                let mut attempt = (t + i) % 2;
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    let base = &bases[attempt % 2];
                    // Web traffic in between (each start mails a link).
                    let _ = try_call(
                        "POST",
                        &format!("{base}/api/v1/web/start"),
                        &[],
                        Some((
                            "application/json",
                            json!({"form_id": form_id(7000 + n), "name": "Web User",
                                   "email": format!("w{n}@example.jp")})
                            .to_string()
                            .into_bytes(),
                        )),
                    );
                    let r = try_submit_booth(
                        base,
                        &token,
                        &key,
                        &id,
                        &dob,
                        if with_photo { photo.as_deref() } else { None },
                    );
                    match r {
                        Ok(r) if r.status == 201 || r.status == 200 => {
                            acked.lock().unwrap().push((id.clone(), with_photo));
                            break;
                        }
                        // Busy (503), or the store failed this once (500, e.g. moto under load):
                        // a booth retries with the same key, as here.
                        Ok(r) if r.status == 503 || r.status == 500 => {}
                        Ok(r) => panic!("{}: {}", r.status, String::from_utf8_lossy(&r.body)),
                        Err(_) => {}
                    }
                    assert!(Instant::now() < deadline, "no instance answered");
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }));
    }
    // Mid-burst: an admin command runs while instance b is SIGKILLed.
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.lock().unwrap().len() < THREADS * PER_THREAD / 3 {
        assert!(Instant::now() < deadline, "the burst made no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::scope(|scope| {
        scope.spawn(|| a.admin(&["booth", "list"], None));
        b.kill9();
    });
    std::thread::sleep(Duration::from_millis(500));
    b.spawn();
    for t in threads {
        t.join().expect("a traffic thread failed");
    }
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len(), THREADS * PER_THREAD);
    a.admin(&["booth", "list"], None);

    // Both forward until every acknowledged application is forwarded.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let forwarded = s_count(
            &a,
            "SELECT COUNT(*) FROM applications WHERE state = 'forwarded'",
        );
        if forwarded as usize >= acked.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{forwarded} of {} forwarded; jobs: {}",
            acked.len(),
            a.admin(&["jobs"], None)
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // Exactly once in the database, with its photo.
    for (id, with_photo) in &acked {
        assert_eq!(
            s_count(
                &a,
                &format!("SELECT COUNT(*) FROM applications WHERE form_id = '{id}' AND state = 'forwarded'")
            ),
            1,
            "{id}"
        );
        let crops = a.sql_strings(&format!(
            "SELECT p.crop_sha FROM applications a JOIN photos p ON p.id = a.photo_id \
             WHERE a.form_id = '{id}' AND p.crop_sha IS NOT NULL"
        ));
        assert_eq!(crops.len(), usize::from(*with_photo), "{id}");
    }
    // Exactly one forwarded batch folder names each, with its crop file beside.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut folders = HashSet::new();
    for dir in std::fs::read_dir(a.data_dir.join("outbox"))
        .expect("outbox")
        .flatten()
    {
        let name = dir.file_name().to_string_lossy().to_string();
        assert!(
            !name.starts_with('.'),
            "a partial batch folder is left: {name}"
        );
        folders.insert(name);
        let manifest: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("manifest.json")).expect("manifest"),
        )
        .expect("manifest JSON");
        for app in manifest["applications"].as_array().expect("applications") {
            let id = app["form_id"].as_str().unwrap().to_string();
            if let Some(file) = app["photo"]["file"].as_str() {
                let jpeg = std::fs::read(dir.path().join(file)).expect("the crop in the batch");
                assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
            }
            *seen.entry(id).or_default() += 1;
        }
    }
    for (id, with_photo) in &acked {
        assert_eq!(seen.get(id), Some(&1), "{id} in {:?} batches", seen.get(id));
        let _ = with_photo;
    }
    assert_eq!(
        s_count(
            &a,
            "SELECT COUNT(*) FROM forward_batches WHERE synced_at IS NOT NULL AND count > 0"
        ) as usize,
        folders.len()
    );
    // Every photo row names a blob that is in the store (nothing swept from under a row).
    let shas = a.sql_strings(
        "SELECT original_sha FROM photos WHERE original_sha IS NOT NULL \
         UNION SELECT crop_sha FROM photos WHERE crop_sha IS NOT NULL",
    );
    for sha in shas {
        let present = match &s3 {
            Some(server) => {
                let store = mynumber_photo::store::s3::S3PhotoStore::new(
                    &server.endpoint,
                    "multi",
                    "us-east-1",
                    "testing",
                    "testing",
                )
                .expect("store");
                mynumber_photo::store::PhotoStore::get(&store, &sha).is_ok()
            }
            None => a
                .data_dir
                .join("photos")
                .join(&sha[..2])
                .join(&sha)
                .exists(),
        };
        assert!(present, "blob {sha} lost");
    }
    // One job row per recurring kind, shared by both.
    assert_eq!(
        s_count(&a, "SELECT COUNT(*) FROM jobs WHERE unique_key IS NOT NULL"),
        4
    );
    drop(b);
}

fn s_count(s: &Service, sql: &str) -> i64 {
    s.sql_i64(sql)
}
