//! The job table and forwarding, at the library level on SQLite and PostgreSQL: a job is
//! claimed by one worker only (also under concurrent claims), a worker that stops beating loses
//! its job to another, failures are counted and a one-off job gives up after its attempts,
//! singletons exist once; a batch with a missing crop holds that application back with a
//! message naming the file and the store while the others are forwarded; two instances
//! forwarding at once write each batch once.

#[path = "support/service.rs"]
mod service;

use std::collections::HashMap;
use std::sync::Arc;

use clap::Parser;
use mynumber_photo::config::Config;
use mynumber_photo::jobs::{self, Kind};
use mynumber_photo::office::Office;
use mynumber_photo::store::{now_ms, Db};
use service::{backends, fresh_postgres, postgres_admin_url, unique, Backend};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

fn config(dir: &std::path::Path, url: Option<&str>) -> Config {
    let mut args = vec![
        "x".to_string(),
        "--data-dir".into(),
        dir.display().to_string(),
        "--forward-batch".into(),
        "2".into(),
    ];
    if let Some(u) = url {
        args.extend(["--database-url".into(), u.to_string()]);
    }
    Cli::parse_from(args).config
}

fn setup(backend: Backend, tag: &str) -> (std::path::PathBuf, Option<String>) {
    let name = unique(tag);
    let dir = std::env::temp_dir().join(format!("mnp-jobs-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh_postgres(
            &postgres_admin_url().expect("PostgreSQL"),
            &name.to_lowercase(),
        )),
    };
    (dir, url)
}

fn run_on_backends(tag: &str, f: impl AsyncFn(Backend, std::path::PathBuf, Option<String>)) {
    for backend in backends() {
        let (dir, url) = setup(backend, tag);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(f(backend, dir.clone(), url));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn claims_leases_retries_and_singletons() {
    run_on_backends("jobs", async |backend, dir, url| {
        let office = Office::open(config(&dir, url.as_deref())).await.unwrap();
        let db: &Db = &office.db;
        // Singletons exist once, however many instances ensure them.
        for _ in 0..3 {
            jobs::ensure_singleton(db, Kind::Forward, now_ms() + 3_600_000)
                .await
                .unwrap();
        }
        assert_eq!(jobs::list(db).await.unwrap().len(), 1);

        // One worker gets a job; the other gets nothing while it runs.
        let id = jobs::enqueue(db, "test", "{}", 2).await.unwrap();
        let a = jobs::claim(db, "a").await.unwrap().expect("a claims");
        assert_eq!(a.id, id);
        assert!(jobs::claim(db, "b").await.unwrap().is_none());
        assert!(jobs::heartbeat(db, &id, "a").await.unwrap());
        // a stops beating: after the lease b takes it over, and a's heartbeat says so.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        assert_eq!(jobs::reclaim_stale(db, 10).await.unwrap(), 1);
        let b = jobs::claim(db, "b").await.unwrap().expect("b claims");
        assert_eq!((b.id.as_str(), b.attempts), (id.as_str(), 2));
        assert!(!jobs::heartbeat(db, &id, "a").await.unwrap());
        // A failure at the last attempt gives the one-off job up, with its error.
        jobs::finish(db, &b, "b", Err("boom".into()), now_ms())
            .await
            .unwrap();
        let row = jobs::list(db)
            .await
            .unwrap()
            .into_iter()
            .find(|j| j.kind == "test")
            .unwrap();
        assert_eq!(
            (row.state.as_str(), row.last_error.as_deref()),
            ("failed", Some("boom"))
        );

        // Many workers at once: every job is claimed exactly once.
        for _ in 0..30 {
            jobs::enqueue(db, "many", "{}", 1).await.unwrap();
        }
        let db = Arc::new(office.db.clone());
        let mut tasks = Vec::new();
        for w in 0..6 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(j) = jobs::claim(&db, &format!("w{w}")).await.unwrap() {
                    got.push(j.id);
                }
                got
            }));
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for t in tasks {
            for id in t.await.unwrap() {
                *seen.entry(id).or_default() += 1;
            }
        }
        assert_eq!(seen.len(), 30, "{backend:?}");
        assert!(
            seen.values().all(|n| *n == 1),
            "{backend:?}: a job claimed twice"
        );
    });
}

