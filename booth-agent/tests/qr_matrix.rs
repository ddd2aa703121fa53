//! The QR reader against how people hold paper: a generated matrix of frames (payload kinds x
//! frame sizes x conditions), plus the payload rules. Deterministic: a seeded xorshift drives
//! every random choice, so a failure reproduces.
//!
//! `cargo test -p booth-agent --release --test qr_matrix -- --nocapture --test-threads=1` prints
//! the per-condition table (booth-agent/README.md has a measured one).

use std::time::Instant;

use booth_agent::qr::{self, QrError};
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
    /// Part of the 95% requirement; uncounted rows probe beyond it.
    counted: bool,
}

/// A sharp, upright, evenly lit code: the starting point every condition degrades.
const BASE: Params = Params {
    module: 8,
    angle: 0.0,
    tilt: 0.0,
    blur: 0.0,
    noise: 0.0,
    glare: false,
    contrast: 1.0,
};

fn conditions() -> Vec<Condition> {
    let c = |name, params| Condition {
        name,
        params,
        counted: true,
    };
    vec![
        c("clean, 8 px/module", |_| BASE),
        c("rotated 10-45 deg", |r| Params {
            angle: r.range(10.0, 45.0),
            ..BASE
        }),
        c("perspective: tilt 0.15-0.35, +-15 deg", |r| Params {
            angle: r.range(-15.0, 15.0),
            tilt: r.range(0.15, 0.35),
            ..BASE
        }),
        c("blur sigma 1.5-2.5 px", |r| Params {
            angle: r.range(0.0, 45.0),
            blur: r.range(1.5, 2.5),
            ..BASE
        }),
        c("noise sigma 12-25", |r| Params {
            angle: r.range(0.0, 45.0),
            noise: r.range(12.0, 25.0),
            ..BASE
        }),
        c("glare: saturating blob on the code", |r| Params {
            angle: r.range(0.0, 45.0),
            glare: true,
            ..BASE
        }),
        c("dim: contrast x0.3, noise 3", |r| Params {
            angle: r.range(0.0, 45.0),
            noise: 3.0,
            contrast: 0.3,
            ..BASE
        }),
        c("small: 5 px/module", |r| Params {
            module: 5,
            angle: r.range(0.0, 45.0),
            ..BASE
        }),
        c("small + blur 0.8 + noise 8", |r| Params {
            module: 5,
            angle: r.range(0.0, 45.0),
            blur: 0.8,
            noise: 8.0,
            ..BASE
        }),
        c("combined: 6-8 px, all milder", |r| Params {
            module: 6 + r.below(3),
            angle: r.range(0.0, 45.0),
            tilt: r.range(0.1, 0.25),
            blur: r.range(0.8, 1.5),
            noise: r.range(5.0, 12.0),
            glare: r.unit() < 0.5,
            contrast: 1.0,
        }),
        Condition {
            name: "(beyond spec) tiny: 4 px/module",
            params: |r| Params {
                module: 4,
                angle: r.range(0.0, 45.0),
                ..BASE
            },
            counted: false,
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

/// The matrix: every condition x both frame sizes x three payload kinds x `SEEDS`. Set
/// `QR_DUMP=DIR` to save the frames that did not decode.
#[test]
fn matrix_decodes_95_percent_and_never_a_wrong_id() {
    let dump = std::env::var("QR_DUMP").ok();
    let (mut total, mut decoded) = (0, 0);
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
                    match (result, scan.pass) {
                        (Ok(got), Some(pass)) if got.as_str() == id => {
                            ok += 1;
                            passes[pass as usize] += 1;
                        }
                        (Ok(got), _) => wrong.push(format!("{}: {id} read as {got}", cond.name)),
                        (Err(e), _) => {
                            if let Some(dir) = &dump {
                                let file = format!("{dir}/fail-{ci}-{si}-{ki}-{seed}.png");
                                frame.save(file).unwrap();
                            }
                            failures.push(format!(
                                "{} {w}x{h} {kind:?} seed {seed}: {} ({p:?})",
                                cond.name,
                                e.code()
                            ));
                        }
                    }
                }
            }
        }
        if cond.counted {
            total += n;
            decoded += ok;
        }
        let max = ms.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
        rows.push(format!(
            "| {:<38} | {:>7} | {:>9.1} | {:>10.1} | {:>6.1} | {:>13} |",
            cond.name,
            format!("{ok}/{n}"),
            median(&mut ms[0]),
            median(&mut ms[1]),
            max,
            format!("{}/{}/{}/{}", passes[0], passes[1], passes[2], passes[3]),
        ));
    }

    // Frames without a code, plain and noisy: the cost a booth pays on every idle frame.
    let (mut idle_ok, mut idle_n, mut idle_ms) = (0, 0, [Vec::new(), Vec::new()]);
    for (si, &(w, h)) in SIZES.iter().enumerate() {
        for seed in 0..6 {
            let mut rng = Rng::new(0xDEAD_0000 + (si as u64) * 100 + seed);
            let mut frame = background(w, h, &mut rng);
            if seed % 2 == 1 {
                for px in frame.iter_mut() {
                    *px = (*px as f32 + 15.0 * rng.gauss()).clamp(0.0, 255.0) as u8;
                }
            }
            let start = Instant::now();
            let r = qr::find_form_id(&frame);
            idle_ms[si].push(start.elapsed().as_secs_f64() * 1000.0);
            idle_n += 1;
            if r == Err(QrError::NoCode) {
                idle_ok += 1;
            }
        }
    }

    let idle_max = idle_ms.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
    println!();
    println!(
        "| {:<38} | decoded | 720p (ms) | 1080p (ms) | max ms | d/r/b/u       |",
        "condition (24 frames each)"
    );
    println!(
        "|{:-<40}|---------|-----------|------------|--------|---------------|",
        ""
    );
    for r in &rows {
        println!("{r}");
    }
    println!(
        "| {:<38} | {:>7} |           |            |        |               |",
        "total (rows required by the issue)",
        format!("{decoded}/{total}")
    );
    println!(
        "| {:<38} | {:>7} | {:>9.1} | {:>10.1} | {:>6.1} |               |",
        "no code in frame (NoCode expected)",
        format!("{idle_ok}/{idle_n}"),
        median(&mut idle_ms[0]),
        median(&mut idle_ms[1]),
        idle_max
    );
    println!(
        "decoded: the right form ID. 720p/1080p: median qr::scan time per frame. d/r/b/u: frames \
         decoded by pass 1 direct / 2 resampled / 3 binarised / 4 upscaled region."
    );
    for f in &failures {
        println!("not decoded: {f}");
    }

    assert!(wrong.is_empty(), "wrong IDs: {wrong:#?}");
    assert_eq!(idle_ok, idle_n, "a frame without a code must give NoCode");
    assert!(
        decoded * 100 >= total * 95,
        "decoded {decoded}/{total}, below 95%"
    );
}

