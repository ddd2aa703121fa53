//! The booth daemon against the real service, as processes, on a live frame stream: the test
//! writes MJPEG frames into the daemon's standard input at 10 frames a second and changes the
//! scene as the visit goes (attract screen, the form's QR code, the face). Three visits: a
//! compliant photo; a rejected one that leads to a retake and is submitted for a person to
//! check; one while the service is down. Then the booth's health on the service: the alarm
//! raised while the third application outlives the alarm age, cleared once it has arrived, and
//! a clean SIGTERM.
//!
//! The service binary is `<target>/debug/mynumber-photo`; `cargo test --workspace` builds it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use qrcode::QrCode;
use serde_json::Value;

const AGENT: &str = env!("CARGO_BIN_EXE_booth-agent");
const DOB: &str = "1990-04-01";
const BOOTH: &str = "booth-fleet";
const REVIEWER: &str = "rev-fleet";
const PASSWORD: &str = "correct horse battery staple";
/// A service and a daemon each load the models: one test at a time on a small machine.
static SERIAL: Mutex<()> = Mutex::new(());
/// The service's alarm age in this test.
const ALARM_SECS: u64 = 6;

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
        "the service binary {} is missing: build it first (`cargo build -p mynumber-photo`)",
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
    let d = std::env::temp_dir().join(format!("booth-daemon-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn http(
    method: &str,
    url: &str,
    cookie: Option<&str>,
    json: Option<&Value>,
) -> Option<(u16, String, Vec<String>)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let body = match json {
        Some(v) => {
            req = req.header("Content-Type", "application/json");
            v.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    let mut r = agent.run(req.body(body).ok()?).ok()?;
    let status = r.status().as_u16();
    let cookies = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect();
    let text = r.body_mut().read_to_string().ok()?;
    Some((status, text, cookies))
}

struct Service {
    data_dir: PathBuf,
    port: u16,
    token: String,
    child: Option<Child>,
}

impl Service {
    fn prepare(tag: &str) -> Service {
        let data_dir = temp(&format!("{tag}-service"));
        let admin = |args: &[&str], input: Option<&str>| -> String {
            let mut child = Command::new(service_bin())
                .arg("admin")
                .arg("--data-dir")
                .arg(&data_dir)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("admin");
            if let Some(i) = input {
                writeln!(child.stdin.take().expect("stdin"), "{i}").expect("stdin");
            } else {
                drop(child.stdin.take());
            }
            let out = child.wait_with_output().expect("admin output");
            assert!(
                out.status.success(),
                "admin {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let token = admin(&["booth", "add", BOOTH], None);
        admin(&["reviewer", "add", REVIEWER], Some(PASSWORD));
        // A second booth, revoked: shown as such, never in alarm.
        admin(&["booth", "add", "booth-retired"], None);
        admin(&["booth", "revoke", "booth-retired"], None);
        Service {
            data_dir,
            port: free_port(),
            token,
            child: None,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join("service.log"))
            .expect("log");
        self.child = Some(
            Command::new(service_bin())
                .arg("serve")
                .arg("--data-dir")
                .arg(&self.data_dir)
                .arg("--listen")
                .arg(format!("127.0.0.1:{}", self.port))
                .arg("--models")
                .arg(root().join("models"))
                .arg("--insecure-cookies")
                .args(["--booth-alarm-seconds", &ALARM_SECS.to_string()])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("spawn the service"),
        );
        let deadline = Instant::now() + Duration::from_secs(90);
        while http("GET", &format!("{}/healthz", self.base()), None, None)
            .is_none_or(|r| r.0 != 200)
        {
            assert!(
                Instant::now() < deadline,
                "service did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("service.log")).unwrap_or_default()
    }

    fn count(&self, sql: &str, bind: &str) -> i64 {
        let url = format!(
            "sqlite://{}?mode=ro",
            self.data_dir.join("mynumber-photo.db").display()
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
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

    /// The per-booth gauges of `/metrics` for our booth: name -> value.
    fn gauges(&self) -> Vec<(String, f64)> {
        let Some((200, text, _)) = http("GET", &format!("{}/metrics", self.base()), None, None)
        else {
            return Vec::new();
        };
        let label = format!("{{booth=\"{BOOTH}\"}}");
        text.lines()
            .filter(|l| l.starts_with("mnp_booth_") && l.contains(&label))
            .filter_map(|l| {
                let (name, value) = l.split_once(&label)?;
                Some((name.to_string(), value.trim().parse().ok()?))
            })
            .collect()
    }
}

fn gauge(g: &[(String, f64)], name: &str) -> Option<f64> {
    g.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("service log:\n{}", self.log());
        } else {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scenes.

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(img)
        .expect("jpeg");
    out
}

fn form_id(n: u64) -> String {
    format!("{:023}", 32_000_000_000_000_000_000_000u128 + n as u128)
}

/// The attract screen's view: an empty booth (a soft gradient, no face, no code).
fn empty_booth() -> Vec<u8> {
    jpeg(&RgbImage::from_fn(1280, 720, |x, y| {
        let v = 70 + ((x + y) / 40) as u8;
        Rgb([v, v, v.saturating_add(10)])
    }))
}

fn qr_scene(id: &str) -> Vec<u8> {
    let code = QrCode::new(id.as_bytes()).expect("qr");
    let qr = code
        .render::<image::Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    let mut frame = RgbImage::from_pixel(1280, 720, Rgb([90, 90, 90]));
    let (x0, y0) = ((1280 - qr.width()) / 2, (720 - qr.height()) / 2);
    for (x, y, p) in qr.enumerate_pixels() {
        frame.put_pixel(x0 + x, y0 + y, Rgb([p[0]; 3]));
    }
    jpeg(&frame)
}

/// The rejected sample at twice its size: the pre-check calls it ready, the full vet rejects it.
fn rejected_face() -> Vec<u8> {
    let img = image::open(root().join("sample-photos/bad_grace_hopper_hat_glasses.jpg"))
        .expect("sample photo")
        .to_rgb8();
    jpeg(&image::imageops::resize(
        &img,
        img.width() * 2,
        img.height() * 2,
        image::imageops::FilterType::Triangle,
    ))
}

/// Writes the current scene into the daemon's standard input at 10 frames a second.
struct Camera {
    scene: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Camera {
    fn start(mut input: std::process::ChildStdin, first: Vec<u8>) -> Camera {
        let scene = Arc::new(Mutex::new(first));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (scene.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut n = 0u32;
            while !st.load(Ordering::SeqCst) {
                let frame = s.lock().map(|f| f.clone()).unwrap_or_default();
                if input.write_all(&frame).and_then(|_| input.flush()).is_err() {
                    return;
                }
                n += 1;
                let due = start + Duration::from_millis(100) * n;
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            }
        });
        Camera {
            scene,
            stop,
            thread: Some(thread),
        }
    }

    fn show(&self, frame: &[u8]) {
        *self.scene.lock().expect("scene") = frame.to_vec();
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The daemon.

struct Daemon {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    seen: Vec<Value>,
    not_json: Vec<String>,
}

impl Daemon {
    fn spawn(
        service: &Service,
        data_dir: &Path,
        answers: &Path,
    ) -> (Daemon, std::process::ChildStdin) {
        let mut child = Command::new(AGENT)
            .arg("daemon")
            .args(["--video", "-", "--fps", "0"])
            .arg("--answers")
            .arg(answers)
            .args(["--service", &service.base(), "--token", &service.token])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--models")
            .arg(root().join("models"))
            .args(["--max-retakes", "1", "--health-secs", "1"])
            .args(["--retry-base-ms", "2000", "--retry-max-ms", "2000"])
            .args(["--receipt-wait-secs", "60"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the daemon");
        let stdin = child.stdin.take().expect("stdin");
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let e = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("daemon stderr| {line}");
                if let Ok(mut s) = e.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        (
            Daemon {
                child,
                lines,
                stderr,
                seen: Vec::new(),
                not_json: Vec::new(),
            },
            stdin,
        )
    }

    fn wait_for(&mut self, secs: u64, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => match serde_json::from_str::<Value>(&line) {
                    Ok(v) => {
                        if v["event"] != "health" {
                            eprintln!("daemon| {line}");
                        }
                        self.seen.push(v.clone());
                        if pred(&v) {
                            return v;
                        }
                    }
                    Err(_) => self.not_json.push(line),
                },
                Err(_) => panic!(
                    "no {what} from the daemon within {secs} s; saw {:?}",
                    self.seen
                ),
            }
        }
    }

    fn event(&mut self, secs: u64, name: &str) -> Value {
        self.wait_for(secs, name, |v| v["event"] == name)
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

fn login(service: &Service) -> String {
    let (status, body, cookies) = http(
        "POST",
        &format!("{}/api/v1/review/login", service.base()),
        None,
        Some(&serde_json::json!({"name": REVIEWER, "password": PASSWORD})),
    )
    .expect("login");
    assert_eq!(status, 200, "{body}");
    cookies.join("; ")
}

#[test]
fn three_visits_back_to_back_with_the_service_down_for_the_third() {
    let Some(dev) =
        Some(root().join("../shared/photos/dev/canada_003f.jpg")).filter(|p| p.exists())
    else {
        eprintln!("skipped: ../shared/photos/dev not found");
        return;
    };
    let dir = temp("fleet");
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut service = Service::prepare("fleet");
    service.start();
    let empty = empty_booth();
    let compliant = std::fs::read(&dev).expect("dev photo");
    let rejected = rejected_face();
    let ids = [form_id(1), form_id(2), form_id(3)];
    let tail = |id: &str| id[id.len() - 4..].to_string();

    let booth_dir = dir.join("booth");
    let (mut d, stdin) = Daemon::spawn(&service, &booth_dir, &answers(&dir));
    let camera = Camera::start(stdin, empty.clone());
    d.event(120, "attract");
    // The booth reports at once: heard, nothing held.
    d.wait_for(60, "health", |v| {
        v["event"] == "health" && v["status"] == 200
    });

    // Visit 1: a compliant photo, sent.
    camera.show(&qr_scene(&ids[0]));
    let f = d.event(60, "form_id");
    assert_eq!(f["form_id_tail"], tail(&ids[0]));
    camera.show(&compliant);
    let r1 = d.event(180, "receipt");
    camera.show(&empty);
    assert_eq!(r1["receipt"]["delivery"], "sent", "{r1}");
    assert_eq!(r1["receipt"]["form_id_tail"], tail(&ids[0]));
    assert_ne!(r1["receipt"]["photo_verdict"], "reject");
    assert!(r1["text"]
        .as_str()
        .is_some_and(|t| t.contains("Status: Sent")));

    // Visit 2: rejected, one retake, rejected again: the best is sent for a person to check.
    d.event(60, "attract");
    camera.show(&qr_scene(&ids[1]));
    d.event(60, "form_id");
    camera.show(&rejected);
    let chooses = d.event(240, "person_chooses");
    assert_eq!(chooses["captures"], 2, "one capture and one retake");
    let r2 = d.event(180, "receipt");
    camera.show(&empty);
    assert_eq!(r2["receipt"]["delivery"], "sent", "{r2}");
    assert_eq!(r2["receipt"]["photo_verdict"], "reject");
    let text = r2["text"].as_str().unwrap_or("");
    assert!(
        text.contains("a person will check it") && text.contains("new photo"),
        "{text}"
    );

    // Visit 3: the service is down. Queued, "will be sent".
    service.stop();
    d.event(60, "attract");
    camera.show(&qr_scene(&ids[2]));
    d.event(60, "form_id");
    camera.show(&compliant);
    let r3 = d.event(180, "receipt");
    // The receipt follows the enqueue: the item is at least this old from here on.
    let queued_at = Instant::now();
    camera.show(&empty);
    assert_eq!(r3["receipt"]["delivery"], "will_be_sent", "{r3}");
    assert!(r3["text"]
        .as_str()
        .is_some_and(|t| t.contains("Will be sent")));

    // The item outlives the alarm age while the service is down; then the service is back.
    std::thread::sleep(Duration::from_secs(ALARM_SECS + 2).saturating_sub(queued_at.elapsed()));
    service.start();
    // The booth reports before it retries: the alarm is up while the application is held.
    let deadline = Instant::now() + Duration::from_secs(60);
    let raised = loop {
        let g = service.gauges();
        if gauge(&g, "mnp_booth_alarm") == Some(1.0) && gauge(&g, "mnp_booth_pending") == Some(1.0)
        {
            break g;
        }
        assert!(
            Instant::now() < deadline,
            "no alarm for the held application; gauges {g:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        gauge(&raised, "mnp_booth_oldest_pending_seconds").is_some_and(|s| s >= ALARM_SECS as f64),
        "{raised:?}"
    );
    let ack = d.wait_for(120, "the third application's acknowledgement", |v| {
        v["event"] == "attempt"
            && v["attempt"]["result"] == "acknowledged"
            && v["attempt"]["form_id_tail"] == tail(&ids[2])
    });
    assert!(
        ack["attempt"]["attempts"].as_u64().is_some_and(|n| n >= 2),
        "{ack}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let cleared = loop {
        let g = service.gauges();
        if gauge(&g, "mnp_booth_alarm") == Some(0.0) && gauge(&g, "mnp_booth_pending") == Some(0.0)
        {
            break g;
        }
        assert!(
            Instant::now() < deadline,
            "the alarm was not cleared; gauges {g:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(gauge(&cleared, "mnp_booth_queue_length"), Some(0.0));
    assert!(gauge(&cleared, "mnp_booth_last_heard_timestamp_seconds").is_some_and(|t| t > 1.7e9));

    // Each application stored exactly once, with its photo.
    for id in &ids {
        assert_eq!(
            service.count("SELECT COUNT(*) FROM applications WHERE form_id = ?", id),
            1,
            "{id}"
        );
        assert_eq!(
            service.count("SELECT COUNT(*) FROM applications a JOIN photos p ON p.id = a.photo_id WHERE a.form_id = ?", id),
            1,
            "{id}"
        );
    }

    // The console's booths page: our booth heard and fine, the retired one shown as revoked.
    let cookie = login(&service);
    let (status, page, _) = http(
        "GET",
        &format!("{}/console/booths", service.base()),
        Some(&cookie),
        None,
    )
    .expect("booths page");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("data-booth=\"{BOOTH}\"")), "{page}");
    let ours = page
        .split(&format!("data-booth=\"{BOOTH}\""))
        .nth(1)
        .unwrap_or("");
    assert!(
        ours.split("</tr>")
            .next()
            .is_some_and(|r| r.contains("data-state=\"ok\"") && r.contains("data-queue=\"0\"")),
        "{page}"
    );
    let retired = page
        .split("data-booth=\"booth-retired\"")
        .nth(1)
        .unwrap_or("");
    assert!(
        retired
            .split("</tr>")
            .next()
            .is_some_and(|r| r.contains("data-state=\"revoked\"")),
        "{page}"
    );
    assert!(!page.contains("id=\"booth-alarm\""), "{page}");

    // SIGTERM: a clean stop, nothing left, nothing on stderr about a closed queue.
    drop(camera);
    let pid = d.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let stopped = d.event(60, "stopped");
    assert_eq!(stopped["pending"], 0);
    let status = d.child.wait().expect("daemon exit");
    assert!(status.success(), "daemon exit {status}");
    let stderr = d.stderr.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(!stderr.contains("closed pool"), "{stderr}");
    assert!(
        d.not_json.is_empty(),
        "stdout lines that are not JSON: {:?}",
        d.not_json
    );
    let visits: Vec<&Value> = d
        .seen
        .iter()
        .filter(|v| v["event"] == "visit_end")
        .collect();
    assert_eq!(visits.len(), 3, "{visits:?}");
    assert!(d.seen.iter().all(|v| v["event"] != "visit_error"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGTERM while an application waits for the service: the daemon stops cleanly (exit 0, no
/// error about a closed queue) and the application is still in the queue for the next start.
#[test]
fn sigterm_with_an_application_waiting_keeps_it_queued() {
    let Some(dev) =
        Some(root().join("../shared/photos/dev/canada_003f.jpg")).filter(|p| p.exists())
    else {
        eprintln!("skipped: ../shared/photos/dev not found");
        return;
    };
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp("sigterm");
    // Prepared (a token) but never started: every attempt is refused at the socket.
    let service = Service::prepare("sigterm");
    let booth_dir = dir.join("booth");
    let (mut d, stdin) = Daemon::spawn(&service, &booth_dir, &answers(&dir));
    let camera = Camera::start(stdin, empty_booth());
    d.event(120, "attract");
    camera.show(&qr_scene(&form_id(9)));
    d.event(60, "form_id");
    camera.show(&std::fs::read(&dev).expect("dev photo"));
    let r = d.event(180, "receipt");
    camera.show(&empty_booth());
    assert_eq!(r["receipt"]["delivery"], "will_be_sent", "{r}");

    let pid = d.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let stopped = d.event(60, "stopped");
    assert_eq!(stopped["pending"], 1);
    let status = d.child.wait().expect("daemon exit");
    assert!(status.success(), "daemon exit {status}");
    drop(camera);
    let stderr = d.stderr.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(!stderr.contains("closed pool"), "{stderr}");

    let out = Command::new(AGENT)
        .args(["status", "--json", "--data-dir"])
        .arg(&booth_dir)
        .output()
        .expect("status");
    let st: Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    assert_eq!(
        (st["length"].as_i64(), st["pending"].as_i64()),
        (Some(1), Some(1)),
        "{st}"
    );
    assert_eq!(st["items"][0]["form_id_tail"], "0009");
    let _ = std::fs::remove_dir_all(&dir);
}
