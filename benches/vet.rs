//! End-to-end and per-stage benchmarks of `Vetter::vet`.
//!
//! Inputs:
//! * `1350`: ../shared/photos/dev/london_002_neutral.jpg (1350x1350 JPEG) when present.
//! * `12mp`: the same photo padded to 4:3 (edge pixels repeated, so the background stays plain),
//!   upscaled to 4000x3000 and encoded as a baseline 4:2:0 JPEG at quality 90 with libjpeg-turbo:
//!   what a phone camera uploads.
//!
//! When the dev photos are absent, both inputs are made the same way from
//! sample-photos/bad_astronaut_busy_bg_smile.png (resized to 1350x1350 and JPEG-encoded first),
//! and the names say so. The dev photos are licensed for use in place only: the generated 12 MP
//! file is written under target/ (git-ignored) for scripts/load.py, never into the repository.
//!
//! Before criterion measures, each input is vetted `MNP_BENCH_STAGE_RUNS` times (default 20) and
//! the mean and median of `report.timings_ms` are printed per stage, so the numbers below can be
//! attributed to decode / detect / landmarks / segment / checks (checks include the crop encode).
//!
//! Peer comparison (same run, back to back): with `MNP_PEER_PYTHON` set to a Python that has
//! mediapipe 0.10.14 and opencv-python-headless (../shared/bench/README.md), the bench first
//! times `vet` over 20 London photos (1350x1350) and 12 phone-sized 12 MP copies of them (median
//! of a second, warm pass, as the peer does), runs ../shared/bench/peer_mediapipe.py on the same
//! files, times `vet` again, and prints the ratio ours / peer with the load average. Without the
//! variable or the dev photos it says so and skips it.
//!
//! `cargo bench --bench vet` finishes in about two to four minutes on two cores.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use image::{imageops, RgbImage};
use mynumber_photo::vetting::input;
use mynumber_photo::vetting::models::Models;
use mynumber_photo::vetting::pixels::{box_downsample, resize};
use mynumber_photo::vetting::{crop, Profile, Timings, VetContext, Vetter};

const DEV_PHOTO: &str = "../shared/photos/dev/london_002_neutral.jpg";
const FALLBACK: &str = "sample-photos/bad_astronaut_busy_bg_smile.png";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Input {
    name: String,
    bytes: Vec<u8>,
}

/// Picks one stage's time out of a report's timings.
type StageOf = fn(&Timings) -> f64;

fn encode_jpeg(img: &RgbImage, quality: i32) -> Vec<u8> {
    let mut c = turbojpeg::Compressor::new().expect("turbojpeg compressor");
    c.set_quality(quality).unwrap();
    c.set_subsamp(turbojpeg::Subsamp::Sub2x2).unwrap();
    c.set_progressive(false).unwrap();
    let image = mynumber_photo::vetting::crop::turbo_view(img);
    c.compress_to_vec(image).expect("JPEG encoding")
}

/// Pads (repeating edge pixels) or centre-crops `img` to the aspect `aw:ah`, then resizes to
/// `w` x `h`.
fn phone_like(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (iw, ih) = img.dimensions();
    // Target aspect w:h. Wider than the image: pad left/right; taller: pad top/bottom.
    let (pw, ph) = if (iw as u64) * (h as u64) < (ih as u64) * (w as u64) {
        (((ih as u64 * w as u64) / h as u64) as u32, ih)
    } else {
        (iw, ((iw as u64 * h as u64) / w as u64) as u32)
    };
    let (ox, oy) = ((pw - iw) / 2, (ph - ih) / 2);
    let padded = RgbImage::from_fn(pw, ph, |x, y| {
        let sx = x.saturating_sub(ox).min(iw - 1);
        let sy = y.saturating_sub(oy).min(ih - 1);
        *img.get_pixel(sx, sy)
    });
    imageops::resize(&padded, w, h, imageops::FilterType::Triangle)
}

fn inputs() -> Vec<Input> {
    let dev = root().join(DEV_PHOTO);
    let (tag, base, small_bytes) = if dev.exists() {
        let bytes = std::fs::read(&dev).expect("read dev photo");
        let img = image::load_from_memory(&bytes)
            .expect("decode dev photo")
            .to_rgb8();
        ("london_002", img, bytes)
    } else {
        let path = root().join(FALLBACK);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!(
                "bench vet: neither {} nor {} exists; nothing to benchmark",
                dev.display(),
                path.display()
            );
            return Vec::new();
        };
        eprintln!(
            "bench vet: {} is absent; using {} (a failing photo: timings still representative)",
            dev.display(),
            FALLBACK
        );
        let img = image::load_from_memory(&bytes)
            .expect("decode sample")
            .to_rgb8();
        let sq = phone_like(&img, 1350, 1350);
        let jpeg = encode_jpeg(&sq, 95);
        ("astronaut", sq, jpeg)
    };
    let big = phone_like(&base, 4000, 3000);
    let big_jpeg = encode_jpeg(&big, 90);
    let out_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("bench-inputs");
    if std::fs::create_dir_all(&out_dir).is_ok() {
        let p = out_dir.join(format!("{tag}_4000x3000_q90.jpg"));
        if std::fs::write(&p, &big_jpeg).is_ok() {
            eprintln!(
                "bench vet: wrote the 12 MP input to {} (git-ignored)",
                p.display()
            );
        }
    }
    vec![
        Input {
            name: format!("1350_{tag}"),
            bytes: small_bytes,
        },
        Input {
            name: format!("12mp_{tag}"),
            bytes: big_jpeg,
        },
    ]
}

