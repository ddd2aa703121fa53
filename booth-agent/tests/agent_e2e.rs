//! The booth agent against the real service, as processes: a frame folder (noise, the form's
//! QR code, then faces), an answers file, and the service's own database to check that the
//! application arrived, with its photo, exactly once. Also with the service down for the first
//! attempts, and with the agent killed between capture and acknowledgement.
//!
//! The service binary is `<target>/debug/mynumber-photo`; `cargo test --workspace` builds it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use qrcode::QrCode;
use serde_json::Value;

const AGENT: &str = env!("CARGO_BIN_EXE_booth-agent");
const DOB: &str = "1990-04-01";

/// The e2e tests each run a service and an agent, both loading the models: one at a time on
/// a small machine.
static SERIAL: Mutex<()> = Mutex::new(());

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn service_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let bin = target.join("debug").join("mynumber-photo");
    assert!(
        bin.exists(),
        "the service binary {} is missing: build it first (`cargo build -p mynumber-photo`, \
         or run `cargo test --workspace`, which builds it)",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn temp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("booth-e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The real service: its data folder, a booth token, and (once started) its process.
struct Service {
    data_dir: PathBuf,
    port: u16,
    token: String,
    child: Option<Child>,
}

impl Service {
    /// Prepared (database and booth token) but not yet listening.
    fn prepare(tag: &str) -> Service {
        let data_dir = temp(&format!("{tag}-service"));
        let out = Command::new(service_bin())
            .arg("admin")
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["booth", "add", "booth-e2e"])
            .stdin(Stdio::null())
            .output()
            .expect("admin booth add");
        assert!(
            out.status.success(),
            "booth add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Service {
            data_dir,
            port: free_port(),
            token: String::from_utf8_lossy(&out.stdout).trim().to_string(),
            child: None,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) {
        let log = std::fs::File::create(self.data_dir.join("service.log")).expect("log");
        self.child = Some(
            Command::new(service_bin())
                .arg("serve")
                .arg("--data-dir")
                .arg(&self.data_dir)
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", self.port))
                .arg("--models")
                .arg(root().join("models"))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("spawn the service"),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if http_get(&format!("{}/healthz", self.base())).is_some_and(|(s, _)| s == 200) {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("service exited at start ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "service did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("service.log")).unwrap_or_default()
    }

    fn sql_i64(&self, sql: &str, bind: &str) -> i64 {
        let url = format!(
            "sqlite://{}?mode=ro",
            self.data_dir.join("mynumber-photo.db").display()
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
            let v: i64 = sqlx::query_scalar(sql)
                .bind(bind)
                .fetch_one(&pool)
                .await
                .expect(sql);
            pool.close().await;
            v
        })
    }

    /// Applications with this form ID, photos stored for them, and idempotency records.
    fn arrived(&self, form_id: &str) -> (i64, i64, i64) {
        (
            self.sql_i64(
                "SELECT COUNT(*) FROM applications WHERE form_id = ?",
                form_id,
            ),
            self.sql_i64(
                "SELECT COUNT(*) FROM photos p JOIN applications a ON p.application_id = a.id
                 WHERE a.form_id = ? AND a.photo_id = p.id",
                form_id,
            ),
            self.sql_i64(
                // Each test has its own service: every record is this application's.
                "SELECT COUNT(*) FROM idempotency WHERE ? IS NOT NULL",
                form_id,
            ),
        )
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if std::thread::panicking() {
            eprintln!("service log:\n{}", self.log());
        } else {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

fn http_get(url: &str) -> Option<(u16, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut r = agent.get(url).call().ok()?;
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().ok()?;
    Some((status, body))
}

// ---------------------------------------------------------------------------------------------
// Frames.

fn form_id(n: u64) -> String {
    format!("{:023}", 31_000_000_000_000_000_000_000u128 + n as u128)
}

fn noise_frame(seed: u32) -> RgbImage {
    let mut s = seed | 1;
    RgbImage::from_fn(1280, 720, |_, _| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        Rgb([s as u8, (s >> 8) as u8, (s >> 16) as u8])
    })
}

/// The form's QR code held up to the camera: 8 px modules on white paper, in a 1280x720 frame.
fn qr_frame(id: &str) -> RgbImage {
    let code = QrCode::new(id.as_bytes()).expect("qr");
    let qr = code
        .render::<image::Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    let mut frame = RgbImage::from_pixel(1280, 720, Rgb([90, 90, 90]));
    let (x0, y0) = (
        (1280 - qr.width().min(1280)) / 2,
        (720 - qr.height().min(720)) / 2,
    );
    for (x, y, p) in qr.enumerate_pixels() {
        if x0 + x < 1280 && y0 + y < 720 {
            frame.put_pixel(x0 + x, y0 + y, Rgb([p[0]; 3]));
        }
    }
    frame
}

fn hopper_frame() -> RgbImage {
    let img = image::open(root().join("sample-photos/bad_grace_hopper_hat_glasses.jpg"))
        .expect("sample photo")
        .to_rgb8();
    image::imageops::resize(
        &img,
        img.width() * 2,
        img.height() * 2,
        image::imageops::FilterType::Triangle,
    )
}

/// `BOOTH_E2E_NO_DEV_PHOTOS=1` exercises the branch taken where the dev photos are absent.
fn dev_photo() -> Option<PathBuf> {
    if std::env::var_os("BOOTH_E2E_NO_DEV_PHOTOS").is_some() {
        return None;
    }
    let p = root().join("../shared/photos/dev/canada_003f.jpg");
    p.exists().then_some(p)
}

/// noise, noise, the QR code, then faces: nobody yet (noise), the rejected sample at its own
/// size (too small: "come closer"), the rejected sample at twice the size (ready, captured,
/// rejected in full: a retake), and the compliant dev photo when present (otherwise the
/// rejected sample four more times: the retakes run out and the person chooses).
fn frame_folder(dir: &Path, id: &str, with_compliant: bool) {
    std::fs::create_dir_all(dir).expect("frames dir");
    let save = |name: &str, img: &RgbImage| img.save(dir.join(name)).expect("save frame");
    save("f00.png", &noise_frame(7));
    save("f01.png", &noise_frame(11));
    save("f02.png", &qr_frame(id));
    save("f03.png", &noise_frame(13));
    std::fs::copy(
        root().join("sample-photos/bad_grace_hopper_hat_glasses.jpg"),
        dir.join("f04.jpg"),
    )
    .expect("copy sample");
    let hopper = hopper_frame();
    save("f05.jpg", &hopper);
    match (with_compliant, dev_photo()) {
        (true, Some(p)) => {
            std::fs::copy(p, dir.join("f06.jpg")).expect("copy dev photo");
        }
        _ => {
            for i in 6..10 {
                save(&format!("f{i:02}.jpg"), &hopper);
            }
        }
    }
}

fn answers(dir: &Path) -> PathBuf {
    let p = dir.join("answers.toml");
    std::fs::write(
        &p,
        format!(
            "date_of_birth = \"{DOB}\"\ncertificates = \"yes\"\nbraille = false\n\
             after_retakes = \"submit_best\"\ncoins = [500, 100, 100, 100]\n"
        ),
    )
    .expect("answers");
    p
}

// ---------------------------------------------------------------------------------------------
// The agent process.

struct Agent {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<Value>,
    /// stdout lines that are not JSON (there must be none).
    not_json: Vec<String>,
    stderr: std::sync::Arc<Mutex<String>>,
}

impl Agent {
    fn run(frames: &Path, answers: &Path, base: &str, token: &str, data_dir: &Path) -> Agent {
        Agent::spawn(
            frames,
            &["--answers".as_ref(), answers.as_os_str()],
            base,
            token,
            data_dir,
        )
    }

    fn spawn(
        frames: &Path,
        items: &[&std::ffi::OsStr],
        base: &str,
        token: &str,
        data_dir: &Path,
    ) -> Agent {
        let mut child = Command::new(AGENT)
            .arg("run")
            .arg("--frames")
            .arg(frames)
            .args(items)
            .args(["--service", base, "--token", token])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--models")
            .arg(root().join("models"))
            .args(["--retry-base-ms", "300", "--retry-max-ms", "1500"])
            .args(["--receipt-wait-secs", "30", "--drain-secs", "120"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the agent");
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let stderr = std::sync::Arc::new(Mutex::new(String::new()));
        let collected = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("agent stderr| {line}");
                if let Ok(mut s) = collected.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Agent {
            child,
            lines,
            seen: Vec::new(),
            not_json: Vec::new(),
            stderr,
        }
    }

    /// Reads events until one matches; panics after `secs`.
    fn wait_for(&mut self, secs: u64, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    eprintln!("agent| {line}");
                    match serde_json::from_str::<Value>(&line) {
                        Ok(v) => {
                            self.seen.push(v.clone());
                            if pred(&v) {
                                return v;
                            }
                        }
                        Err(_) => self.not_json.push(line),
                    }
                }
                Err(_) => panic!(
                    "no {what} from the agent within {secs} s; saw {:?}",
                    self.seen
                ),
            }
        }
    }

    fn finish(mut self, secs: u64) -> (std::process::ExitStatus, Vec<Value>) {
        let _ = self.wait_for(secs, "end of the session", |v| {
            v["event"] == "drained" || v["event"] == "left_in_queue"
        });
        let status = self.child.wait().expect("agent exit");
        // Drain what remains of stdout.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(2)) {
            match serde_json::from_str::<Value>(&line) {
                Ok(v) => self.seen.push(v),
                Err(_) => self.not_json.push(line),
            }
        }
        // stdout is one JSON line per step, and a run ends without the sender tripping over
        // a closed queue.
        assert!(
            self.not_json.is_empty(),
            "stdout lines that are not JSON: {:?}",
            self.not_json
        );
        let stderr = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        assert!(!stderr.contains("closed pool"), "stderr: {stderr}");
        (status, std::mem::take(&mut self.seen))
    }
}

fn is_receipt(v: &Value) -> bool {
    v["event"] == "receipt"
}

fn booth_cmd(args: &[&str], data_dir: &Path) -> (bool, String) {
    let out = Command::new(AGENT)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("booth-agent");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    eprintln!(
        "booth-agent {args:?}:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn queue_status(data_dir: &Path) -> Value {
    let (ok, text) = booth_cmd(&["status", "--json"], data_dir);
    assert!(ok, "status failed");
    serde_json::from_str(text.trim()).expect("status JSON")
}

// ---------------------------------------------------------------------------------------------

#[test]
fn a_session_reaches_the_service_with_its_photo_after_a_retake() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("session");
    let id = form_id(1);
    frame_folder(&dir.join("frames"), &id, true);
    let mut service = Service::prepare("session");
    service.start();

    let mut agent = Agent::run(
        &dir.join("frames"),
        &answers(&dir),
        &service.base(),
        &service.token,
        &dir.join("booth"),
    );
    let receipt = agent.wait_for(240, "receipt", is_receipt);
    let (status, events) = agent.finish(60);
    assert!(status.success(), "agent exit {status}");
    let of = |name: &str| -> Vec<&Value> { events.iter().filter(|v| v["event"] == name).collect() };

    // The QR code was read on the third frame, after two frames of noise.
    let form = of("form_id");
    assert_eq!(form.len(), 1);
    assert_eq!(form[0]["frame"], "f02.png");
    assert_eq!(form[0]["form_id_tail"], id[id.len() - 4..]);
    assert_eq!(of("paid")[0]["payment"]["price_yen"], 800);

    // Guidance: one instruction at a time, in priority order, each shown once.
    let instructions: Vec<(&str, &str)> = of("instruction")
        .iter()
        .map(|v| {
            (
                v["frame"].as_str().unwrap_or(""),
                v["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(instructions[0], ("f03.png", "P1"), "{instructions:?}");
    assert_eq!(instructions[1].0, "f04.jpg");
    assert!(
        ["F4", "P7"].contains(&instructions[1].1),
        "{instructions:?}"
    );
    assert!(of("instruction")
        .iter()
        .all(|v| !v["ja"].as_str().unwrap_or("").is_empty() && v["precheck_ms"].is_number()));

    // The big rejected sample was captured, fully vetted, rejected: a retake.
    let captures = of("captured");
    assert_eq!(captures[0]["frame"], "f05.jpg");
    assert_eq!(captures[0]["verdict"], "reject");
    assert_eq!(captures[0]["attempt"], 1);
    if dev_photo().is_some() {
        assert_eq!(captures.len(), 2, "{captures:?}");
        assert_eq!(captures[1]["frame"], "f06.jpg");
        assert_ne!(captures[1]["verdict"], "reject");
        assert!(of("person_chooses").is_empty());
        assert_eq!(receipt["receipt"]["photo_verdict"], captures[1]["verdict"]);
    } else {
        eprintln!(
            "skipped the compliant-photo part: ../shared/photos/dev is absent; \
             checking the retake path and the person's choice instead"
        );
        assert_eq!(captures.len(), 4, "one capture and three retakes");
        assert_eq!(of("person_chooses")[0]["choice"], "submit_best");
    }
    assert_eq!(receipt["receipt"]["delivery"], "sent");
    assert_eq!(receipt["receipt"]["form_id_tail"], id[id.len() - 4..]);

    // Stored, with its photo, once.
    let (apps, photos, _) = service.arrived(&id);
    assert_eq!((apps, photos), (1, 1));
    let (code, body) = http_get(&format!(
        "{}/api/v1/status?form_id={id}&date_of_birth={DOB}",
        service.base()
    ))
    .expect("status");
    assert_eq!(code, 200, "{body}");
    let st: Value = serde_json::from_str(&body).expect("status JSON");
    assert!(st["state"].is_string(), "{st}");
    assert_eq!(queue_status(&dir.join("booth"))["length"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_the_service_down_at_first_the_application_arrives_once_when_it_is_back() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("down");
    let id = form_id(2);
    frame_folder(&dir.join("frames"), &id, true);
    let mut service = Service::prepare("down");

    let mut agent = Agent::run(
        &dir.join("frames"),
        &answers(&dir),
        &service.base(),
        &service.token,
        &dir.join("booth"),
    );
    let receipt = agent.wait_for(240, "receipt", is_receipt);
    assert_eq!(receipt["receipt"]["delivery"], "will_be_sent");
    // Down for the first attempts: wait for a few failures, see them in `status`.
    for n in 2..=3 {
        agent.wait_for(30, "failed attempt", |v| {
            v["event"] == "attempt"
                && v["attempt"]["result"] == "transient"
                && v["attempt"]["attempts"] == n
        });
    }
    let st = queue_status(&dir.join("booth"));
    let (_, text) = booth_cmd(&["status"], &dir.join("booth"));
    assert!(
        text.contains("1 pending") && text.contains(&format!("****{}", &id[id.len() - 4..])),
        "{text}"
    );
    assert!(!text.contains(&id));
    assert_eq!(st["length"], 1);
    assert_eq!(st["items"][0]["state"], "pending");
    assert_eq!(st["items"][0]["form_id_tail"], id[id.len() - 4..]);
    assert!(
        !st.to_string().contains(&id),
        "status must not show the full form ID"
    );
    assert!(st["oldest_age_seconds"].as_i64().is_some());

    service.start();
    let (status, events) = agent.finish(120);
    assert!(status.success());
    let acks: Vec<&Value> = events
        .iter()
        .filter(|v| v["event"] == "attempt" && v["attempt"]["result"] == "acknowledged")
        .collect();
    assert_eq!(acks.len(), 1, "{acks:?}");
    assert_eq!(service.arrived(&id).0, 1);
    assert_eq!(service.arrived(&id).1, 1);
    assert_eq!(queue_status(&dir.join("booth"))["length"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_agent_killed_before_the_acknowledgement_sends_after_restart_exactly_once() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("kill");
    let booth = dir.join("booth");
    let id = form_id(3);
    frame_folder(&dir.join("frames"), &id, true);
    let mut service = Service::prepare("kill");

    // Service not reachable yet: captured and queued, never acknowledged; then SIGKILL.
    let mut agent = Agent::run(
        &dir.join("frames"),
        &answers(&dir),
        &service.base(),
        &service.token,
        &booth,
    );
    let receipt = agent.wait_for(240, "receipt", is_receipt);
    assert_eq!(receipt["receipt"]["delivery"], "will_be_sent");
    agent.child.kill().expect("SIGKILL");
    let _ = agent.child.wait();
    assert_eq!(queue_status(&booth)["pending"], 1);

    service.start();
    let base = service.base();
    let (ok, _) = booth_cmd(
        &["send", "--service", &base, "--token", &service.token],
        &booth,
    );
    assert!(ok, "send left items pending");
    assert_eq!(service.arrived(&id).0, 1);
    assert_eq!(service.arrived(&id).1, 1);
    assert_eq!(queue_status(&booth)["length"], 0);
    // Sending again has nothing to send.
    let (ok, text) = booth_cmd(
        &["send", "--service", &base, "--token", &service.token],
        &booth,
    );
    assert!(ok && text.contains("\"attempted\":0"), "{text}");
    assert_eq!(service.arrived(&id).0, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crash_after_the_service_answered_is_replayed_not_duplicated() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("replay");
    let booth = dir.join("booth");
    let id = form_id(4);
    frame_folder(&dir.join("frames"), &id, true);
    let mut service = Service::prepare("replay");
    service.start();

    // The worst moment: the service stored the application, the booth dies before recording
    // the acknowledgement.
    let out = Command::new(AGENT)
        .arg("run")
        .arg("--frames")
        .arg(dir.join("frames"))
        .arg("--answers")
        .arg(answers(&dir))
        .args(["--service", &service.base(), "--token", &service.token])
        .arg("--data-dir")
        .arg(&booth)
        .arg("--models")
        .arg(root().join("models"))
        .env("BOOTH_AGENT_FAULT", "after_response")
        .output()
        .expect("agent");
    assert_eq!(
        out.status.code(),
        Some(99),
        "the fault point was not reached"
    );
    assert_eq!(service.arrived(&id).0, 1);
    assert_eq!(queue_status(&booth)["pending"], 1);

    let (ok, text) = booth_cmd(
        &[
            "send",
            "--service",
            &service.base(),
            "--token",
            &service.token,
        ],
        &booth,
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("(replayed)"),
        "the retry must be a replay: {text}"
    );
    assert_eq!(service.arrived(&id), (1, 1, 1));
    assert_eq!(queue_status(&booth)["length"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_refused_application_stays_in_the_queue_marked_failed() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("refused");
    let booth = dir.join("booth");
    let id = form_id(5);
    frame_folder(&dir.join("frames"), &id, true);
    let mut service = Service::prepare("refused");
    service.start();

    let mut agent = Agent::run(
        &dir.join("frames"),
        &answers(&dir),
        &service.base(),
        "not-a-booth-token",
        &booth,
    );
    let receipt = agent.wait_for(240, "receipt", is_receipt);
    // Refused for good: the slip does not promise it will be sent; it sends the person to the
    // staff.
    assert_eq!(receipt["receipt"]["delivery"], "not_sent");
    let text = receipt["text"].as_str().unwrap_or("");
    assert!(
        text.contains("Not sent") && text.contains("staff"),
        "{text}"
    );
    assert!(!text.contains("connection is back"), "{text}");
    let (status, events) = agent.finish(60);
    assert!(status.success());
    assert!(events
        .iter()
        .any(|v| v["event"] == "attempt" && v["attempt"]["result"] == "failed"));
    let st = queue_status(&booth);
    assert_eq!(
        (st["length"].as_i64(), st["failed"].as_i64()),
        (Some(1), Some(1))
    );
    assert!(st["items"][0]["last_error"]
        .as_str()
        .is_some_and(|e| e.contains("401")));
    assert_eq!(service.arrived(&id).0, 0);

    // The operator fixes the token and retries the failed item explicitly.
    let (ok, _) = booth_cmd(
        &[
            "send",
            "--include-failed",
            "--service",
            &service.base(),
            "--token",
            &service.token,
        ],
        &booth,
    );
    assert!(ok);
    assert_eq!(service.arrived(&id).0, 1);
    assert_eq!(queue_status(&booth)["length"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn http_post_form(url: &str, body: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(body)
        .expect("kiosk POST");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

#[test]
fn the_kiosk_page_takes_the_items_in_japanese_and_english() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("kiosk");
    let id = form_id(6);
    frame_folder(&dir.join("frames"), &id, true);
    let mut service = Service::prepare("kiosk");
    service.start();

    let mut agent = Agent::spawn(
        &dir.join("frames"),
        &[
            "--kiosk".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--coins".as_ref(),
            "1000".as_ref(),
        ],
        &service.base(),
        &service.token,
        &dir.join("booth"),
    );
    let kiosk = agent.wait_for(120, "kiosk page", |v| v["event"] == "kiosk");
    let url = kiosk["url"].as_str().expect("url").to_string();
    let (code, page) = http_get(&url).expect("kiosk page");
    assert_eq!(code, 200);
    assert!(page.contains("生年月日") && page.contains("Date of birth"));
    assert!(page.contains(&format!("****{}", &id[id.len() - 4..])));
    assert!(
        !page.contains(&id),
        "the page must not show the whole form ID"
    );

    // A date in the future is refused on the page, in both languages.
    let (code, page) = http_post_form(
        &format!("{url}answers"),
        "date_of_birth=2999-01-01&certificates=yes&braille=no&exception_reason=",
    );
    assert_eq!(code, 422);
    assert!(page.contains("class=\"err\""), "{page}");
    let (code, _) = http_post_form(
        &format!("{url}answers"),
        &format!("date_of_birth={DOB}&certificates=no&braille=yes&exception_reason="),
    );
    assert_eq!(code, 200);

    let receipt = agent.wait_for(240, "receipt", is_receipt);
    assert_eq!(receipt["receipt"]["delivery"], "sent");
    let (status, events) = agent.finish(60);
    assert!(status.success());
    let paid = events.iter().find(|v| v["event"] == "paid").expect("paid");
    assert_eq!(paid["payment"]["change_yen"], 200);
    assert_eq!(service.arrived(&id).0, 1);
    assert_eq!(
        service.sql_i64(
            "SELECT COUNT(*) FROM applications WHERE form_id = ? AND braille = 1",
            &id
        ),
        1
    );
    let _ = std::fs::remove_dir_all(&dir);
}