async fn exec(db: &Db, sql: &str) {
    sqlx::query(sql)
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[test]
fn a_missing_crop_holds_one_application_and_batches_are_written_once() {
    run_on_backends("fwd", async |_backend, dir, url| {
        let one = Office::open(config(&dir, url.as_deref())).await.unwrap();
        let two = Office::open(config(&dir, url.as_deref())).await.unwrap();
        let t = now_ms();
        // Nine accepted age-0 applications (no photo needed) and one whose crop is gone.
        for i in 0..9 {
            exec(
                &one.db,
                &format!(
                    "INSERT INTO applications (id, form_id, channel, state, completed_at, \
                     created_at, updated_at) VALUES ('a{i}', 'F{i}', 'booth', 'accepted', {t}, {t}, {t})"
                ),
            )
            .await;
        }
        let sha = "cd".repeat(32);
        exec(
            &one.db,
            &format!(
                "INSERT INTO applications (id, form_id, channel, state, photo_id, completed_at, \
                 created_at, updated_at) VALUES ('lost', 'F-lost', 'booth', 'auto_accepted', 'p', \
                 {t}, {t}, {})",
                t - 1000
            ),
        )
        .await;
        exec(
            &one.db,
            &format!(
                "INSERT INTO photos (id, application_id, original_sha, crop_sha, verdict, \
                 failing_rules, report, created_at) VALUES ('p', 'lost', NULL, '{sha}', 'accept', \
                 ',', '{{}}', {t})"
            ),
        )
        .await;
        // Two instances forward at the same time.
        let (one, two) = (Arc::new(one), Arc::new(two));
        let (r1, r2) = tokio::join!(
            mynumber_photo::forwarding::run_once(&one),
            mynumber_photo::forwarding::run_once(&two)
        );
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(r1.forwarded + r2.forwarded, 9, "{r1:?} {r2:?}");
        assert_eq!(r1.held + r2.held, 1);
        let hold: Option<String> =
            sqlx::query_scalar("SELECT forward_hold FROM applications WHERE id = 'lost'")
                .fetch_one(&one.db.pool)
                .await
                .unwrap();
        let hold = hold.expect("held back with a reason");
        assert!(
            hold.contains(&sha) && hold.contains("local folder"),
            "the message names the file and the store: {hold}"
        );
        // Each application in exactly one batch folder; no partial folder left.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for entry in std::fs::read_dir(dir.join("outbox")).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            assert!(!name.starts_with('.'), "partial folder left: {name}");
            let m: serde_json::Value =
                serde_json::from_slice(&std::fs::read(entry.path().join("manifest.json")).unwrap())
                    .unwrap();
            for a in m["applications"].as_array().unwrap() {
                *seen
                    .entry(a["form_id"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        assert_eq!(seen.len(), 9, "{seen:?}");
        assert!(seen.values().all(|n| *n == 1), "{seen:?}");
        assert!(!seen.contains_key("F-lost"));
    });
}

/// The runner of one instance: it creates the recurring jobs, runs them (the forward job's run
/// is recorded), and a job it cannot run is recorded as failed with its error while the loop
/// goes on running the others; without a usable mail transport only the mail job fails.
#[test]
fn the_runner_records_failures_and_lives_on() {
    run_on_backends("runner", async |_backend, dir, url| {
        let office = Arc::new(Office::open(config(&dir, url.as_deref())).await.unwrap());
        let bad = jobs::enqueue(&office.db, "no-such-kind", "{}", 1)
            .await
            .unwrap();
        let runner = Arc::new(jobs::Runner {
            office: office.clone(),
            transport: None,
            worker: "test-worker".into(),
            handlers: HashMap::new(),
        });
        let wake = Arc::new(tokio::sync::Notify::new());
        let handle = tokio::spawn(runner.run(wake));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let rows = jobs::list(&office.db).await.unwrap();
            let failed = rows
                .iter()
                .any(|j| j.kind == "no-such-kind" && j.state == "failed");
            let forward_ran: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'forward' AND finished_at IS NOT NULL \
                 AND last_error IS NULL",
            )
            .fetch_one(&office.db.pool)
            .await
            .unwrap();
            let mail_failed = rows
                .iter()
                .any(|j| j.kind == "mail" && j.last_error.is_some());
            if failed && forward_ran == 1 && mail_failed {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "runner did not get through: {rows:?} ({bad})"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(!handle.is_finished(), "the runner loop ended");
        handle.abort();
    });
}

/// What a store returning garbage does to a job that trusts it: an index past the end panics.
fn explode(job: jobs::Claimed) -> futures_util::future::BoxFuture<'static, Result<(), String>> {
    Box::pin(async move {
        let fields: Vec<&str> = job.payload.split(',').collect();
        Err(fields[5].to_string())
    })
}

/// A job that panics inside the real runner is recorded as that job's failure, with the
/// panic's message; the runner lives on and runs a job queued after the panic.
#[test]
fn a_panicking_job_fails_alone_and_the_runner_goes_on() {
    run_on_backends("panic", async |_backend, dir, url| {
        let office = Arc::new(Office::open(config(&dir, url.as_deref())).await.unwrap());
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut handlers: HashMap<String, jobs::JobFn> = HashMap::new();
        handlers.insert("explode".into(), Arc::new(explode));
        let counter = ran.clone();
        handlers.insert(
            "count".into(),
            Arc::new(move |_job| {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Box::pin(async { Ok(()) })
            }),
        );
        jobs::enqueue(&office.db, "explode", "{}", 1).await.unwrap();
        let runner = Arc::new(jobs::Runner {
            office: office.clone(),
            transport: None,
            worker: "test-worker".into(),
            handlers,
        });
        let handle = tokio::spawn(runner.run(Arc::new(tokio::sync::Notify::new())));
        let wait_for = async |kind: &str, state: &str| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            loop {
                let rows = jobs::list(&office.db).await.unwrap();
                if let Some(j) = rows.iter().find(|j| j.kind == kind && j.state == state) {
                    return j.clone();
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "no {kind} job {state}: {rows:?}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        };
        let failed = wait_for("explode", "failed").await;
        let error = failed.last_error.unwrap_or_default();
        assert!(
            error.starts_with("panicked: index out of bounds"),
            "the panic is the job's recorded error: {error}"
        );
        assert_eq!(failed.attempts, 1);
        // Queued after the panic: the same runner still claims and runs it.
        jobs::enqueue(&office.db, "count", "{}", 1).await.unwrap();
        wait_for("count", "done").await;
        assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(!handle.is_finished(), "the runner loop ended");
        handle.abort();
    });
}
