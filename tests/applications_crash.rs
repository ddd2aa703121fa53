//! kill -9 during a burst of booth submissions, restart: every acknowledged submission is there
//! exactly once, no photo without a row, no row without its photo; retries with the same keys
//! return the first answers and create no duplicates.

#[path = "support/service.rs"]
mod service;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use service::*;

const THREADS: usize = 4;
const PER_THREAD: usize = 12;

fn photos() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-photos");
    [
        "bad_grace_hopper_hat_glasses.jpg",
        "bad_group4.jpg",
        "bad_eyes_closed_tilted_crop.jpg",
    ]
    .iter()
    .map(|n| std::fs::read(dir.join(n)).expect("sample photo"))
    .collect()
}

fn blobs_on_disk(s: &Service) -> HashSet<String> {
    let mut out = HashSet::new();
    let root = s.data_dir.join("photos");
    for shard in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(shard.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = f.file_name().to_string_lossy().to_string();
            if name.len() == 64 {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn kill_9_mid_burst_loses_nothing_acknowledged() {
    for backend in backends() {
        let mut s = Service::start(backend, "crash");
        let photos = Arc::new(photos());
        let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
        let acks = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for t in 0..THREADS {
            let (base, token) = (s.base.clone(), s.booth_token.clone());
            let (photos, acked, acks) = (photos.clone(), acked.clone(), acks.clone());
            handles.push(std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let n = (t * PER_THREAD + i) as u64;
                    let (key, id) = (format!("crash-{n}"), form_id(1000 + n));
                    let photo = &photos[n as usize % photos.len()];
                    match try_submit_booth(&base, &token, &key, &id, "1985-05-05", Some(photo)) {
                        Ok(r) if (200..300).contains(&r.status) => {
                            acked.lock().unwrap().push((key, id));
                            acks.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(r) => panic!(
                            "unexpected {}: {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        ),
                        Err(_) => return, // the server died under us
                    }
                }
            }));
        }
        // Kill once a few are acknowledged, while the others are in flight.
        let deadline = Instant::now() + Duration::from_secs(60);
        while acks.load(Ordering::SeqCst) < 8 {
            assert!(Instant::now() < deadline, "no acknowledgements");
            std::thread::sleep(Duration::from_millis(5));
        }
        s.kill9();
        for h in handles {
            h.join().expect("client thread");
        }
        let acked = acked.lock().unwrap().clone();
        let total = THREADS * PER_THREAD;
        assert!(
            acked.len() < total,
            "{backend:?}: the kill came too late to test anything"
        );
        eprintln!(
            "{backend:?}: {} of {total} acknowledged before kill -9",
            acked.len()
        );

        s.spawn();
        for (_, id) in &acked {
            assert_eq!(
                s.sql_i64(&format!("SELECT COUNT(*) FROM applications WHERE form_id = '{id}' AND photo_id IS NOT NULL")),
                1,
                "{backend:?}: acknowledged {id} lost"
            );
        }
        let check_consistent = |s: &Service| {
            let referenced: HashSet<String> = s
                .sql_strings("SELECT original_sha FROM photos UNION SELECT crop_sha FROM photos WHERE crop_sha IS NOT NULL")
                .into_iter()
                .collect();
            let on_disk = blobs_on_disk(s);
            let missing: Vec<_> = referenced.difference(&on_disk).collect();
            let orphans: Vec<_> = on_disk.difference(&referenced).collect();
            assert!(
                missing.is_empty(),
                "{backend:?}: rows without their photo: {missing:?}"
            );
            assert!(
                orphans.is_empty(),
                "{backend:?}: photos without a row: {orphans:?}"
            );
            assert_eq!(
                s.sql_i64("SELECT COUNT(*) FROM applications WHERE photo_id IS NULL"),
                0,
                "{backend:?}: an application without its photo"
            );
        };
        check_consistent(&s);

        // Every booth retries everything with the same keys: acknowledged ones replay, the rest
        // arrive now, and nothing is doubled.
        let acked_keys: HashSet<String> = acked.iter().map(|(k, _)| k.clone()).collect();
        for n in 0..total as u64 {
            let (key, id) = (format!("crash-{n}"), form_id(1000 + n));
            let photo = &photos[n as usize % photos.len()];
            let r = submit_booth(&s, &key, &id, "1985-05-05", Some(photo));
            assert!(
                (200..300).contains(&r.status),
                "{}",
                String::from_utf8_lossy(&r.body)
            );
            if acked_keys.contains(&key) {
                assert_eq!(r.header("Idempotent-Replayed"), Some("true"), "{key}");
            }
        }
        assert_eq!(s.sql_i64("SELECT COUNT(*) FROM applications"), total as i64);
        assert_eq!(
            s.sql_i64("SELECT COUNT(*) FROM audit_log WHERE to_state = 'registered'"),
            total as i64
        );
        check_consistent(&s);
    }
}

/// Defect 1: a blob written just before an `admin` command or a restart, whose row has not
/// committed yet, and another process's temp file in flight, both survive: nothing sweeps at
/// start or from a command; the sweep job leaves anything younger than the grace period.
#[test]
fn admin_commands_and_restarts_never_sweep_fresh_blobs() {
    let mut s = Service::start(Backend::Sqlite, "nosweep");
    let sha = "ab".repeat(32);
    let shard = s.data_dir.join("photos").join("ab");
    std::fs::create_dir_all(&shard).unwrap();
    let blob = shard.join(&sha);
    let temp = shard.join(format!(".{sha}.tmp-0123456789ab"));
    std::fs::write(&blob, b"a blob whose row is about to commit").unwrap();
    std::fs::write(&temp, b"half written by another process").unwrap();
    // Old enough for the former sweep ("older than this call") to take them.
    std::thread::sleep(Duration::from_millis(50));
    s.admin(&["booth", "list"], None);
    s.admin(&["purge"], None);
    s.kill9();
    s.spawn();
    // Let the sweep job run (it is due at start).
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.sql_i64("SELECT COUNT(*) FROM jobs WHERE kind = 'sweep' AND finished_at IS NOT NULL")
        == 0
    {
        assert!(Instant::now() < deadline, "the sweep job never ran");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(blob.exists(), "a fresh unreferenced blob was swept");
    assert!(
        temp.exists(),
        "another process's fresh temp file was removed"
    );
}
