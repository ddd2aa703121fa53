//! Reading the application form's QR code from a camera frame.
//!
//! People hold paper badly: rotated, tilted, under a lamp, out of focus, far away. `rqrr` reads
//! clean codes quickly, but it binarises with a horizontal running mean and samples one pixel
//! per module, so glare, noise, blur and small modules defeat it. [`scan`] therefore runs passes
//! from cheap to expensive and stops at the first that decodes:
//!
//! 1. `rqrr` as is, on the frame halved when wider than [`DIRECT_MAX_WIDTH`]: codes of 8 px
//!    modules and up, what a booth mostly sees, survive the halving at a quarter of the cost.
//! 2. Resampling: a grid `rqrr` located (three finder patterns, a perspective) but could not
//!    decode is read again from the full-resolution grey levels, each module averaged over five
//!    points and thresholded against the modules around it. This rescues glare and blur.
//! 3. Our binarisation of the full-resolution frame: contrast stretch, then each pixel's 3x3
//!    mean against the mean of a window several modules wide, offset by the measured noise
//!    (one summed-area table, O(1) per pixel); `rqrr` on that, and resampling of what it
//!    locates.
//! 4. Candidate regions, cropped from the stretched frame and upscaled 2x (bilinear) before
//!    being binarised again: the bounds of the grids located above, or else one block of tiles
//!    dense in dark/light transitions both across and down (a QR code at any rotation).
//!
//! A frame without a code pays for all four; `booth-agent/README.md` has the measured costs.
//!
//! The payload is opaque: [`form_id_from_payload`] accepts a bare form ID or a URL carrying one
//! and validates it with the D1 parser. Errors never echo the payload, which may hold personal
//! data.

use image::GrayImage;
use mynumber_photo::application::{FormId, FormIdError};
use thiserror::Error;

/// Frames wider than this are halved for the first pass (1280x720 becomes 640x360). Small
/// codes lost by the halving are read by the full-resolution passes.
pub const DIRECT_MAX_WIDTH: u32 = 640;

/// Why no form ID came out of a frame. Every variant has a stable [`QrError::code`], an English
/// message (`Display`) and a Japanese one ([`QrError::message_ja`]) for the kiosk screen. None
/// contains the payload.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrError {
    #[error("no QR code found: hold the QR code on the application form up to the camera")]
    NoCode,
    #[error(
        "this QR code is not an application form's: hold up the QR code printed on the \
         application form (交付申請書)"
    )]
    NotAnApplicationForm,
    #[error("{}", invalid_form_id_en(.0))]
    InvalidFormId(FormIdError),
    #[error("more than one application form is in view: hold up one form at a time")]
    SeveralForms,
}

impl QrError {
    /// A stable code for logs and the kiosk. `InvalidFormId` takes the D1 parser's code, so the
    /// booth and the web form share one vocabulary (e.g. `form_id_looks_like_my_number`).
    pub fn code(&self) -> &'static str {
        match self {
            QrError::NoCode => "qr_no_code",
            QrError::NotAnApplicationForm => "qr_not_application_form",
            QrError::InvalidFormId(e) => e.code(),
            QrError::SeveralForms => "qr_several_forms",
        }
    }

    /// The message in Japanese for the kiosk screen.
    pub fn message_ja(&self) -> String {
        match self {
            QrError::NoCode => {
                "QRコードが見つかりません。申請書のQRコードをカメラにかざしてください。".to_string()
            }
            QrError::NotAnApplicationForm => "このQRコードは申請書のものではありません。\
                 交付申請書に印刷されたQRコードをかざしてください。"
                .to_string(),
            QrError::InvalidFormId(e) => invalid_form_id_ja(e),
            QrError::SeveralForms => {
                "複数の申請書が映っています。申請書は1枚ずつかざしてください。".to_string()
            }
        }
    }
}

// The D1 messages address someone typing; these address someone holding up a code.
fn invalid_form_id_en(e: &FormIdError) -> String {
    match e {
        FormIdError::LooksLikeMyNumber => "this QR code carries a 12-digit number, which looks \
             like an Individual Number (My Number): hold up the QR code printed on the \
             application form (交付申請書) instead"
            .to_string(),
        // Any other D1 refusal, including variants D1 may add later.
        _ => "this QR code does not carry a valid 23-digit application form ID: hold up the QR \
             code printed on the application form (交付申請書), or enter the ID by hand"
            .to_string(),
    }
}

