//! The live kiosk screen in a real browser (playwright-core driving Debian's Chromium, the
//! spec is tests/browser/kiosk_live.mjs): the daemon on a live MJPEG stream, one visit with a
//! rejected photo, a retake, and the person's choice made on the page. No service is needed:
//! the application is queued ("will be sent").
//!
//! Skipped with a message when node, /usr/bin/chromium or tests/browser/node_modules is
//! missing, unless CI is set (scripts/install-browser-deps.sh installs them).

#[path = "../../tests/support/browser.rs"]
mod browser;
use browser::browser_missing;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use qrcode::QrCode;
use serde_json::Value;

const AGENT: &str = env!("CARGO_BIN_EXE_booth-agent");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(img)
        .expect("jpeg");
    out
}

fn empty_booth() -> Vec<u8> {
    jpeg(&RgbImage::from_fn(1280, 720, |x, y| {
        let v = 70 + ((x + y) / 40) as u8;
        Rgb([v, v, v.saturating_add(10)])
    }))
}

fn qr_scene(id: &str) -> Vec<u8> {
    let qr = QrCode::new(id.as_bytes())
        .expect("qr")
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

/// Lines of a child's stdout, on a channel.
fn lines(out: impl std::io::Read + Send + 'static, tag: &'static str) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            eprintln!("{tag}| {line}");
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_line(rx: &Receiver<String>, secs: u64, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if pred(&l) => return l,
            Ok(_) => {}
            Err(_) => panic!("no {what} within {secs} s"),
        }
    }
}

fn event(rx: &Receiver<String>, secs: u64, name: &str) -> Value {
    let tag = format!("\"event\":\"{name}\"");
    let line = wait_line(rx, secs, name, |l| l.contains(&tag));
    serde_json::from_str(&line).expect("JSON")
}

#[test]
fn the_live_screen_shows_the_visit_and_takes_the_choice() {
    if let Some(why) = browser_missing(&root()) {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser tests: {why} (see scripts/install-browser-deps.sh)"
        );
        eprintln!("skipped the kiosk browser test: {why}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("booth-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    // The file's default after the retakes is to cancel: a submitted photo proves the page's
    // choice was taken.
    let answers = dir.join("answers.toml");
    std::fs::write(
        &answers,
        "date_of_birth = \"1990-04-01\"\nafter_retakes = \"cancel\"\ncoins = [500, 100, 100, 100]\n",
    )
    .expect("answers");
    let mut daemon = Command::new(AGENT)
        .arg("daemon")
        .args(["--video", "-", "--fps", "0", "--live", "127.0.0.1:0"])
        .arg("--answers")
        .arg(&answers)
        .args(["--service", "http://127.0.0.1:9", "--token", "t"])
        .arg("--data-dir")
        .arg(dir.join("booth"))
        .arg("--models")
        .arg(root().join("models"))
        .args([
            "--max-retakes",
            "1",
            "--health-secs",
            "60",
            "--receipt-wait-secs",
            "5",
            "--countdown-ms",
            "1500",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("daemon");
    let mut input = daemon.stdin.take().expect("stdin");
    let events = lines(daemon.stdout.take().expect("stdout"), "daemon");

    // The camera: the current scene at 10 frames a second.
    let scene = Arc::new(Mutex::new(empty_booth()));
    let stop = Arc::new(AtomicBool::new(false));
    let camera = {
        let (scene, stop) = (scene.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let f = scene.lock().map(|f| f.clone()).unwrap_or_default();
                if input.write_all(&f).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let show = |f: Vec<u8>| *scene.lock().expect("scene") = f;

    let live = event(&events, 120, "live");
    let url = live["url"].as_str().expect("url").to_string();
    let mut browser = Command::new("node")
        .arg(root().join("tests/browser/kiosk_live.mjs"))
        .current_dir(root())
        .env("BASE_URL", &url)
        .env("DATA_DIR", &dir)
        .env("ARTIFACTS_DIR", root().join("target/browser-artifacts"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node");
    let page = lines(browser.stdout.take().expect("node stdout"), "browser");
    wait_line(&page, 120, "the page watching", |l| l.contains("watching"));

    let id = format!("{:023}", 33_000_000_000_000_000_000_000u128 + 7);
    show(qr_scene(&id));
    event(&events, 60, "form_id");
    event(&events, 60, "instruction");
    show(rejected_face());
    let count = event(&events, 120, "countdown");
    assert_eq!(count["seconds_left"], 2, "1.5 s rounds up to 2");
    let choose = event(&events, 240, "choose");
    assert_eq!(choose["captures"], 2);
    let chosen = event(&events, 120, "person_chooses");
    assert_eq!(
        chosen["choice"], "submit_best",
        "the page's choice, not the file's"
    );
    let receipt = event(&events, 60, "receipt");
    assert_eq!(receipt["receipt"]["photo_verdict"], "reject");
    show(empty_booth());

    let status = browser.wait().expect("node exit");
    assert!(status.success(), "browser spec failed ({status})");
    stop.store(true, Ordering::SeqCst);
    let _ = camera.join();
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    event(&events, 60, "stopped");
    assert!(daemon.wait().expect("exit").success());
    let _ = std::fs::remove_dir_all(&dir);
}
