//! The QR reader against how people hold paper: a generated matrix of frames (payload kinds x
//! frame sizes x conditions), plus the payload rules. Deterministic: a seeded xorshift drives
//! every random choice, so a failure reproduces.
//!
//! `cargo test -p booth-agent --test qr_matrix -- --nocapture` prints the per-condition table.

use std::time::Instant;

use booth_agent::qr::{self, Pass, QrError};
use image::{GrayImage, Luma};
use imageproc::geometric_transformations::{warp_into, Border, Interpolation, Projection};
use mynumber_photo::application::FormIdError;
use qrcode::QrCode;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Never zero (xorshift's fixed point); mix the seed so nearby seeds diverge at once.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// xorshift64*.
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next_u64() % n as u64) as u32
    }
    /// Standard normal (Box-Muller).
    fn gauss(&mut self) -> f32 {
        let u = self.unit().max(1e-7);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Payloads.

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bare,
    Url,
    FullWidth,
}

fn payload(kind: Kind, id: &str) -> String {
    match kind {
        Kind::Bare => id.to_string(),
        Kind::Url => format!("https://apply.example.jp/mynumber/form?id={id}&lang=ja"),
        // Full-width digits grouped by full-width hyphens, as a word processor might print them.
        Kind::FullWidth => id
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let wide = char::from_u32('０' as u32 + (c as u32 - '0' as u32)).unwrap();
                let dash = (i > 0 && i % 4 == 0).then_some('－');
                dash.into_iter().chain(std::iter::once(wide))
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Frame synthesis.

/// How one frame is degraded.
#[derive(Clone, Copy, Debug, Default)]
struct Params {
    /// Pixels per module on the paper before warping.
    module: u32,
    /// In-plane rotation, degrees.
    angle: f32,
    /// Perspective: the far edge of the paper shrinks by this fraction, the near edge grows.
    tilt: f32,
    /// Gaussian blur sigma, pixels (0: none).
    blur: f32,
    /// Gaussian sensor noise sigma, grey levels (0: none).
    noise: f32,
    /// A saturating bright blob over part of the code.
    glare: bool,
    /// Contrast multiplier (1: normal; smaller: a dim, flat booth).
    contrast: f32,
}

/// A grey, textured desk/booth background: gradient, two sinusoids, blotches and some dark
/// objects, so the detector meets edges that are not a QR code.
fn background(w: u32, h: u32, rng: &mut Rng) -> GrayImage {
    let base = rng.range(90.0, 150.0);
    let (fx, fy) = (rng.range(20.0, 60.0), rng.range(20.0, 60.0));
    let grad = rng.range(-40.0, 40.0);
    let mut img = GrayImage::from_fn(w, h, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let v = base
            + grad * (xf / w as f32 - 0.5)
            + 12.0 * (xf / fx).sin() * (yf / fy).cos()
            + 6.0 * ((xf + 2.0 * yf) / 7.0).sin();
        Luma([v.clamp(0.0, 255.0) as u8])
    });
    for _ in 0..12 {
        let (rw, rh) = (rng.range(20.0, 200.0) as u32, rng.range(20.0, 200.0) as u32);
        let (x0, y0) = (rng.below(w - rw), rng.below(h - rh));
        let v = if rng.unit() < 0.5 {
            rng.range(10.0, 60.0)
        } else {
            rng.range(170.0, 230.0)
        } as u8;
        for y in y0..y0 + rh {
            for x in x0..x0 + rw {
                img.put_pixel(x, y, Luma([v]));
            }
        }
    }
    img
}

/// The printed form around the code: paper, the code with its 4-module quiet zone, and lines of
/// "text" beside and below it. Returns the paper and the code's corners on it.
fn paper(code: &QrCode, module: u32, rng: &mut Rng) -> (GrayImage, [(f32, f32); 4]) {
    let n = code.width() as u32;
    let ink = rng.range(20.0, 50.0) as u8;
    let white = rng.range(215.0, 245.0) as u8;
    let quiet = 4 * module;
    let side = n * module + 2 * quiet;
    let (pw, ph) = (side + 12 * module + 120, side + 8 * module + 60);
    let (ox, oy) = (40 + quiet, 30 + quiet);
    let colors = code.to_colors();
    let mut img = GrayImage::from_pixel(pw, ph, Luma([white]));
    for my in 0..n {
        for mx in 0..n {
            if colors[(my * n + mx) as usize] == qrcode::Color::Dark {
                for y in 0..module {
                    for x in 0..module {
                        img.put_pixel(ox + mx * module + x, oy + my * module + y, Luma([ink]));
                    }
                }
            }
        }
    }
    // Text to the right of the quiet zone and below it.
    let text_x0 = 40 + side + 8;
    let mut y = 34;
    while y + 8 < ph - 10 {
        let mut x = if y < 30 + side { text_x0 } else { 30 };
        while x + 24 < pw - 10 {
            let word = rng.range(6.0, 24.0) as u32;
            for yy in y..y + 7 {
                for xx in x..x + word {
                    img.put_pixel(xx, yy, Luma([ink]));
                }
            }
            x += word + 4;
        }
        y += 14;
    }
    let (cx0, cy0) = (ox as f32, oy as f32);
    let s = (n * module) as f32;
    let corners = [
        (cx0, cy0),
        (cx0 + s, cy0),
        (cx0 + s, cy0 + s),
        (cx0, cy0 + s),
    ];
    (img, corners)
}

/// Renders one frame; returns it with the code's corners in frame coordinates.
fn render(w: u32, h: u32, text: &str, p: &Params, rng: &mut Rng) -> GrayImage {
    let code = QrCode::new(text.as_bytes()).unwrap();
    let mut frame = background(w, h, rng);
    let (sheet, code_corners) = paper(&code, p.module, rng);
    let (pw, ph) = (sheet.width() as f32, sheet.height() as f32);

    // Place the code's centre somewhere in the middle half of the frame, then tilt the sheet
    // (trapezoid about its horizontal axis) and rotate it.
    let code_c = (
        (code_corners[0].0 + code_corners[2].0) / 2.0,
        (code_corners[0].1 + code_corners[2].1) / 2.0,
    );
    let centre = (
        rng.range(0.3, 0.7) * w as f32,
        rng.range(0.3, 0.7) * h as f32,
    );
    let (s, c) = p.angle.to_radians().sin_cos();
    let place = |(x, y): (f32, f32)| {
        let (dx, dy) = (x - code_c.0, y - code_c.1);
        // Far (top) edge smaller, near edge larger: linear in y across the sheet.
        let k = 1.0 + p.tilt * dy / (ph / 2.0);
        let (dx, dy) = (dx * k, dy * (1.0 + p.tilt * 0.3 * dy / (ph / 2.0)));
        (centre.0 + c * dx - s * dy, centre.1 + s * dx + c * dy)
    };
    let from = [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)];
    let to = from.map(place);
    let proj = Projection::from_control_points(from, to).unwrap();

    let mut warped = GrayImage::new(w, h);
    warp_into(
        &sheet,
        proj,
        Interpolation::Bilinear,
        Border::Constant(Luma([0])),
        &mut warped,
    );
    let mut mask = GrayImage::new(w, h);
    let solid = GrayImage::from_pixel(sheet.width(), sheet.height(), Luma([255]));
    warp_into(
        &solid,
        proj,
        Interpolation::Bilinear,
        Border::Constant(Luma([0])),
        &mut mask,
    );
    for ((f, s), m) in frame.iter_mut().zip(warped.iter()).zip(mask.iter()) {
        let a = *m as f32 / 255.0;
        *f = (*f as f32 * (1.0 - a) + *s as f32 * a).round() as u8;
    }

    if p.glare {
        let cc = code_corners.map(|q| proj * q);
        let (gx, gy) = (
            (cc[0].0 + cc[2].0) / 2.0 + rng.range(-0.25, 0.25) * p.module as f32 * 25.0,
            (cc[0].1 + cc[2].1) / 2.0 + rng.range(-0.25, 0.25) * p.module as f32 * 25.0,
        );
        let size = ((cc[2].0 - cc[0].0).powi(2) + (cc[2].1 - cc[0].1).powi(2)).sqrt() / 1.41;
        let sigma = size * rng.range(0.12, 0.2);
        let peak = rng.range(230.0, 300.0);
        for (x, y, px) in frame.enumerate_pixels_mut() {
            let d2 = (x as f32 - gx).powi(2) + (y as f32 - gy).powi(2);
            let g = peak * (-d2 / (2.0 * sigma * sigma)).exp();
            px.0[0] = (px.0[0] as f32 + g).min(255.0) as u8;
        }
    }
    if p.contrast < 1.0 {
        let lo = rng.range(20.0, 60.0);
        for px in frame.iter_mut() {
            *px = (lo + *px as f32 * p.contrast).min(255.0) as u8;
        }
    }
    if p.blur > 0.0 {
        frame = imageproc::filter::gaussian_blur_f32(&frame, p.blur);
    }
    if p.noise > 0.0 {
        for px in frame.iter_mut() {
            *px = (*px as f32 + p.noise * rng.gauss())
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
    frame
}

// ---------------------------------------------------------------------------------------------
// The matrix.

struct Condition {
    name: &'static str,
    params: fn(&mut Rng) -> Params,
}

fn conditions() -> Vec<Condition> {
    let base = Params {
        module: 8,
        contrast: 1.0,
        ..Params::default()
    };
    let _ = base;
    vec![
        Condition {
            name: "clean, 8 px/module",
            params: |_| Params {
                module: 8,
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "rotated 10-45 deg",
            params: |r| Params {
                module: 8,
                angle: r.range(10.0, 45.0),
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "perspective (tilt 0.15-0.35)",
            params: |r| Params {
                module: 8,
                angle: r.range(-15.0, 15.0),
                tilt: r.range(0.15, 0.35),
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "blur sigma 1.5-2.5",
            params: |r| Params {
                module: 8,
                angle: r.range(0.0, 45.0),
                blur: r.range(1.5, 2.5),
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "noise sigma 12-25",
            params: |r| Params {
                module: 8,
                angle: r.range(0.0, 45.0),
                noise: r.range(12.0, 25.0),
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "glare blob",
            params: |r| Params {
                module: 8,
                angle: r.range(0.0, 45.0),
                glare: true,
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "dim, contrast x0.3",
            params: |r| Params {
                module: 8,
                angle: r.range(0.0, 45.0),
                noise: 3.0,
                contrast: 0.3,
                ..Params::default()
            },
        },
        Condition {
            name: "small: 5 px/module",
            params: |r| Params {
                module: 5,
                angle: r.range(0.0, 45.0),
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "small + blur 0.8 + noise 8",
            params: |r| Params {
                module: 5,
                angle: r.range(0.0, 45.0),
                blur: 0.8,
                noise: 8.0,
                contrast: 1.0,
                ..Params::default()
            },
        },
        Condition {
            name: "combined (all of the above, milder)",
            params: |r| Params {
                module: 6 + r.below(3),
                angle: r.range(0.0, 45.0),
                tilt: r.range(0.1, 0.25),
                blur: r.range(0.8, 1.5),
                noise: r.range(5.0, 12.0),
                glare: r.unit() < 0.5,
                contrast: 1.0,
            },
        },
    ]
}

const SIZES: [(u32, u32); 2] = [(1280, 720), (1920, 1080)];
const KINDS: [Kind; 3] = [Kind::Bare, Kind::Url, Kind::FullWidth];
/// Frames per (condition, size, payload kind).
const SEEDS: u64 = 4;

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[test]
fn matrix_decodes_95_percent_and_never_a_wrong_id() {
    let mut total = 0;
    let mut decoded = 0;
    let mut wrong = Vec::new();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (ci, cond) in conditions().iter().enumerate() {
        let (mut ok, mut n) = (0, 0);
        let mut ms = [Vec::new(), Vec::new()];
        let mut passes = [0; 4];
        for (si, &(w, h)) in SIZES.iter().enumerate() {
            for (ki, &kind) in KINDS.iter().enumerate() {
                for seed in 0..SEEDS {
                    let mut rng =
                        Rng::new((ci as u64) << 32 | (si as u64) << 24 | (ki as u64) << 16 | seed);
                    let p = (cond.params)(&mut rng);
                    let id = rng.digits(23);
                    let frame = render(w, h, &payload(kind, &id), &p, &mut rng);
                    let start = Instant::now();
                    let scan = qr::scan(&frame);
                    let result = qr::select_form_id(&scan.payloads);
                    ms[si].push(start.elapsed().as_secs_f64() * 1000.0);
                    n += 1;
                    match result {
                        Ok(got) if got.as_str() == id => {
                            ok += 1;
                            passes[scan.pass.map_or(0, |p| p as usize)] += 1;
                        }
                        Ok(got) => wrong.push(format!("{}: {id} read as {got}", cond.name)),
                        Err(e) => {
                            if let Ok(dir) = std::env::var("QR_DUMP") {
                                frame
                                    .save(format!("{dir}/fail-{ci}-{si}-{ki}-{seed}.png"))
                                    .unwrap();
                            }
                            failures.push(format!(
                                "{} {w}x{h} {kind:?} seed {seed} {p:?}: {}",
                                cond.name,
                                e.code()
                            ))
                        }
                    }
                }
            }
        }
        total += n;
        decoded += ok;
        let (m720, m1080) = (median(&mut ms[0]), median(&mut ms[1]));
        rows.push(format!(
            "| {:<36} | {:>4}/{:<4} | {:>7.1} | {:>8.1} | {:>2} / {:>2} / {:>2} / {:>2} |",
            cond.name, ok, n, m720, m1080, passes[0], passes[1], passes[2], passes[3]
        ));
    }

    // Frames without a code: the cost a booth pays on every idle frame.
    let (mut idle_ok, mut idle_ms) = (0, [Vec::new(), Vec::new()]);
    for (si, &(w, h)) in SIZES.iter().enumerate() {
        for seed in 0..6 {
            let mut rng = Rng::new(0xDEAD_0000 + (si as u64) * 100 + seed);
            let mut frame = background(w, h, &mut rng);
            if seed % 2 == 1 {
                for px in frame.iter_mut() {
                    *px = (*px as f32 + 15.0 * rng.gauss()).clamp(0.0, 255.0) as u8;
                }
            }
            if let Ok(dir) = std::env::var("QR_DUMP") {
                frame.save(format!("{dir}/idle-{si}-{seed}.png")).unwrap();
            }
            let start = Instant::now();
            let r = qr::find_form_id(&frame);
            idle_ms[si].push(start.elapsed().as_secs_f64() * 1000.0);
            if r == Err(QrError::NoCode) {
                idle_ok += 1;
            }
        }
    }

    println!();
    println!("| condition                            | decoded   | ms 720p | ms 1080p | direct/resampled/binarized/region |");
    println!("|--------------------------------------|-----------|---------|----------|-----------------------------------|");
    for r in &rows {
        println!("{r}");
    }
    println!(
        "| {:<36} | {:>4}/{:<4} |         |          |                   |",
        "total", decoded, total
    );
    println!(
        "| {:<36} | {:>4}/{:<4} | {:>7.1} | {:>8.1} |                   |",
        "no code in frame (NoCode expected)",
        idle_ok,
        12,
        median(&mut idle_ms[0]),
        median(&mut idle_ms[1])
    );
    println!("(ms: median time of qr::scan per frame; pass: which pass decoded)");
    for f in &failures {
        println!("not decoded: {f}");
    }

    assert!(wrong.is_empty(), "wrong IDs: {wrong:#?}");
    assert_eq!(idle_ok, 12, "a frame without a code must give NoCode");
    assert!(
        decoded * 100 >= total * 95,
        "decoded {decoded}/{total}, below 95%"
    );
    let _ = Pass::Direct;
}