fn invalid_form_id_ja(e: &FormIdError) -> String {
    match e {
        FormIdError::LooksLikeMyNumber => "このQRコードには12桁の番号が含まれています。\
             個人番号（マイナンバー）と思われます。交付申請書に印刷されたQRコードをかざしてください。"
            .to_string(),
        _ => {
            "このQRコードには有効な申請書ID（23桁）が含まれていません。\
             交付申請書に印刷されたQRコードをかざすか、申請書IDを入力してください。"
                .to_string()
        }
    }
}

/// Reads the form ID from a camera frame: the payloads of [`scan`], then [`select_form_id`].
/// The passes go on while no payload carries a form ID, so another code in view (a poster, a
/// phone) does not hide the form's.
pub fn find_form_id(frame: &GrayImage) -> Result<FormId, QrError> {
    select_form_id(&scan_until(frame, |payloads| select_form_id(payloads).is_ok()).payloads)
}

/// Picks the form ID out of one frame's payloads. Codes without an ID (a poster, a phone) are
/// ignored when one code carries a valid ID; two different valid IDs (two forms in view) are
/// refused rather than guessed between. With no valid ID, the first payload's error is returned.
pub fn select_form_id(payloads: &[String]) -> Result<FormId, QrError> {
    let mut first_err = None;
    let mut found: Option<FormId> = None;
    for p in payloads {
        match form_id_from_payload(p) {
            Ok(id) => match &found {
                Some(f) if *f != id => return Err(QrError::SeveralForms),
                _ => found = Some(id),
            },
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match (found, first_err) {
        (Some(id), _) => Ok(id),
        (None, Some(e)) => Err(e),
        (None, None) => Err(QrError::NoCode),
    }
}

/// The pass of [`scan`] that decoded first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `rqrr` on the frame (or its half).
    Direct,
    /// A grid `rqrr` located but could not decode, resampled from the grey levels.
    Resampled,
    /// Our local-mean binarisation of the whole frame.
    Binarized,
    /// A candidate region, upscaled.
    Region,
}

/// The decoded payloads of a frame and the pass that produced them (`None`: nothing decoded).
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub payloads: Vec<String>,
    pub pass: Option<Pass>,
}

/// Every QR payload readable in the frame, in the order found (deduplicated).
pub fn decode_payloads(frame: &GrayImage) -> Vec<String> {
    scan(frame).payloads
}

/// Runs the passes described in the module documentation, stopping at the first that decodes
/// anything.
pub fn scan(frame: &GrayImage) -> Scan {
    scan_until(frame, |payloads| !payloads.is_empty())
}