// ---------------------------------------------------------------------------------------------
// Payload rules.

const ID: &str = "12345678901234567890123";

/// `%XX`-encodes every non-ASCII byte, as a URL builder does.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn payloads_carrying_an_id_are_accepted() {
    let wide = payload(Kind::FullWidth, ID);
    for p in [
        ID.to_string(),
        format!("  {ID}\n"),
        "1234-5678-9012-3456-7890-123".to_string(),
        "1234 5678 9012 3456 7890 123".to_string(),
        wide.clone(),
        format!("https://apply.example.jp/form?id={ID}"),
        format!("HTTPS://apply.example.jp/form?lang=ja&formId={ID}#top"),
        format!("http://apply.example.jp/2024/forms/{ID}"),
        format!("https://apply.example.jp/forms/{ID}/?page=2"),
        "https://apply.example.jp/form?id=1234-5678-9012-3456-7890-123".to_string(),
        "https://apply.example.jp/form?id=1234+5678+9012+3456+7890+123".to_string(),
        format!("https://apply.example.jp/form?id={}", percent_encode(&wide)),
        format!("https://apply.example.jp/form?id={ID}&copy={ID}"),
    ] {
        let id = qr::form_id_from_payload(&p).unwrap_or_else(|e| panic!("{p}: {e:?}"));
        assert_eq!(id.as_str(), ID, "{p}");
    }
}

#[test]
fn payloads_without_an_id_are_not_an_application_form() {
    for p in [
        "",
        "hello",
        "WIFI:S:booth;T:WPA;P:secret;;",
        "BEGIN:VCARD\nFN:Taro Yamada\nTEL:0312345678\nEND:VCARD",
        "https://example.com/",
        "https://example.jp/news/2024/05/01",
        "https://apply.example.jp/form?id=abc",
        "https://apply.example.jp/form?page=12345",
        "ftp://apply.example.jp/12345678901234567890123",
        "javascript:alert('12345678901234567890123')",
        "申請書ID 12345678901234567890123",
        "https://apply.example.jp/form?id=12345678901234567890123&id=98765432109876543210987",
        "https://apply.example.jp/form?id=%E3%81",
    ] {
        assert_eq!(
            qr::form_id_from_payload(p),
            Err(QrError::NotAnApplicationForm),
            "{p}"
        );
    }
}

