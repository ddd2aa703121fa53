//! The mail outbox's lease (issue 10, defect 7): several senders (instances, or one whose mail
//! job was taken over after a pause) working on one database against a slow SMTP server deliver
//! each mail exactly once. The lease of a claimed mail starts when it is claimed, not when the
//! sender read its batch: with the old lease the later mails of a batch were claimed with a
//! lease already expired, and another sender delivered them a second time.
//!
//! `the_last_mail_of_a_slow_batch_is_not_taken_over` fails deterministically on the old lease
//! (the third mail arrived twice); the three-sender test is the same race under load.
//!
//! The SMTP server is aiosmtpd with a handler that takes `DELAY` seconds per message and writes
//! each recipient to a file. Runs on SQLite and, when available, PostgreSQL.

#[path = "support/service.rs"]
mod service;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use mynumber_photo::config::Config;
use mynumber_photo::mail::Transport;
use mynumber_photo::office::Office;
use mynumber_photo::outbox;
use service::{backends, fresh_postgres, postgres_admin_url, unique, Backend};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

/// Seconds the server takes per message, and the lease the senders use (longer than one send,
/// shorter than a batch of `MAILS` sends).
const DELAY: f64 = 0.3;
const LEASE_MS: i64 = 1_500;
const MAILS: usize = 24;

const SLOW_SERVER: &str = r#"
import asyncio, sys, time
from aiosmtpd.controller import Controller
port, out, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
class Slow:
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(delay)
        with open(out, "a") as f:
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        return "250 OK"
c = Controller(Slow(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

fn aiosmtpd_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 cannot import aiosmtpd: run `pip install aiosmtpd` (needed by tests/mail_lease.rs)"
        );
        eprintln!("skipping: python3 cannot import aiosmtpd");
    }
    ok
}

struct SlowServer {
    child: Child,
    port: u16,
    delivered: PathBuf,
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SlowServer {
    fn start(dir: &Path, delay: f64) -> SlowServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let delivered = dir.join("delivered.txt");
        let script = dir.join("slow_smtp.py");
        std::fs::write(&script, SLOW_SERVER).unwrap();
        let log = std::fs::File::create(dir.join("smtp.log")).unwrap();
        let child = Command::new("python3")
            .arg(&script)
            .arg(port.to_string())
            .arg(&delivered)
            .arg(delay.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("python3 runs");
        let server = SlowServer {
            child,
            port,
            delivered,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the slow SMTP server did not start: {}",
                std::fs::read_to_string(dir.join("smtp.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// How often each recipient got a message.
    fn deliveries(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for line in std::fs::read_to_string(&self.delivered)
            .unwrap_or_default()
            .lines()
        {
            *m.entry(line.to_string()).or_default() += 1;
        }
        m
    }
}

fn config(dir: &Path, url: Option<&str>) -> Config {
    let mut args = vec![
        "x".to_string(),
        "--data-dir".into(),
        dir.display().to_string(),
    ];
    if let Some(u) = url {
        args.extend(["--database-url".into(), u.to_string()]);
    }
    Cli::parse_from(args).config
}

/// A scratch folder and, on PostgreSQL, a fresh database.
fn setup(backend: Backend, tag: &str) -> (PathBuf, Option<String>) {
    let name = unique(tag);
    let dir = std::env::temp_dir().join(format!("mnp-{name}"));
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

async fn enqueue(office: &Office, n: usize) {
    let mut conn = office.db.pool.acquire().await.unwrap();
    for i in 0..n {
        outbox::enqueue(
            &mut conn,
            None,
            "completion",
            &format!("r{i:02}@example.jp"),
            "subject",
            "body",
        )
        .await
        .unwrap();
    }
}

/// The deterministic case: one sender works through a batch of three against a server taking
/// a second per mail, with a lease of 1.5 s. It claims the third mail two seconds after it read
/// the batch; a second sender looks while that mail is being delivered. With a lease counted
/// from the batch's start that mail looked due again and was delivered twice.
#[test]
fn the_last_mail_of_a_slow_batch_is_not_taken_over() {
    if !aiosmtpd_available() {
        return;
    }
    for backend in backends() {
        let (dir, url) = setup(backend, "mailslow");
        let server = SlowServer::start(&dir, 1.0);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        let second_sent = rt.block_on(async {
            let a = Office::open(config(&dir, url.as_deref())).await.unwrap();
            let b = Office::open(config(&dir, url.as_deref())).await.unwrap();
            enqueue(&a, 3).await;
            let smtp = format!("smtp://127.0.0.1:{}", server.port);
            let ta = Transport::from_config(Some(&smtp), &dir.join("mail")).unwrap();
            let tb = Transport::from_config(Some(&smtp), &dir.join("mail")).unwrap();
            let first = tokio::spawn(async move {
                outbox::send_due_leased(&a.db, &ta, "office@example.jp", LEASE_MS)
                    .await
                    .unwrap()
            });
            // Wait until the first sender has claimed the last mail (two delivered, the third
            // claimed: its next attempt moved away from its creation).
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let claimed_last: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL \
                     AND next_attempt_at <> created_at",
                )
                .fetch_one(&b.db.pool)
                .await
                .unwrap();
                let sent = outbox::counts(&b.db).await.unwrap().sent;
                if sent == 2 && claimed_last == 1 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the first sender made no progress"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let second = outbox::send_due_leased(&b.db, &tb, "office@example.jp", LEASE_MS)
                .await
                .unwrap();
            assert_eq!(first.await.unwrap(), 3);
            second
        });
        let got = server.deliveries();
        assert_eq!(
            second_sent, 0,
            "{backend:?}: the second sender took over a mail being delivered: {got:?}"
        );
        assert_eq!(got.len(), 3, "{backend:?}: {got:?}");
        assert!(got.values().all(|n| *n == 1), "{backend:?}: {got:?}");
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn several_senders_deliver_each_mail_exactly_once() {
    if !aiosmtpd_available() {
        return;
    }
    for backend in backends() {
        let (dir, url) = setup(backend, "maillease");
        let server = SlowServer::start(&dir, DELAY);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            // Three instances on one database.
            let mut offices = Vec::new();
            for _ in 0..3 {
                offices.push(Office::open(config(&dir, url.as_deref())).await.unwrap());
            }
            enqueue(&offices[0], MAILS).await;
            let smtp = format!("smtp://127.0.0.1:{}", server.port);
            let mut tasks = Vec::new();
            for (n, office) in offices.into_iter().enumerate() {
                let transport = Transport::from_config(Some(&smtp), &dir.join("mail")).unwrap();
                tasks.push(tokio::spawn(async move {
                    // Staggered starts: a later sender reads rows the first has claimed.
                    tokio::time::sleep(Duration::from_millis(700 * n as u64)).await;
                    let deadline = Instant::now() + Duration::from_secs(60);
                    loop {
                        outbox::send_due_leased(
                            &office.db,
                            &transport,
                            "office@example.jp",
                            LEASE_MS,
                        )
                        .await
                        .unwrap();
                        if outbox::counts(&office.db).await.unwrap().pending == 0 {
                            break;
                        }
                        assert!(Instant::now() < deadline, "mail still pending after 60 s");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
        let got = server.deliveries();
        let twice: Vec<_> = got.iter().filter(|(_, n)| **n != 1).collect();
        assert!(
            twice.is_empty(),
            "{backend:?}: mails delivered more than once: {twice:?}"
        );
        assert_eq!(got.len(), MAILS, "{backend:?}: every mail delivered");
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