/// Runs the passes until `done` accepts the payloads gathered so far, so that a poster's code
/// read in pass 1 does not stop the search for the form's code beside it.
fn scan_until(frame: &GrayImage, done: impl Fn(&[String]) -> bool) -> Scan {
    let (w, h) = frame.dimensions();
    let mut scan = Scan::default();
    if w < 21 || h < 21 {
        return scan;
    }
    let add = |scan: &mut Scan, payloads: Vec<String>, pass| {
        for p in payloads {
            if !scan.payloads.contains(&p) {
                scan.payloads.push(p);
                scan.pass.get_or_insert(pass);
            }
        }
        done(&scan.payloads)
    };

    // Pass 1: rqrr as is, on the half of a large frame.
    let mut located = Vec::new();
    let out = if w > DIRECT_MAX_WIDTH {
        detect_grey(&halve(frame), 2.0, &mut located)
    } else {
        detect_grey(frame, 1.0, &mut located)
    };
    if add(&mut scan, out, Pass::Direct) {
        return scan;
    }
    // Pass 2: what rqrr located, resampled at full resolution.
    if add(&mut scan, resample_all(frame, &located), Pass::Resampled) {
        return scan;
    }

    // Pass 3: our binarisation, at full resolution: halving a 1080p frame loses 5 px modules.
    let stretched = stretch(frame);
    let bits = binarize(&stretched, window_radius(w, h));
    let mut located_bin = Vec::new();
    let out = detect_bits(&bits, w, h, &mut located_bin);
    if add(&mut scan, out, Pass::Binarized)
        || add(
            &mut scan,
            resample_all(frame, &located_bin),
            Pass::Resampled,
        )
    {
        return scan;
    }

    // Pass 4: candidate regions of the stretched frame, upscaled.
    located.append(&mut located_bin);
    let mut regions = merge_rects(located.iter().map(Located::rect).collect(), w, h);
    regions.retain(|r| r.width().max(r.height()) <= MAX_REGION_SIDE);
    regions.truncate(MAX_REGIONS);
    if regions.is_empty() {
        // Nothing located: at most one guess, as it is paid on every frame without a code.
        regions.extend(
            densest_regions(&bits, w, h)
                .into_iter()
                .find(|r| r.width().max(r.height()) <= MAX_GUESS_SIDE),
        );
    }
    for r in &regions {
        let region = upscale2(&crop(&stretched, r));
        let (rw, rh) = region.dimensions();
        let bits = binarize(&region, (rw.min(rh) / 8).max(8));
        let mut located = Vec::new();
        let out = detect_bits(&bits, rw, rh, &mut located);
        if add(&mut scan, out, Pass::Region)
            || add(&mut scan, resample_all(&region, &located), Pass::Region)
        {
            return scan;
        }
    }
    scan
}

/// Located regions tried per frame in pass 4: each costs about as much as a small frame.
const MAX_REGIONS: usize = 2;
/// Located regions larger than this already have modules big enough at full resolution.
const MAX_REGION_SIDE: u32 = 480;
/// A guessed region is paid on idle frames: only small ones, where upscaling matters most.
const MAX_GUESS_SIDE: u32 = 320;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

