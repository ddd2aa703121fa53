//! `booth-agent qr IMAGE`: the form ID on stdout, or the error's code and messages on stderr.

use std::path::PathBuf;
use std::process::Command;

use image::{GrayImage, Luma};
use qrcode::QrCode;

fn code_png(name: &str, payload: &str) -> PathBuf {
    let img = QrCode::new(payload.as_bytes())
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let mut frame = GrayImage::from_pixel(640, 360, Luma([140]));
    image::imageops::replace(&mut frame, &img, 200, 60);
    let path =
        std::env::temp_dir().join(format!("booth-agent-cli-{}-{name}.png", std::process::id()));
    frame.save(&path).unwrap();
    path
}

fn qr(path: &std::path::Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_booth-agent"))
        .arg("qr")
        .arg(path)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn prints_the_form_id() {
    let path = code_png(
        "ok",
        "https://apply.example.jp/form?id=27182818284590452353602",
    );
    let (code, stdout, _) = qr(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, Some(0));
    assert_eq!(stdout.trim(), "27182818284590452353602");
}

#[test]
fn a_my_number_code_is_refused_with_its_code_and_japanese_message() {
    let path = code_png("mynumber", "123456789012");
    let (code, stdout, stderr) = qr(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, Some(1));
    assert!(stdout.is_empty());
    assert!(stderr.contains("form_id_looks_like_my_number"), "{stderr}");
    assert!(stderr.contains("マイナンバー"), "{stderr}");
    assert!(!stderr.contains("123456789012"), "{stderr}");
}

#[test]
fn an_unreadable_file_is_an_error() {
    let (code, _, stderr) = qr(std::path::Path::new("/nonexistent/frame.png"));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read"), "{stderr}");
}
