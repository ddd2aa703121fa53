//! Mail delivery end to end: a real SMTP server (aiosmtpd, a separate process started by each
//! test) and the `.eml` folder. Messages are decoded with Python's `email` package, an
//! independent MIME parser, so a wrongly encoded subject or body shows up here.
//!
//! Needs `pip install aiosmtpd` for the SMTP tests: without it they fail under CI and are
//! skipped (with a note on stderr) elsewhere.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mynumber_photo::mail::templates::{self, Lang};
use mynumber_photo::mail::{Mail, MailError, Transport};
use serde_json::Value;

const FROM: &str = "写真確認サービス <noreply@photo.example.jp>";
/// Longer than any test needs, shorter than lettre's 60 s default, so a stuck server fails
/// the test quickly.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// True when the SMTP tests can run. Under CI a missing aiosmtpd is a failure, not a skip,
/// so a CI image without it cannot pass unnoticed.
fn aiosmtpd_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("python3 cannot import aiosmtpd: run `pip install aiosmtpd` (needed by tests/mail_smtp.rs)");
    }
    eprintln!("skipping: python3 cannot import aiosmtpd; `pip install aiosmtpd` to run this test");
    false
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A fresh folder under cargo's per-target scratch space; left behind for inspection.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("mail_smtp")
        .join(format!("{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[derive(Clone, Copy)]
enum Handler {
    /// Stock aiosmtpd with its Mailbox handler: messages land in a maildir (`new/`).
    Mailbox,
    /// scripts/smtp-sink.py: `N.eml` files; rejects "reject*" with 550 and "busy*" with 451.
    Sink,
}

/// A running SMTP server; killed on drop, so also when a test panics.
struct Server {
    child: Child,
    port: u16,
    handler: Handler,
    /// Where the server stores messages.
    store: PathBuf,
    /// The server's stdout and stderr.
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(handler: Handler, name: &str) -> Server {
        let dir = scratch_dir(name);
        let store = dir.join("store");
        let log = dir.join("server.log");
        // The port is free when chosen but could be taken before the server binds it; a
        // server that exits at once gets another port.
        for _ in 0..3 {
            let port = free_port();
            let mut cmd = Command::new("python3");
            match handler {
                Handler::Mailbox => cmd
                    .args(["-m", "aiosmtpd", "-n", "-l"])
                    .arg(format!("127.0.0.1:{port}"))
                    .args(["-c", "aiosmtpd.handlers.Mailbox"])
                    .arg(&store),
                Handler::Sink => cmd
                    .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/smtp-sink.py"))
                    .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--dir"])
                    .arg(&store),
            };
            let out = fs::File::create(&log).unwrap();
            let child = cmd
                .stdin(Stdio::null())
                .stdout(out.try_clone().unwrap())
                .stderr(out)
                .spawn()
                .expect("python3 runs");
            let mut server = Server {
                child,
                port,
                handler,
                store: store.clone(),
                log: log.clone(),
            };
            if server.wait_ready() {
                return server;
            }
        }
        panic!(
            "the SMTP server did not start; its log:\n{}",
            fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Waits until the port accepts connections; false if the server exited first.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the SMTP server did not listen on port {} within 15 s; its log:\n{}",
            self.port,
            fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The stored messages, sorted.
    fn messages(&self) -> Vec<PathBuf> {
        let dir = match self.handler {
            Handler::Mailbox => self.store.join("new"),
            Handler::Sink => self.store.clone(),
        };
        list_files(&dir, |p| match self.handler {
            Handler::Mailbox => true,
            Handler::Sink => p.extension().is_some_and(|e| e == "eml"),
        })
    }
}

fn list_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && keep(p))
        .collect();
    files.sort();
    files
}

/// Decodes a stored message with Python's `email` package (RFC 2047 subject, QP/base64 body).
fn parse_message(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import email, json, sys
from email import policy
with open(sys.argv[1], "rb") as f:
    raw = f.read()
m = email.message_from_bytes(raw, policy=policy.default)
body = m.get_body(preferencelist=("plain",))
print(json.dumps({
    "subject": str(m["subject"]),
    "from": str(m["from"]),
    "to": str(m["to"]),
    "date": m["date"] is not None,
    "message_id": str(m["message-id"] or ""),
    "content_type": m.get_content_type(),
    "charset": m.get_content_charset(),
    "transfer_encoding": str(m["content-transfer-encoding"] or ""),
    "x_rcptto": str(m["x-rcptto"] or ""),
    "body": body.get_content() if body is not None else None,
    "ascii_only": all(b < 128 for b in raw),
    "defects": [repr(d) for part in m.walk() for d in part.defects],
}, ensure_ascii=False))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python could not parse {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Checks the headers every message must have and returns the decoded body.
fn check_common(parsed: &Value, to: &str, subject: &str) -> String {
    assert_eq!(parsed["defects"], Value::Array(vec![]), "{parsed:#}");
    assert_eq!(parsed["subject"], subject, "{parsed:#}");
    assert_eq!(parsed["to"], to, "{parsed:#}");
    let from = parsed["from"].as_str().unwrap();
    assert!(from.contains("<noreply@photo.example.jp>"), "{from}");
    assert!(from.starts_with("写真確認サービス"), "{from}");
    assert_eq!(parsed["date"], true, "{parsed:#}");
    let id = parsed["message_id"].as_str().unwrap();
    assert!(
        id.starts_with('<') && id.ends_with("@photo.example.jp>"),
        "{id}"
    );
    assert_eq!(parsed["content_type"], "text/plain", "{parsed:#}");
    assert_eq!(parsed["charset"], "utf-8", "{parsed:#}");
    // Non-ASCII travels encoded: no server needs SMTPUTF8 or 8BITMIME.
    assert_eq!(parsed["ascii_only"], true, "{parsed:#}");
    parsed["body"].as_str().unwrap().replace("\r\n", "\n")
}

async fn send(transport: &Transport, mail: &Mail) -> Result<(), MailError> {
    tokio::time::timeout(SEND_TIMEOUT, transport.send(FROM, mail))
        .await
        .expect("send finished within the timeout")
}

#[tokio::test]
async fn japanese_link_mail_reaches_a_real_smtp_server() {
    if !aiosmtpd_available() {
        return;
    }
    let server = Server::start(Handler::Mailbox, "link");
    let url = "https://photo.example.jp/apply/tok_Zx9-AbC123";
    let expires = Utc.with_ymd_and_hms(2026, 11, 21, 9, 30, 0).unwrap();
    let (subject, body) = templates::link_mail(Lang::Ja, "山田 太郎", url, expires);
    let mail = Mail {
        to: "taro.yamada@example.jp".into(),
        subject: subject.clone(),
        body: body.clone(),
    };
    // The .eml folder is not used (nor created) when SMTP is configured.
    let unused = server.store.with_file_name("unused-eml");
    let transport = Transport::from_config(Some(&server.url()), &unused).unwrap();
    assert_eq!(
        transport.describe(),
        format!("smtp 127.0.0.1:{}", server.port)
    );
    send(&transport, &mail).await.unwrap();

    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let parsed = parse_message(&messages[0]);
    assert_eq!(parsed["x_rcptto"], "taro.yamada@example.jp", "{parsed:#}");
    let got = check_common(&parsed, "taro.yamada@example.jp", &subject);
    assert!(subject.contains("申請用リンク"), "{subject}");
    assert!(got.starts_with("山田 太郎 様\n"), "{got}");
    assert!(got.contains(&format!("\n{url}\n")), "{got}");
    assert!(got.contains("有効期限：2026-11-21 18:30 JST まで"), "{got}");
    assert!(got.contains("1回だけ使えます"), "{got}");
    assert_eq!(got.trim_end(), body.trim_end());
    assert!(!unused.exists());
}

#[tokio::test]
async fn eml_folder_gets_a_parseable_file() {
    let dir = scratch_dir("eml").join("outbox");
    let transport = Transport::from_config(None, &dir).unwrap();
    assert!(dir.is_dir());
    assert_eq!(
        transport.describe(),
        format!("eml files in {}", dir.display())
    );
    let reasons = vec![
        ("P9".to_string(), "The face is too small.".to_string()),
        (
            "P3".to_string(),
            "There is a shadow behind you.".to_string(),
        ),
    ];
    let (subject, body) = templates::retake_mail(
        Lang::En,
        "Yamada Taro",
        &reasons,
        Some("Please face the camera."),
        Some("https://photo.example.jp/retake/q1"),
    );
    let mail = Mail {
        to: "taro@example.jp".into(),
        subject: subject.clone(),
        body,
    };
    send(&transport, &mail).await.unwrap();

    let files = list_files(&dir, |p| p.extension().is_some_and(|e| e == "eml"));
    assert_eq!(files.len(), 1, "{files:?}");
    let parsed = parse_message(&files[0]);
    let got = check_common(&parsed, "taro@example.jp", &subject);
    assert!(
        got.contains("- P9: The face is too small.\n- P3: There is a shadow behind you.\n"),
        "{got}"
    );
    assert!(got.contains("【日本語】"), "{got}");
}

#[tokio::test]
async fn connection_refused_is_transient() {
    // Nothing listens on a port just freed.
    let port = free_port();
    let transport = Transport::from_config(
        Some(&format!("smtp://127.0.0.1:{port}")),
        Path::new("unused"),
    )
    .unwrap();
    let mail = Mail {
        to: "hanako@example.jp".into(),
        subject: "テスト".into(),
        body: "本文".into(),
    };
    let err = send(&transport, &mail).await.unwrap_err();
    assert!(matches!(err, MailError::Smtp { code: None, .. }), "{err:?}");
    assert!(!err.is_permanent(), "{err}");
    assert!(!err.to_string().contains("hanako"), "{err}");
}

#[tokio::test]
async fn rejected_recipient_550_is_permanent() {
    if !aiosmtpd_available() {
        return;
    }
    let server = Server::start(Handler::Sink, "reject");
    let transport = Transport::from_config(Some(&server.url()), Path::new("unused")).unwrap();
    let (subject, body) = templates::accepted_mail(Lang::Ja, "山田 太郎", "0123");
    let mut mail = Mail {
        to: "reject.me@example.jp".into(),
        subject,
        body,
    };
    let err = send(&transport, &mail).await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_eq!(err.smtp_code(), Some(550), "{err:?}");
    // The server quotes the address in its reply; the error must not pass it on.
    assert!(!format!("{err} {err:?}").contains("reject.me"), "{err:?}");
    assert!(server.messages().is_empty());

    // The same server takes other recipients: the rejection was about the address.
    mail.to = "hanako@example.jp".into();
    send(&transport, &mail).await.unwrap();
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn deferred_recipient_451_is_transient() {
    if !aiosmtpd_available() {
        return;
    }
    let server = Server::start(Handler::Sink, "busy");
    let transport = Transport::from_config(Some(&server.url()), Path::new("unused")).unwrap();
    let mail = Mail {
        to: "busy@example.jp".into(),
        subject: "テスト".into(),
        body: "本文".into(),
    };
    let err = send(&transport, &mail).await.unwrap_err();
    assert!(!err.is_permanent(), "{err:?}");
    assert_eq!(err.smtp_code(), Some(451), "{err:?}");
    assert!(server.messages().is_empty());
}