impl Rect {
    fn width(&self) -> u32 {
        self.x1 - self.x0
    }
    fn height(&self) -> u32 {
        self.y1 - self.y0
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// A grid rqrr located but could not decode: `size` modules a side, and the image points of
/// grid coordinates (0,0), (n+1,0), (n+1,n+1), (0,n+1) -- the corners rqrr reports as bounds.
#[derive(Debug, Clone)]
struct Located {
    quad: [(f64, f64); 4],
    size: usize,
}

impl Located {
    fn rect(&self) -> Rect {
        let (x0, x1) = min_max(self.quad.iter().map(|p| p.0));
        let (y0, y1) = min_max(self.quad.iter().map(|p| p.1));
        Rect {
            x0: x0.max(0.0) as u32,
            y0: y0.max(0.0) as u32,
            x1: x1.max(0.0) as u32,
            y1: y1.max(0.0) as u32,
        }
    }
}

/// rqrr with its own binarisation. `factor` scales grid bounds back to frame coordinates.
fn detect_grey(img: &GrayImage, factor: f64, located: &mut Vec<Located>) -> Vec<String> {
    let w = img.width() as usize;
    let raw = img.as_raw();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, img.height() as usize, |x, y| {
            raw[y * w + x]
        });
    decode_grids(prepared.detect_grids(), factor, located)
}

/// rqrr on our binarisation (`true` is dark).
fn detect_bits(bits: &[bool], w: u32, h: u32, located: &mut Vec<Located>) -> Vec<String> {
    let w = w as usize;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_bitmap(w, h as usize, |x, y| bits[y * w + x]);
    decode_grids(prepared.detect_grids(), 1.0, located)
}

/// Decodes every grid; records those that did not decode.
fn decode_grids<G: rqrr::BitGrid>(
    grids: Vec<rqrr::Grid<G>>,
    factor: f64,
    located: &mut Vec<Located>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for grid in grids {
        match grid.decode() {
            Ok((_, content)) => {
                if !out.contains(&content) {
                    out.push(content);
                }
            }
            Err(_) => located.push(Located {
                quad: grid
                    .bounds
                    .map(|p| (p.x as f64 * factor, p.y as f64 * factor)),
                size: grid.grid.size(),
            }),
        }
    }
    out
}

/// Grids resampled per pass: more is a crowd of false finder-pattern triples.
const MAX_RESAMPLED: usize = 4;

fn resample_all(img: &GrayImage, located: &[Located]) -> Vec<String> {
    let mut out = Vec::new();
    for loc in located.iter().take(MAX_RESAMPLED) {
        if let Some(s) = resample(img, loc) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Reads a located grid again from grey levels: each module is the mean of five points around
/// its centre (noise and blur average out), and is dark when below the mean of the modules
/// around it (a glare gradient moves both alike). rqrr instead takes one pixel of a frame-wide
/// binarisation. Tries a few neighbourhood sizes; Reed-Solomon rejects the wrong ones.
fn resample(img: &GrayImage, loc: &Located) -> Option<String> {
    let n = loc.size;
    if !(21..=177).contains(&n) {
        return None;
    }
    if let Some(s) = read_quad(img, &loc.quad, n, &[3, 2, 5]) {
        return Some(s);
    }
    // The bottom-right corner is extrapolated from the finder patterns (version 1 has no
    // alignment pattern), so under tilt it is the one most often off: nudge it by half a
    // module. Few tries, as each failed one is a (tiny) chance of a Reed-Solomon miscorrection.
    let q = loc.quad;
    let module = (q[1].0 - q[0].0).hypot(q[1].1 - q[0].1) / (n + 1) as f64;
    for (dx, dy) in [
        (0.5, 0.5),
        (-0.5, -0.5),
        (0.5, -0.5),
        (-0.5, 0.5),
        (0.5, 0.0),
        (-0.5, 0.0),
        (0.0, 0.5),
        (0.0, -0.5),
    ] {
        let mut quad = q;
        quad[2] = (q[2].0 + dx * module, q[2].1 + dy * module);
        if let Some(s) = read_quad(img, &quad, n, &[3]) {
            return Some(s);
        }
    }
    None
}

/// Samples the n x n modules of the grid whose corners are `quad` and decodes them, with each
/// threshold neighbourhood radius (in modules) of `radii` in turn.
fn read_quad(img: &GrayImage, quad: &[(f64, f64); 4], n: usize, radii: &[usize]) -> Option<String> {
    let h = Homography::square_to_quad(quad)?;
    let scale = (n + 1) as f64;
    let mut grey = vec![0f32; n * n];
    for y in 0..n {
        for x in 0..n {
            let (u, v) = (x as f64 + 0.5, y as f64 + 0.5);
            let mut sum = 0.0;
            for (du, dv) in [
                (0.0, 0.0),
                (-0.25, -0.25),
                (0.25, -0.25),
                (-0.25, 0.25),
                (0.25, 0.25),
            ] {
                let (px, py) = h.map((u + du) / scale, (v + dv) / scale);
                sum += bilinear(img, px, py);
            }
            grey[y * n + x] = sum / 5.0;
        }
    }
    let integral = integral_f32(&grey, n);
    let ni = n + 1;
    for &k in radii {
        let grid = rqrr::SimpleGrid::from_func(n, |x, y| {
            let (xa, xb) = (x.saturating_sub(k), (x + k + 1).min(n));
            let (ya, yb) = (y.saturating_sub(k), (y + k + 1).min(n));
            let sum = integral[yb * ni + xb] + integral[ya * ni + xa]
                - integral[ya * ni + xb]
                - integral[yb * ni + xa];
            let mean = sum / ((xb - xa) * (yb - ya)) as f32;
            grey[y * n + x] < mean
        });
        if let Ok((_, content)) = rqrr::Grid::new(grid).decode() {
            return Some(content);
        }
    }
    None
}

fn integral_f32(src: &[f32], n: usize) -> Vec<f32> {
    let ni = n + 1;
    let mut out = vec![0f32; ni * ni];
    for y in 0..n {
        let mut row = 0.0;
        for x in 0..n {
            row += src[y * n + x];
            out[(y + 1) * ni + x + 1] = out[y * ni + x + 1] + row;
        }
    }
    out
}

/// Grey level at a sub-pixel point, edges clamped.
fn bilinear(img: &GrayImage, x: f64, y: f64) -> f32 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let x = x.clamp(0.0, (w - 1) as f64);
    let y = y.clamp(0.0, (h - 1) as f64);
    let (x0, y0) = (x as usize, y as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let raw = img.as_raw();
    let p = |x: usize, y: usize| raw[y * w + x] as f32;
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// The projective map of the unit square onto a quadrilateral (Heckbert's closed form).
struct Homography([f64; 8]);

impl Homography {
    /// `q`: images of (0,0), (1,0), (1,1), (0,1). `None` when degenerate.
    fn square_to_quad(q: &[(f64, f64); 4]) -> Option<Homography> {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = *q;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let det = dx1 * dy2 - dx2 * dy1;
        if det.abs() < 1e-9 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / det;
        let hh = (dx1 * dy3 - dx3 * dy1) / det;
        Some(Homography([
            x1 - x0 + g * x1,
            x3 - x0 + hh * x3,
            x0,
            y1 - y0 + g * y1,
            y3 - y0 + hh * y3,
            y0,
            g,
            hh,
        ]))
    }

    fn map(&self, s: f64, t: f64) -> (f64, f64) {
        let [a, b, c, d, e, f, g, h] = self.0;
        let z = g * s + h * t + 1.0;
        ((a * s + b * t + c) / z, (d * s + e * t + f) / z)
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// 2x2 box average: halves the pixel count cheaply, without aliasing the modules.
fn halve(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    let src = img.as_raw();
    let sw = img.width() as usize;
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h as usize {
        let r0 = &src[2 * y * sw..];
        let r1 = &src[(2 * y + 1) * sw..];
        for x in 0..w as usize {
            let s =
                r0[2 * x] as u16 + r0[2 * x + 1] as u16 + r1[2 * x] as u16 + r1[2 * x + 1] as u16;
            out.push(((s + 2) / 4) as u8);
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}

/// Linear stretch of the 1st..99th percentile to 0..255, so the threshold offset means the same
/// in a dim booth as in a bright one.
fn stretch(img: &GrayImage) -> GrayImage {
    let mut hist = [0u32; 256];
    for &p in img.as_raw() {
        hist[p as usize] += 1;
    }
    let n = img.as_raw().len() as u32;
    let (lo, hi) = (percentile(&hist, n / 100), percentile(&hist, n - n / 100));
    if hi <= lo + 8 {
        return img.clone();
    }
    let mut lut = [0u8; 256];
    for (v, l) in lut.iter_mut().enumerate() {
        let t = (v as i32 - lo as i32) * 255 / (hi as i32 - lo as i32);
        *l = t.clamp(0, 255) as u8;
    }
    let data = img.as_raw().iter().map(|&p| lut[p as usize]).collect();
    GrayImage::from_raw(img.width(), img.height(), data).unwrap_or_else(|| img.clone())
}

/// The smallest value with at least `rank` pixels at or below it.
fn percentile(hist: &[u32; 256], rank: u32) -> u8 {
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc >= rank.max(1) {
            return v as u8;
        }
    }
    255
}

/// Local-mean window radius for a frame: wide enough to span a finder pattern's 3x3 centre at
/// the module sizes a booth sees, narrow enough to follow a glare gradient.
fn window_radius(w: u32, h: u32) -> u32 {
    (w.min(h) / 16).clamp(8, 64)
}

/// Sensor noise sigma, estimated from the median absolute difference of horizontal neighbours
/// (for Gaussian noise, 0.954 sigma); edges are too few to move the median.
fn noise_sigma(img: &GrayImage) -> f32 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let mut hist = [0u32; 256];
    let mut n = 0;
    for y in (0..h).step_by(4) {
        let row = &raw[y * w..(y + 1) * w];
        for x in (0..w - 1).step_by(2) {
            hist[row[x].abs_diff(row[x + 1]) as usize] += 1;
            n += 1;
        }
    }
    percentile(&hist, n / 2) as f32 / 0.954
}

/// Adaptive threshold: a pixel's 3x3 mean (against sensor noise) is dark when it is more than
/// an offset below the mean of the (2r+1)^2 window around it. The offset grows with the noise
/// so that plain paper does not speckle. Both means come from one summed-area table.
fn binarize(img: &GrayImage, r: u32) -> Vec<bool> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    // The 3x3 mean divides the noise sigma by 3; 2.5 sigma of that leaves few speckles.
    let delta = (noise_sigma(img) * 2.5 / 3.0).max(MIN_DELTA as f32).round() as u32;
    let integral = integral(img.as_raw(), w, h);
    let iw = w + 1;
    // Keeps sums times areas within u32: 255 * 511^2 * 9 < 2^32.
    let r = (r as usize).min(255);
    // Window columns clipped to the frame, once per column rather than per pixel.
    let span = |x: usize, r: usize| (x.saturating_sub(r), (x + r + 1).min(w));
    let cols_r: Vec<(usize, usize)> = (0..w).map(|x| span(x, r)).collect();
    let cols_3: Vec<(usize, usize)> = (0..w).map(|x| span(x, 1)).collect();
    let row = |y: usize| &integral[y * iw..(y + 1) * iw];
    let mut out = vec![false; w * h];
    for (y, out_row) in out.chunks_exact_mut(w).enumerate() {
        let (ya, yb) = (y.saturating_sub(r), (y + r + 1).min(h));
        let (y3a, y3b) = (y.saturating_sub(1), (y + 2).min(h));
        let (ra, rb, r3a, r3b) = (row(ya), row(yb), row(y3a), row(y3b));
        for ((o, &(xa, xb)), &(x3a, x3b)) in out_row.iter_mut().zip(&cols_r).zip(&cols_3) {
            let sr = rb[xb] + ra[xa] - ra[xb] - rb[xa];
            let ar = ((yb - ya) * (xb - xa)) as u32;
            let s3 = r3b[x3b] + r3a[x3a] - r3a[x3b] - r3b[x3a];
            let a3 = ((y3b - y3a) * (x3b - x3a)) as u32;
            // s3/a3 + delta < sr/ar, without division.
            *o = (s3 + delta * a3) * ar < sr * a3;
        }
    }
    out
}

/// Least dark offset below the local mean, in stretched grey levels.
const MIN_DELTA: u32 = 5;

/// Summed-area table with a zero first row and column: (w+1)*(h+1) entries. u32 holds
/// 255 * 4096 * 4096, far above any camera frame.
fn integral(src: &[u8], w: usize, h: usize) -> Vec<u32> {
    let iw = w + 1;
    let mut out = vec![0u32; iw * (h + 1)];
    for y in 0..h {
        let mut row = 0u32;
        for x in 0..w {
            row += src[y * w + x] as u32;
            out[(y + 1) * iw + x + 1] = out[y * iw + x + 1] + row;
        }
    }
    out
}

/// Overlapping grid bounds merged, grown by a quarter on each side for the quiet zone and any
/// error in the bounds, clipped to the frame; largest first.
fn merge_rects(rects: Vec<Rect>, w: u32, h: u32) -> Vec<Rect> {
    let mut grown: Vec<Rect> = rects
        .into_iter()
        .filter(|r| r.x1 > r.x0 && r.y1 > r.y0)
        .map(|r| {
            let (mx, my) = (r.width() / 4 + 4, r.height() / 4 + 4);
            Rect {
                x0: r.x0.saturating_sub(mx),
                y0: r.y0.saturating_sub(my),
                x1: (r.x1 + mx).min(w),
                y1: (r.y1 + my).min(h),
            }
        })
        .filter(|r| r.x1 > r.x0 + 8 && r.y1 > r.y0 + 8)
        .collect();
    let mut merged: Vec<Rect> = Vec::new();
    while let Some(mut r) = grown.pop() {
        while let Some(i) = grown.iter().position(|o| o.overlaps(&r)) {
            let o = grown.swap_remove(i);
            r = Rect {
                x0: r.x0.min(o.x0),
                y0: r.y0.min(o.y0),
                x1: r.x1.max(o.x1),
                y1: r.y1.max(o.y1),
            };
        }
        merged.push(r);
    }
    merged.sort_by_key(|r| std::cmp::Reverse(r.width() as u64 * r.height() as u64));
    merged
}

/// Tile size for the transition-density map.
const TILE: usize = 16;

/// Blocks of tiles with as many dark/light transitions down as across, like a QR code at any
/// rotation (text is dense across, sparse down); too many is noise, not modules. Largest first.
fn densest_regions(bits: &[bool], w: u32, h: u32) -> Vec<Rect> {
    let (w, h) = (w as usize, h as usize);
    let (tw, th) = (w / TILE, h / TILE);
    if tw == 0 || th == 0 {
        return Vec::new();
    }
    let mut dense = vec![false; tw * th];
    for ty in 0..th {
        for tx in 0..tw {
            let (mut across, mut down) = (0u32, 0u32);
            for y in ty * TILE..(ty + 1) * TILE {
                for x in tx * TILE..(tx + 1) * TILE {
                    let b = bits[y * w + x];
                    across += u32::from(x + 1 < w && bits[y * w + x + 1] != b);
                    down += u32::from(y + 1 < h && bits[(y + 1) * w + x] != b);
                }
            }
            // 16 rows or columns of 5-10 px modules cross 30-80 module edges, at any angle.
            dense[ty * tw + tx] = (24..=100).contains(&across.min(down)) && across.max(down) <= 100;
        }
    }
    // Connected components of dense tiles (4-neighbourhood), as tile bounding boxes.
    let mut seen = vec![false; tw * th];
    let mut blocks: Vec<(usize, Rect)> = Vec::new();
    for start in 0..tw * th {
        if !dense[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let (mut n, mut x0, mut y0, mut x1, mut y1) = (0, tw, th, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % tw, i / tw);
            n += 1;
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            let mut push = |j: usize| {
                if dense[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < tw {
                push(i + 1);
            }
            if y > 0 {
                push(i - tw);
            }
            if y + 1 < th {
                push(i + tw);
            }
        }
        // A code of 21+ modules at 5+ px spans at least 6x6 tiles; anything smaller is texture.
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        if n >= 16 && bw.max(bh) <= 3 * bw.min(bh) {
            let m = 2; // tiles of margin for the quiet zone
            blocks.push((
                n,
                Rect {
                    x0: (x0.saturating_sub(m) * TILE) as u32,
                    y0: (y0.saturating_sub(m) * TILE) as u32,
                    x1: ((x1 + 1 + m).min(tw) * TILE) as u32,
                    y1: ((y1 + 1 + m).min(th) * TILE) as u32,
                },
            ));
        }
    }
    blocks.sort_by_key(|b| std::cmp::Reverse(b.0));
    blocks.into_iter().map(|b| b.1).collect()
}

fn crop(img: &GrayImage, r: &Rect) -> GrayImage {
    image::imageops::crop_imm(img, r.x0, r.y0, r.width(), r.height()).to_image()
}

/// Bilinear 2x upscale: small modules get enough pixels for rqrr's single-pixel sampling.
fn upscale2(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    image::imageops::resize(img, w * 2, h * 2, image::imageops::FilterType::Triangle)
}
/// The form ID a QR payload carries.
///
/// Accepted: the bare ID (full-width digits, spaces and dashes allowed, as `FormId::parse`
/// allows), or an `http(s)` URL with exactly one ID as a query value or a path segment
/// (percent-encoded full-width digits included). A payload made only of digits and separators
/// is judged by the D1 parser (so a 12-digit My Number gets its own error); so is a URL whose
/// only digit components fail it, when one of them has 12 digits or sits in an `id` parameter.
/// Everything else is not an application form.
pub fn form_id_from_payload(payload: &str) -> Result<FormId, QrError> {
    let payload = payload.trim();
    if is_digit_like(payload) {
        return FormId::parse(payload).map_err(QrError::InvalidFormId);
    }
    let Some(components) = url_components(payload) else {
        return Err(QrError::NotAnApplicationForm);
    };
    let mut found: Option<FormId> = None;
    let mut refusal: Option<FormIdError> = None;
    for (key, value) in components {
        if !is_digit_like(&value) {
            continue;
        }
        match FormId::parse(&value) {
            Ok(id) => match &found {
                // Two different IDs: we cannot tell which is the form's.
                Some(f) if *f != id => return Err(QrError::NotAnApplicationForm),
                _ => found = Some(id),
            },
            Err(e) => {
                let id_key = key.as_deref().is_some_and(is_id_key);
                if e == FormIdError::LooksLikeMyNumber || id_key {
                    refusal.get_or_insert(e);
                }
            }
        }
    }
    match (found, refusal) {
        (Some(id), _) => Ok(id),
        (None, Some(e)) => Err(QrError::InvalidFormId(e)),
        (None, None) => Err(QrError::NotAnApplicationForm),
    }
}

/// Only digits (ASCII or full-width), whitespace and dashes, with at least one digit.
fn is_digit_like(s: &str) -> bool {
    let mut digit = false;
    for c in s.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            digit = true;
        } else if !(c.is_whitespace() || is_dash(c)) {
            return false;
        }
    }
    digit
}

/// The dashes `FormId::parse` skips (its `text::is_dash` is private to the main crate).
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | 'ー' | 'ｰ'
    )
}

/// Query keys that name the form ID: `id`, `form_id`, `formId`, `application-id`, ...
fn is_id_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "id" || k.ends_with("_id") || k.ends_with("-id") || k.ends_with("formid")
}

/// Path segments (key `None`) and query/fragment parameters (key, value) of an http(s) URL,
/// percent-decoded; `None` when the payload is not such a URL.
fn url_components(payload: &str) -> Option<Vec<(Option<String>, String)>> {
    let lower = payload.get(..8).unwrap_or(payload).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &payload[8..]
    } else if lower.starts_with("http://") {
        &payload[7..]
    } else {
        return None;
    };
    if rest.chars().any(char::is_whitespace) {
        return None;
    }
    let (before_fragment, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    // The host is the first path element; a form ID is never a host name.
    let mut out: Vec<(Option<String>, String)> = path
        .split('/')
        .skip(1)
        .filter(|s| !s.is_empty())
        .filter_map(|s| percent_decode(s, false).map(|v| (None, v)))
        .collect();
    for pair in query.split('&').chain(fragment.split('&')) {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or(("", pair));
        if let (Some(k), Some(v)) = (percent_decode(k, true), percent_decode(v, true)) {
            out.push((Some(k), v));
        }
    }
    Some(out)
}

/// `%XX` escapes (and `+` as a space in queries) to UTF-8; `None` when malformed.
fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn homography_maps_the_unit_square_onto_the_quad() {
        let quad = [(10.0, 20.0), (110.0, 30.0), (120.0, 140.0), (5.0, 120.0)];
        let h = Homography::square_to_quad(&quad).unwrap();
        for ((s, t), (x, y)) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .into_iter()
            .zip(quad)
        {
            let (mx, my) = h.map(s, t);
            assert!((mx - x).abs() < 1e-9 && (my - y).abs() < 1e-9, "{s},{t}");
        }
        assert!(Homography::square_to_quad(&[(0.0, 0.0); 4]).is_none());
    }

    #[test]
    fn binarize_marks_dark_ink_on_paper_and_nothing_on_plain_paper() {
        let mut img = GrayImage::from_pixel(200, 200, Luma([220]));
        for y in 80..120 {
            for x in 80..120 {
                img.put_pixel(x, y, Luma([40]));
            }
        }
        let bits = binarize(&img, 30);
        assert!(bits[100 * 200 + 100]);
        assert!(!bits[20 * 200 + 20]);
        let plain = GrayImage::from_pixel(100, 100, Luma([200]));
        assert!(binarize(&plain, 20).iter().all(|&b| !b));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("%EF%BC%91a+b", true).as_deref(),
            Some("１a b")
        );
        assert_eq!(percent_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%E3%81", true), None);
        assert_eq!(percent_decode("%G1", true), None);
        assert_eq!(percent_decode("%4", true), None);
    }

    #[test]
    fn id_keys() {
        for k in ["id", "ID", "form_id", "application-id", "formId"] {
            assert!(is_id_key(k), "{k}");
        }
        for k in ["page", "lang", "paid", "v"] {
            assert!(!is_id_key(k), "{k}");
        }
    }

    #[test]
    fn halving_averages_2x2_blocks() {
        let img = GrayImage::from_fn(5, 4, |x, _| Luma([if x % 2 == 0 { 0 } else { 200 }]));
        let half = halve(&img);
        assert_eq!(half.dimensions(), (2, 2));
        assert!(half.pixels().all(|p| p.0[0] == 100));
    }
}
