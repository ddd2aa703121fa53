//! P12 focus, P13 exposure, P14 compression blocking, P15 red eye, P21 monochrome.
//!
//! Focus and exposure are measured on a patch of the face resampled so that the eyes are a
//! fixed distance apart: the figures mean the same on a 1 MP and a 12 MP photo.

use serde_json::json;

use super::{finding, not_assessed, r3};
use crate::vetting::pixels::{bilinear, luma, mean_std, saturation};
use crate::vetting::report::{Finding, Status};
use crate::vetting::Ctx;

/// Patch side in pixels; the eye distance is PATCH/2 in it.
pub const PATCH: usize = 96;

/// Grey face patch from the brows to below the mouth, roll undone, eye distance = PATCH/2.
pub struct FacePatch {
    pub grey: Vec<f32>,
    pub sat: Vec<f32>,
}

pub fn face_patch(ctx: &Ctx) -> FacePatch {
    let f = ctx.face;
    let k = f.ipd / (PATCH as f32 / 2.0); // work pixels per patch pixel
                                          // Average n x n taps per patch pixel when shrinking, so fine texture does not alias.
    let n = (k.ceil() as usize).clamp(1, 4);
    let centre = {
        let e = f.eye_mid();
        let up = f.up();
        // The patch centre sits 0.45 eye distances below the eye line (between eyes and mouth).
        [e[0] - up[0] * f.ipd * 0.45, e[1] - up[1] * f.ipd * 0.45]
    };
    let (sin, cos) = f.roll.to_radians().sin_cos();
    let mut grey = Vec::with_capacity(PATCH * PATCH);
    let mut sat = Vec::with_capacity(PATCH * PATCH);
    for v in 0..PATCH {
        for u in 0..PATCH {
            let mut acc = [0.0f32; 3];
            for j in 0..n {
                for i in 0..n {
                    let du = (u as f32 + (i as f32 + 0.5) / n as f32 - PATCH as f32 / 2.0) * k;
                    let dv = (v as f32 + (j as f32 + 0.5) / n as f32 - PATCH as f32 / 2.0) * k;
                    let p = bilinear(
                        ctx.scene.work,
                        centre[0] + du * cos - dv * sin,
                        centre[1] + du * sin + dv * cos,
                    );
                    for c in 0..3 {
                        acc[c] += p[c];
                    }
                }
            }
            let m = (n * n) as f32;
            let p = [acc[0] / m, acc[1] / m, acc[2] / m];
            grey.push(luma(p));
            sat.push(saturation(p));
        }
    }
    FacePatch { grey, sat }
}

/// Standard deviation of the 4-neighbour Laplacian over the inner patch.
fn laplacian_sd(g: &[f32]) -> f32 {
    let n = PATCH;
    let mut v = Vec::with_capacity(n * n);
    for y in 2..n - 2 {
        for x in 2..n - 2 {
            let i = y * n + x;
            v.push(4.0 * g[i] - g[i - 1] - g[i + 1] - g[i - n] - g[i + n]);
        }
    }
    mean_std(&v).1
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let p = &ctx.profile.quality;
    let patch = face_patch(ctx);
    let (mean_l, sd_l) = mean_std(&patch.grey);
    let lap = laplacian_sd(&patch.grey);
    // Sharpness relative to contrast, so a dim but sharp face is not called blurred.
    let sharpness = lap / sd_l.max(1.0);
    let mut out = Vec::new();
    let m12 = json!({"laplacian_sd": r3(lap), "sharpness": r3(sharpness)});
    let t12 = json!({"min_sharpness": p.min_sharpness, "warn_sharpness": p.warn_sharpness});
    out.push(if sharpness < p.min_sharpness {
        finding("P12", Status::Fail, m12, t12, "P12.blur")
    } else if sharpness < p.warn_sharpness {
        finding("P12", Status::Warn, m12, t12, "P12.soft")
    } else {
        finding("P12", Status::Pass, m12, t12, "P12.ok")
    });

    let n = patch.grey.len() as f32;
    let clipped = patch.grey.iter().filter(|&&l| l >= 250.0).count() as f32 / n;
    let crushed = patch.grey.iter().filter(|&&l| l <= 8.0).count() as f32 / n;
    let m13 = json!({"face_luma": r3(mean_l), "face_contrast": r3(sd_l), "clipped": r3(clipped), "crushed": r3(crushed)});
    let t13 = json!({"luma": [p.min_face_luma, p.max_face_luma], "min_contrast": p.min_contrast, "max_clipped": p.max_clipped});
    out.push(if mean_l < p.min_face_luma || crushed > p.max_clipped {
        finding("P13", Status::Fail, m13, t13, "P13.dark")
    } else if mean_l > p.max_face_luma || clipped > p.max_clipped {
        finding("P13", Status::Fail, m13, t13, "P13.bright")
    } else if sd_l < p.min_contrast {
        finding("P13", Status::Warn, m13, t13, "P13.flat")
    } else {
        finding("P13", Status::Pass, m13, t13, "P13.ok")
    });

    out.push(blocking(ctx));
    out.push(red_eye(ctx));

    let (face_sat, _) = mean_std(&patch.sat);
    let mono = face_sat < p.monochrome_max_saturation;
    out.push(finding(
        "P21",
        Status::Pass,
        json!({"face_saturation": r3(face_sat), "monochrome": mono}),
        json!({"monochrome_below": p.monochrome_max_saturation}),
        if mono { "P21.mono" } else { "P21.colour" },
    ));
    out
}

