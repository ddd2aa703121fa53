//! Shared helpers for the integration tests: one `Vetter` per test binary, sample and dev photo
//! paths, image encoders, and the report / crop contract checks.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use image::{DynamicImage, ImageFormat, RgbImage};
use mynumber_photo::vetting::{Profile, Report, Status, Verdict, Vetter};

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The models, loaded once per test binary (about half a second).
pub fn vetter() -> &'static Vetter {
    shared_vetter().as_ref()
}

pub fn shared_vetter() -> &'static Arc<Vetter> {
    static V: OnceLock<Arc<Vetter>> = OnceLock::new();
    V.get_or_init(|| {
        Arc::new(
            Vetter::load(&manifest_dir().join("models"), Profile::default())
                .expect("models/ must load (sha256 pinned in src/vetting/models/mod.rs)"),
        )
    })
}

pub fn samples_dir() -> PathBuf {
    manifest_dir().join("sample-photos")
}

pub fn sample_path(name: &str) -> PathBuf {
    samples_dir().join(name)
}

pub fn read_sample(name: &str) -> Vec<u8> {
    let p = sample_path(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// `../shared/photos/dev`, or `None` after printing why the caller skips.
pub fn dev_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared/photos/dev");
    if dir.join("labels.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/photos/dev not found");
        println!("skipped: ../shared/photos/dev not found");
        None
    }
}

/// A fresh, empty temporary folder for one test.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mnp-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temp dir");
    dir
}

pub fn decode_rgb(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes)
        .expect("decodable image")
        .to_rgb8()
}

pub fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format)
        .expect("encoding");
    out
}

/// Baseline JPEG through libjpeg-turbo (4:4:4 so rotations keep the same chroma detail).
pub fn jpeg_rgb(img: &RgbImage, quality: i32) -> Vec<u8> {
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_quality(quality).unwrap();
    c.set_subsamp(turbojpeg::Subsamp::None).unwrap();
    let image = mynumber_photo::vetting::crop::turbo_view(img);
    c.compress_to_vec(image).unwrap()
}

/// JPEG segments before the scan: (marker, payload) pairs.
pub fn jpeg_segments(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        if marker == 0xD9 {
            break;
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        let end = (i + 2 + len).min(bytes.len());
        out.push((marker, bytes[i + 4..end].to_vec()));
        if marker == 0xDA {
            break;
        }
        i += 2 + len;
    }
    out
}

/// Source image size (after orientation) as the report states it in F1.
pub fn report_image_size(report: &Report) -> (f64, f64) {
    let f1 = report.finding("F1").expect("F1 finding");
    let w = f1.measured["width"].as_f64().expect("F1 measured width");
    let h = f1.measured["height"].as_f64().expect("F1 measured height");
    (w, h)
}

pub fn status_str(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::NotApplicable => "not_applicable",
    }
}