/// What `vet` does before the models: inspect, one DCT-scaled decode (also used for the crop),
/// then a box filter down to about `model_long_side` for the models and rules.
fn decode_work<'a>(bytes: &'a [u8], p: &Profile) -> (input::Source<'a>, input::Decoded, RgbImage) {
    let src = input::inspect(bytes, p.input.limits()).unwrap();
    let d = input::decode_at_least(&src, p.input.decode_long_side).unwrap();
    let k = (d.image.width().max(d.image.height()) / p.input.model_long_side.max(1)).max(1);
    let work = if k >= 2 {
        box_downsample(&d.image, k)
    } else {
        d.image.clone()
    };
    (src, d, work)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Vets `runs` times and prints mean / median of each stage of `report.timings_ms`.
fn stage_report(vetter: &Vetter, input: &Input, runs: usize) {
    let ctx = VetContext::default();
    let mut per: Vec<Timings> = Vec::with_capacity(runs);
    let mut verdict = String::new();
    let mut crop_len = 0;
    for _ in 0..runs {
        let v = vetter.vet(&input.bytes, &ctx).expect("vet");
        verdict = v.report.verdict.as_str().to_string();
        crop_len = v.crop_jpeg.as_ref().map_or(0, |c| c.len());
        per.push(v.report.timings_ms);
    }
    let stage = |f: fn(&Timings) -> f64| {
        let mut xs: Vec<f64> = per.iter().map(f).collect();
        let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        (mean, median(&mut xs))
    };
    println!(
        "stages {} ({} bytes, verdict {verdict}, crop {crop_len} bytes), {runs} runs, ms mean/median:",
        input.name,
        input.bytes.len()
    );
    let rows: [(&str, StageOf); 6] = [
        ("decode", |t| t.decode),
        ("detect", |t| t.detect),
        ("landmarks", |t| t.landmarks),
        ("segment", |t| t.segment),
        ("checks", |t| t.checks),
        ("total", |t| t.total),
    ];
    for (name, f) in rows {
        let (mean, med) = stage(f);
        println!("  {name:<10} {mean:8.1} {med:8.1}");
    }
}

/// Median ms per photo of `vet` over `files`, second of two passes (as the peer script).
fn ours_median(vetter: &Vetter, files: &[PathBuf]) -> f64 {
    let ctx = VetContext::default();
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let mut times = Vec::new();
    for rep in 0..2 {
        for b in &bytes {
            let t = std::time::Instant::now();
            let _ = black_box(vetter.vet(b, &ctx));
            if rep == 1 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    median(&mut times)
}

fn peer_median(python: &str, files: &[PathBuf]) -> Option<f64> {
    let script = root().join("../shared/bench/peer_mediapipe.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .args(files)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("bench vet: {}", text.trim());
    let after = text.split("median ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Ours against the peer pipeline, back to back on the same files.
fn peer_comparison(vetter: &Vetter) {
    let Ok(python) = std::env::var("MNP_PEER_PYTHON") else {
        eprintln!("bench vet: MNP_PEER_PYTHON not set; peer comparison skipped");
        return;
    };
    let dev = root().join("../shared/photos/dev");
    let mut london: Vec<PathBuf> = std::fs::read_dir(&dev)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy().to_string();
                    n.starts_with("london_") && n.ends_with("_neutral.jpg")
                })
                .collect()
        })
        .unwrap_or_default();
    london.sort();
    london.truncate(20);
    if london.len() < 12 {
        eprintln!("bench vet: ../shared/photos/dev not found; peer comparison skipped");
        return;
    }
    let out_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("bench-inputs");
    std::fs::create_dir_all(&out_dir).expect("bench-inputs dir");
    let big: Vec<PathBuf> = london[..12]
        .iter()
        .map(|f| {
            let p = out_dir.join(format!(
                "peer12mp_{}",
                f.file_name().unwrap().to_string_lossy()
            ));
            if !p.exists() {
                let img = image::open(f).expect("dev photo").to_rgb8();
                std::fs::write(&p, encode_jpeg(&phone_like(&img, 4000, 3000), 90)).unwrap();
            }
            p
        })
        .collect();
    for (name, files) in [("1350x1350", &london), ("12 MP", &big)] {
        let a = ours_median(vetter, files);
        let Some(peer) = peer_median(&python, files) else {
            eprintln!("bench vet: the peer script did not run with {python}");
            return;
        };
        let b = ours_median(vetter, files);
        let ours = (a + b) / 2.0;
        eprintln!(
            "bench vet: PEER {name}: ours {ours:.1} ms (before {a:.1}, after {b:.1}), peer {peer:.1} ms, ratio {:.2}x, load average {}",
            ours / peer,
            load_average()
        );
    }
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    if inputs.is_empty() {
        return;
    }
    let profile = Profile::default();
    let models_dir = root().join("models");
    let vetter = Vetter::load(&models_dir, profile.clone()).expect("load models");
    // The same models again, for the per-model benches (Vetter keeps its own private).
    let models = Models::load(&models_dir, profile.detector.input_size).expect("load models");
    let runs = std::env::var("MNP_BENCH_STAGE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    peer_comparison(&vetter);
    if std::env::var_os("MNP_BENCH_PEER_ONLY").is_some() {
        return;
    }
    for input in &inputs {
        stage_report(&vetter, input, runs);
    }
    let ctx = VetContext::default();
    let limits = profile.input.limits();
    let decode_long = profile.input.decode_long_side;

    let mut g = c.benchmark_group("vet");
    for input in &inputs {
        g.bench_with_input(BenchmarkId::from_parameter(&input.name), input, |b, i| {
            b.iter(|| vetter.vet(black_box(&i.bytes), &ctx).expect("vet"))
        });
    }
    g.finish();

    // inspect + scaled decode + box filter: the "decode" stage of report.timings_ms.
    let mut g = c.benchmark_group("decode_work");
    for input in &inputs {
        g.bench_with_input(BenchmarkId::from_parameter(&input.name), input, |b, i| {
            b.iter(|| decode_work(black_box(&i.bytes), &profile))
        });
    }
    g.finish();

    // The libjpeg-turbo decode alone, at the scale `vet` uses.
    let mut g = c.benchmark_group("decode_jpeg");
    for input in &inputs {
        let src = input::inspect(&input.bytes, limits).unwrap();
        g.bench_function(&input.name, |b| {
            b.iter(|| input::decode_at_least(black_box(&src), decode_long).unwrap())
        });
    }
    g.finish();

    // Header + EXIF only: what `inspect` costs before any pixel is decoded.
    let mut g = c.benchmark_group("inspect");
    for input in &inputs {
        g.bench_with_input(BenchmarkId::from_parameter(&input.name), input, |b, i| {
            b.iter(|| input::inspect(black_box(&i.bytes), limits).unwrap())
        });
    }
    g.finish();

    // The three models on the work image, one at a time (vet runs segmentation in parallel with
    // detect + landmarks).
    for input in &inputs {
        let (src, decoded, work) = decode_work(&input.bytes, &profile);
        let dets = models
            .detector
            .detect(&work, profile.detector.min_score)
            .unwrap();
        // The pixel helpers the models' preprocessing leans on: the box filter from the decode to
        // the work image (in "decode"), and each model's own resize of the work image to its
        // input (detector 320x320 letterbox, segmentation 256x256; inside "detect"/"segment").
        let mut g = c.benchmark_group(format!("pixels_{}", input.name));
        let k = (decoded.image.width().max(decoded.image.height())
            / profile.input.model_long_side.max(1))
        .max(1);
        if k >= 2 {
            g.bench_function(format!("box_downsample_x{k}"), |b| {
                b.iter(|| box_downsample(black_box(&decoded.image), k))
            });
        }
        let (ww, wh) = work.dimensions();
        let s = 320.0 / ww.max(wh) as f32;
        let (rw, rh) = (
            ((ww as f32 * s).round() as u32).max(1),
            ((wh as f32 * s).round() as u32).max(1),
        );
        g.bench_function(format!("resize_to_{rw}x{rh}"), |b| {
            b.iter(|| resize(black_box(&work), rw, rh))
        });
        g.bench_function("resize_to_256x256", |b| {
            b.iter(|| resize(black_box(&work), 256, 256))
        });
        g.finish();

        let mut g = c.benchmark_group(format!("models_{}", input.name));
        g.bench_function("detect", |b| {
            b.iter(|| {
                models
                    .detector
                    .detect(black_box(&work), profile.detector.min_score)
                    .unwrap()
            })
        });
        if let Some(det) = dets.first() {
            g.bench_function("landmarks", |b| {
                b.iter(|| models.mesh.landmarks(black_box(&work), det).unwrap())
            });
        }
        g.bench_function("segment", |b| {
            b.iter(|| models.segmenter.segment(black_box(&work)).unwrap())
        });
        g.finish();

        // The issuer crop (part of "checks", on the second core): cut from the decode, resized,
        // encoded; decodes again only when the first decode is short of pixels.
        let vetted = vetter.vet(&input.bytes, &ctx).unwrap();
        if let Some(rect) = vetted.report.crop {
            let mut g = c.benchmark_group("crop_produce");
            g.bench_function(&input.name, |b| {
                b.iter(|| {
                    crop::produce(
                        &src,
                        &decoded.image,
                        decoded.scale,
                        black_box(rect),
                        &profile.crop,
                    )
                    .unwrap()
                })
            });
            g.finish();
        }
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(15)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}
criterion_main!(benches);