/// JPEG blocking: luma steps on the 8x8 grid (at the decode scale) against steps elsewhere,
/// around the face.
fn blocking(ctx: &Ctx) -> Finding {
    let p = &ctx.profile.quality;
    let block = (8.0 * ctx.scene.scale).round() as u32;
    if block < 4 || ctx.scene.source.format != crate::vetting::input::Format::Jpeg {
        return not_assessed("P14", "P14.not_assessed");
    }
    let img = ctx.scene.work;
    let f = ctx.face;
    let b = f.detection.bbox;
    let (w, h) = img.dimensions();
    let x0 = (b[0].max(0.0) as u32).min(w - 1);
    let x1 = (b[2].max(0.0) as u32).min(w - 1);
    let y0 = (b[1].max(0.0) as u32).min(h - 1);
    let y1 = (b[3].max(0.0) as u32).min(h - 1);
    let (mut on, mut on_n, mut off, mut off_n) = (0.0f64, 0u32, 0.0f64, 0u32);
    for y in y0..y1 {
        for x in x0.max(1)..x1 {
            let d = (crate::vetting::pixels::luma_u8(img.get_pixel(x, y))
                - crate::vetting::pixels::luma_u8(img.get_pixel(x - 1, y)))
            .abs() as f64;
            if x % block == 0 {
                on += d;
                on_n += 1;
            } else {
                off += d;
                off_n += 1;
            }
        }
    }
    if on_n == 0 || off_n == 0 {
        return not_assessed("P14", "P14.not_assessed");
    }
    let ratio = ((on / on_n as f64) / (off / off_n as f64).max(0.05)) as f32;
    let m = json!({"block_edge_ratio": r3(ratio)});
    let t = json!({"max": p.max_block_ratio});
    if ratio > p.max_block_ratio {
        finding("P14", Status::Fail, m, t, "P14.blocky")
    } else {
        finding("P14", Status::Pass, m, t, "P14.ok")
    }
}

/// Share of strongly red pixels inside a small disc on each eye centre.
fn red_eye(ctx: &Ctx) -> Finding {
    let p = &ctx.profile.quality;
    let f = ctx.face;
    let r = (f.ipd * 0.08).max(1.5);
    let mut worst = 0.0f32;
    for e in f.eyes {
        let (mut red, mut n) = (0u32, 0u32);
        let steps = 8;
        for i in -steps..=steps {
            for j in -steps..=steps {
                let (dx, dy) = (r * i as f32 / steps as f32, r * j as f32 / steps as f32);
                if dx * dx + dy * dy > r * r {
                    continue;
                }
                let c = bilinear(ctx.scene.work, e[0] + dx, e[1] + dy);
                n += 1;
                if c[0] > 90.0 && c[0] > 1.8 * c[1] && c[0] > 1.8 * c[2] {
                    red += 1;
                }
            }
        }
        worst = worst.max(red as f32 / n.max(1) as f32);
    }
    let m = json!({"red_pupil_fraction": r3(worst)});
    let t = json!({"max": p.max_red_eye_fraction});
    if worst > p.max_red_eye_fraction {
        finding("P15", Status::Fail, m, t, "P15.red")
    } else {
        finding("P15", Status::Pass, m, t, "P15.ok")
    }
}
