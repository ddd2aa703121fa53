//! The `mynumber-photo` binary: exit codes, table and JSON output, written files, eval.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use serde_json::Value;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mynumber-photo"))
        .current_dir(manifest_dir())
        .env("RUST_LOG", "warn")
        .env_remove("MNP_MODELS")
        .env_remove("MNP_PROFILE")
        .args(args)
        .output()
        .expect("running mynumber-photo")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn sample_arg(name: &str) -> String {
    sample_path(name).display().to_string()
}

#[test]
fn vet_a_reject_exits_1_with_a_table() {
    let o = cli(&["vet", &sample_arg("noface_coffee.png")]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let out = stdout(&o);
    assert!(out.contains("noface_coffee.png"), "{}", show(&o));
    assert!(out.contains("REJECT"), "{}", show(&o));
    assert!(
        out.lines().any(|l| l.contains("FAIL") && l.contains("P1")),
        "{}",
        show(&o)
    );
}

#[test]
fn vet_json_prints_one_report_per_line() {
    let files = ["noface_coffee.png", "bad_group4.jpg"];
    let paths: Vec<String> = files.iter().map(|f| sample_arg(f)).collect();
    let mut args = vec!["vet", "--json", "--date", "2026-11-01"];
    args.extend(paths.iter().map(String::as_str));
    let o = cli(&args);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(lines.len(), files.len(), "{}", show(&o));
    for (line, file) in lines.iter().zip(files) {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["verdict"], "reject", "{line}");
        assert!(
            v["file"].as_str().is_some_and(|f| f.ends_with(file)),
            "{line}"
        );
        assert!(v["findings"].is_array(), "{line}");
        let report: mynumber_photo::vetting::Report =
            serde_json::from_value(v).expect("a Report per line");
        check_report_contract(file, &report);
    }
}

#[test]
fn unreadable_or_empty_files_exit_2() {
    let dir = temp_dir("cli-bad");
    let empty = dir.join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let o = cli(&["vet", &empty.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(stdout(&o).contains("empty_file"), "{}", show(&o));

    let missing = dir.join("does-not-exist.jpg");
    let o = cli(&["vet", "--json", &missing.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).expect("JSON error line");
    assert_eq!(v["error"]["code"], "unreadable_file", "{v}");

    // An error among rejects still exits 2 (the worst outcome wins).
    let o = cli(&[
        "vet",
        &sample_arg("noface_coffee.png"),
        &empty.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));

    // A bad date is a usage error.
    let o = cli(&[
        "vet",
        "--date",
        "2026-02-30",
        &sample_arg("noface_coffee.png"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn crop_and_overlay_are_written() {
    let dir = temp_dir("cli-out");
    let crops = dir.join("crops");
    let overlays = dir.join("overlays");
    let face = "bad_astronaut_busy_bg_smile.png";
    let noface = "noface_coffee.png";
    let o = cli(&[
        "vet",
        "--crop-out",
        &crops.display().to_string(),
        "--overlay-out",
        &overlays.display().to_string(),
        &sample_arg(face),
        &sample_arg(noface),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let has_crop = vetter()
        .vet(&read_sample(face), &Default::default())
        .unwrap()
        .crop_jpeg
        .is_some();
    let crop = crops.join("bad_astronaut_busy_bg_smile.jpg");
    assert_eq!(crop.is_file(), has_crop, "{}", show(&o));
    if has_crop {
        let bytes = std::fs::read(&crop).unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        let img = decode_rgb(&bytes);
        let (w, h) = (img.width() as f64, img.height() as f64);
        assert!((h - w * 45.0 / 35.0).abs() <= 1.0, "{w}x{h}");
    }
    // No face: no crop file, but an overlay.
    assert!(!crops.join("noface_coffee.jpg").exists());
    for stem in ["bad_astronaut_busy_bg_smile", "noface_coffee"] {
        let p = overlays.join(format!("{stem}.overlay.png"));
        let bytes =
            std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}\n{}", p.display(), show(&o)));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", p.display());
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn eval_on_the_samples_prints_the_summary() {
    let dir = samples_dir();
    let labels = dir.join("labels.tsv");
    let o = cli(&[
        "eval",
        &dir.display().to_string(),
        "--labels",
        &labels.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let out = stdout(&o);
    for needle in [
        "compliant accepted:",
        "non-compliant caught:",
        "expected rules named:",
        "per rule",
        "landmarks",
    ] {
        assert!(out.contains(needle), "no '{needle}' in\n{}", show(&o));
    }
    let n = std::fs::read_to_string(&labels).unwrap().lines().count() - 1;
    assert!(
        out.contains(&format!("non-compliant caught:    {n}/{n}")),
        "every sample is a reject and must be caught\n{}",
        show(&o)
    );

    let o = cli(&[
        "eval",
        &dir.display().to_string(),
        "--labels",
        &labels.display().to_string(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON summary");
    assert_eq!(v["noncompliant"], n, "{v}");
    assert_eq!(v["noncompliant_caught"], n, "{v}");
    assert_eq!(v["photos"].as_array().map(Vec::len), Some(n));
}

#[test]
fn eval_with_missing_labels_fails_cleanly() {
    let o = cli(&[
        "eval",
        &samples_dir().display().to_string(),
        "--labels",
        &Path::new("/nonexistent/labels.tsv").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("labels.tsv"),
        "{}",
        show(&o)
    );
}