/// The report contract every consumer relies on (CLI, API, application flow).
pub fn check_report_contract(name: &str, report: &Report) {
    let v = serde_json::to_value(report).expect("report serialises");
    assert!(
        matches!(v["verdict"].as_str(), Some("accept" | "reject" | "review")),
        "{name}: verdict {:?}",
        v["verdict"]
    );
    let findings = v["findings"].as_array().expect("findings array");
    assert!(!findings.is_empty(), "{name}: no findings");
    for f in findings {
        for key in ["rule", "status", "measured", "threshold", "message"] {
            assert!(f.get(key).is_some(), "{name}: finding without '{key}': {f}");
        }
        let rule = f["rule"].as_str().expect("rule is a string");
        let ok_id = (rule.starts_with('F') || rule.starts_with('P'))
            && rule[1..].parse::<u32>().is_ok_and(|n| {
                (rule.starts_with('F') && (1..=8).contains(&n))
                    || (rule.starts_with('P') && (1..=21).contains(&n))
            });
        assert!(ok_id, "{name}: unknown rule id {rule}");
        assert!(
            matches!(
                f["status"].as_str(),
                Some("pass" | "warn" | "fail" | "not_applicable")
            ),
            "{name}: {rule} status {}",
            f["status"]
        );
        for lang in ["en", "ja"] {
            let text = f["message"][lang].as_str().unwrap_or("");
            assert!(
                !text.trim().is_empty(),
                "{name}: {rule} has no {lang} message: {f}"
            );
        }
    }
    // Each rule is reported at most once.
    let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort();
    let n = rules.len();
    rules.dedup();
    assert_eq!(rules.len(), n, "{name}: a rule is reported twice");
    for key in [
        "decode",
        "detect",
        "landmarks",
        "segment",
        "checks",
        "total",
    ] {
        assert!(
            v["timings_ms"][key].as_f64().is_some_and(|t| t >= 0.0),
            "{name}: timings_ms.{key}"
        );
    }
    // The verdict follows from the findings.
    let failing = report
        .findings
        .iter()
        .any(|f| f.status == Status::Fail && !f.waived);
    assert_eq!(
        failing,
        report.verdict == Verdict::Reject,
        "{name}: verdict {:?} against failing findings",
        report.verdict
    );

    let (w, h) = report_image_size(report);
    let inside = |p: [f32; 2], slack: f64| {
        let (x, y) = (p[0] as f64, p[1] as f64);
        x >= -slack && y >= -slack && x <= w + slack && y <= h + slack
    };
    if let Some(face) = &report.face {
        let [bx, by, bw, bh] = face.bbox;
        assert!(
            bw > 0.0 && bh > 0.0,
            "{name}: empty face box {:?}",
            face.bbox
        );
        // The detector's box may overhang the frame a little when the head touches an edge.
        let slack = 0.1 * bw.max(bh) as f64;
        assert!(
            inside([bx, by], slack) && inside([bx + bw, by + bh], slack),
            "{name}: face box {:?} outside the {w}x{h} image",
            face.bbox
        );
        assert!(
            (0.0..=1.0).contains(&face.score),
            "{name}: score {}",
            face.score
        );
        let l = &face.landmarks;
        for (what, p) in [
            ("left eye", l.eyes[0]),
            ("right eye", l.eyes[1]),
            ("chin", l.chin),
        ] {
            assert!(
                inside(p, 1.0),
                "{name}: {what} {p:?} outside the {w}x{h} image"
            );
        }
        // The crown may be estimated above a cut-off head (F5 then says so), never below.
        assert!(
            l.crown[1] < l.eyes[0][1].min(l.eyes[1][1]),
            "{name}: crown {:?} not above the eyes {:?}",
            l.crown,
            l.eyes
        );
        assert!(
            l.eyes[0][0] < l.eyes[1][0],
            "{name}: eyes not ordered image-left first: {:?}",
            l.eyes
        );
    } else {
        assert!(report.crop.is_none(), "{name}: a crop without a face");
    }
    if let Some(c) = report.crop {
        assert!(c.width > 0 && c.height > 0, "{name}: empty crop {c:?}");
        let want_h = c.width as f64 * 45.0 / 35.0;
        assert!(
            (c.height as f64 - want_h).abs() <= 1.0,
            "{name}: crop {c:?} is not 35:45 within 1 px"
        );
        assert!(
            (c.x + c.width) as f64 <= w && (c.y + c.height) as f64 <= h,
            "{name}: crop {c:?} outside the {w}x{h} image"
        );
    }
}

/// The issuer-ready JPEG: baseline JPEG, no EXIF, 3-channel RGB, 35:45, size range unless F3
/// fails (and then the verdict is a rejection).
pub fn check_crop_jpeg(name: &str, report: &Report, jpeg: Option<&[u8]>) {
    let Some(jpeg) = jpeg else {
        assert!(
            report.crop.is_none(),
            "{name}: report has a crop rectangle but no JPEG"
        );
        return;
    };
    assert!(
        report.crop.is_some(),
        "{name}: a crop JPEG without a crop rectangle in the report"
    );
    assert!(
        jpeg.len() > 4 && jpeg[0] == 0xFF && jpeg[1] == 0xD8,
        "{name}: crop does not start with FF D8"
    );
    for (marker, payload) in jpeg_segments(jpeg) {
        assert_ne!(marker, 0xE1, "{name}: crop has an APP1 (EXIF/XMP) segment");
        assert!(
            !payload.starts_with(b"Exif\0"),
            "{name}: crop carries EXIF (marker {marker:02X})"
        );
    }
    let header = turbojpeg::read_header(jpeg).expect("crop header");
    assert!(
        matches!(header.colorspace, turbojpeg::Colorspace::YCbCr),
        "{name}: crop colourspace {:?}, want YCbCr (3-channel RGB)",
        header.colorspace
    );
    let decoded = image::load_from_memory(jpeg).expect("crop decodes");
    assert_eq!(
        decoded.color(),
        image::ColorType::Rgb8,
        "{name}: crop is not 3-channel RGB"
    );
    let (cw, ch) = (decoded.width() as f64, decoded.height() as f64);
    assert!(
        (ch - cw * 45.0 / 35.0).abs() <= 1.0,
        "{name}: crop JPEG {cw}x{ch} is not 35:45 within 1 px"
    );
    let f3 = report.finding("F3").expect("F3 with a crop");
    let in_range = (20_480..=7_000_000).contains(&jpeg.len());
    if f3.status == Status::Fail {
        assert_eq!(
            report.verdict,
            Verdict::Reject,
            "{name}: F3 fails but not rejected"
        );
        assert!(!in_range, "{name}: F3 fails on a {} byte crop", jpeg.len());
    } else {
        assert!(
            in_range,
            "{name}: crop is {} bytes, outside 20480..=7000000, and F3 does not fail",
            jpeg.len()
        );
    }
    if report
        .finding("F4")
        .is_some_and(|f| f.status == Status::Pass)
    {
        assert!(
            (480.0..=6000.0).contains(&cw) && (480.0..=6000.0).contains(&ch),
            "{name}: F4 passes on a {cw}x{ch} crop"
        );
    }
}
