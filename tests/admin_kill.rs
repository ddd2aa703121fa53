//! `admin forward` SIGKILLed mid-batch, again and again, while the service runs: nothing
//! acknowledged is lost and nothing is forwarded twice. Every acknowledged application ends up
//! forwarded once and named in exactly one batch folder once a run completes.

#[path = "support/service.rs"]
mod service;

use std::collections::HashMap;
use std::time::Duration;

use service::*;

#[test]
fn killed_admin_forward_loses_and_duplicates_nothing() {
    for backend in backends() {
        // The service's own forwarding waits an hour: only the admin commands forward.
        let s = Service::start_with(backend, "adminkill", &[("--forward-seconds", "3600")]);
        let dob = (chrono::Utc::now().date_naive() - chrono::Duration::days(100)).to_string();
        let mut acked = Vec::new();
        let (mut killed, mut mid_run) = (0, 0);
        // Rounds of ten new applications, each forwarded one per batch by an admin command
        // killed after a growing delay: at start-up, while claiming, writing batches or marking
        // them. The first delays are shorter than the command's start-up on any machine, so
        // some kill lands whatever the machine's speed; the later ones land mid-run on most.
        for (round, ms) in [1u64, 3, 6, 10, 15, 25, 40, 70, 120]
            .into_iter()
            .enumerate()
        {
            for k in 0..10 {
                let n = (round * 10 + k) as u64;
                let id = form_id(9_000 + n);
                let r = submit_booth(&s, &format!("k-{n}"), &id, &dob, None);
                assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
                acked.push(id);
            }
            let before = s.sql_i64("SELECT COUNT(*) FROM applications WHERE state = 'forwarded'");
            let mut child = s.admin_spawn(&["--forward-batch", "1", "forward"]);
            std::thread::sleep(Duration::from_millis(ms));
            let _ = child.kill();
            let status = child.wait().unwrap();
            let after = s.sql_i64("SELECT COUNT(*) FROM applications WHERE state = 'forwarded'");
            if !status.success() {
                killed += 1;
                if after > before {
                    mid_run += 1;
                }
            }
            eprintln!(
                "round {round}: killed after {ms} ms ({status}); {before} -> {after} forwarded"
            );
        }
        assert!(killed > 0, "no admin command was killed before it ended");
        eprintln!("{killed} killed, {mid_run} of them after forwarding a batch");
        let out = s.admin(&["--forward-batch", "2", "forward"], None);
        eprintln!("final run: {out}");
        // A claim left by a killed run is taken over after its lease; run until all are out.
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while s.sql_i64("SELECT COUNT(*) FROM applications WHERE state = 'forwarded'")
            < acked.len() as i64
        {
            assert!(
                std::time::Instant::now() < deadline,
                "not all forwarded: {}",
                s.admin(&["jobs"], None)
            );
            std::thread::sleep(Duration::from_millis(500));
            s.admin(&["--forward-batch", "2", "forward"], None);
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for entry in std::fs::read_dir(s.data_dir.join("outbox"))
            .unwrap()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue; // a killed writer's partial folder: not a batch
            }
            let m: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.path().join("manifest.json")).unwrap())
                    .unwrap();
            for a in m["applications"].as_array().unwrap() {
                *seen
                    .entry(a["form_id"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        for id in &acked {
            assert_eq!(seen.get(id), Some(&1), "{backend:?} {id}: {seen:?}");
            assert_eq!(
                s.sql_i64(&format!(
                    "SELECT COUNT(*) FROM applications WHERE form_id = '{id}' \
                     AND state = 'forwarded'"
                )),
                1
            );
        }
        assert_eq!(seen.len(), acked.len(), "{seen:?}");
    }
}