#[test]
fn a_12_digit_number_is_refused_as_a_my_number() {
    for p in [
        "123456789012",
        "1234 5678 9012",
        "１２３４５６７８９０１２",
        "https://example.jp/check?mynumber=123456789012",
        "https://example.jp/p/1234-5678-9012",
    ] {
        assert_eq!(
            qr::form_id_from_payload(p),
            Err(QrError::InvalidFormId(FormIdError::LooksLikeMyNumber)),
            "{p}"
        );
    }
    let e = QrError::InvalidFormId(FormIdError::LooksLikeMyNumber);
    assert_eq!(e.code(), "form_id_looks_like_my_number");
    assert!(e.to_string().contains("My Number"));
    assert!(e.message_ja().contains("マイナンバー"));
}

#[test]
fn wrong_lengths_are_invalid_form_ids() {
    for (p, n) in [
        ("1234567890123456789012", 22),
        ("123456789012345678901234", 24),
        ("https://apply.example.jp/form?id=12345", 5),
        ("https://apply.example.jp/form?form_id=１２３", 3),
    ] {
        assert_eq!(
            qr::form_id_from_payload(p),
            Err(QrError::InvalidFormId(FormIdError::WrongLength(n))),
            "{p}"
        );
    }
}

#[test]
fn errors_have_stable_codes_and_never_echo_the_payload() {
    let cases = [
        (QrError::NoCode, "qr_no_code"),
        (QrError::NotAnApplicationForm, "qr_not_application_form"),
        (QrError::SeveralForms, "qr_several_forms"),
        (
            QrError::InvalidFormId(FormIdError::WrongLength(22)),
            "form_id_wrong_length",
        ),
    ];
    for (e, code) in cases {
        assert_eq!(e.code(), code);
        assert!(!e.to_string().is_empty() && !e.message_ja().is_empty());
    }
    for p in [
        "123456789012",
        "1234567890123456789012",
        "https://apply.example.jp/form?id=12345&name=Yamada",
        "BEGIN:VCARD\nFN:Taro Yamada\nEND:VCARD",
    ] {
        let e = qr::form_id_from_payload(p).unwrap_err();
        for text in [e.to_string(), e.message_ja(), format!("{e:?}")] {
            for secret in ["1234567", "Yamada", "example"] {
                assert!(!text.contains(secret), "{p}: {text}");
            }
        }
    }
}

#[test]
fn select_ignores_other_codes_but_refuses_two_forms() {
    let id = ID.to_string();
    let other = "98765432109876543210987".to_string();
    let poster = "https://example.com/campaign".to_string();
    assert_eq!(
        qr::select_form_id(&[poster.clone(), id.clone()])
            .unwrap()
            .as_str(),
        ID
    );
    assert_eq!(
        qr::select_form_id(&[id.clone(), id.clone()])
            .unwrap()
            .as_str(),
        ID
    );
    assert_eq!(qr::select_form_id(&[id, other]), Err(QrError::SeveralForms));
    assert_eq!(
        qr::select_form_id(&[poster]),
        Err(QrError::NotAnApplicationForm)
    );
    assert_eq!(qr::select_form_id(&[]), Err(QrError::NoCode));
}

// ---------------------------------------------------------------------------------------------
// Whole frames with the wrong codes.

/// A grey frame with upright codes pasted at the given top-left corners, 8 px per module.
fn frame_with_codes(codes: &[(&str, i64, i64)]) -> GrayImage {
    let mut frame = GrayImage::from_pixel(1280, 720, Luma([120]));
    for &(text, x, y) in codes {
        let img = QrCode::new(text.as_bytes())
            .unwrap()
            .render::<Luma<u8>>()
            .module_dimensions(8, 8)
            .build();
        image::imageops::replace(&mut frame, &img, x, y);
    }
    frame
}

#[test]
fn frames_with_the_wrong_code_are_refused() {
    let my_number = frame_with_codes(&[("123456789012", 500, 200)]);
    assert_eq!(
        qr::find_form_id(&my_number),
        Err(QrError::InvalidFormId(FormIdError::LooksLikeMyNumber))
    );
    let junk = frame_with_codes(&[("https://example.com/campaign?utm=qr", 500, 200)]);
    assert_eq!(qr::find_form_id(&junk), Err(QrError::NotAnApplicationForm));
    let empty = GrayImage::from_pixel(1280, 720, Luma([120]));
    assert_eq!(qr::find_form_id(&empty), Err(QrError::NoCode));
    let tiny = GrayImage::from_pixel(10, 10, Luma([120]));
    assert_eq!(qr::find_form_id(&tiny), Err(QrError::NoCode));
}

#[test]
fn a_poster_beside_the_form_is_ignored_but_two_forms_are_refused() {
    let poster_and_form =
        frame_with_codes(&[("https://example.com/campaign", 100, 150), (ID, 800, 200)]);
    assert_eq!(qr::find_form_id(&poster_and_form).unwrap().as_str(), ID);
    let two_forms = frame_with_codes(&[(ID, 100, 150), ("98765432109876543210987", 800, 200)]);
    assert_eq!(qr::find_form_id(&two_forms), Err(QrError::SeveralForms));
}
