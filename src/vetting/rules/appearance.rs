//! P16 glasses, P17 head covering, P18 hair over the eyes, P19 mask, P20 altered look.
//!
//! These are measured heuristics, not models trained for the purpose. When one sees a sign it
//! warns with its measurement and the photo goes to a person; the README lists which are
//! validated on real photos.

use serde_json::json;

use super::{finding, r3};
use crate::vetting::face::idx;
use crate::vetting::pixels::{bilinear, luma, mean_std, saturation, Pt};
use crate::vetting::report::{CropRect, Finding, Status};
use crate::vetting::Ctx;

/// Samples an n x n grid over a rectangle given in the face frame: centre `c`, half-sizes in
/// eye distances along the eye line (`hw`) and up the face (`hh`).
fn sample(ctx: &Ctx, c: Pt, hw: f32, hh: f32, n: usize) -> Vec<[f32; 3]> {
    let f = ctx.face;
    let up = f.up();
    let right = [-up[1], up[0]];
    let mut out = Vec::with_capacity(n * n);
    for j in 0..n {
        for i in 0..n {
            let u = (i as f32 + 0.5) / n as f32 * 2.0 - 1.0;
            let v = (j as f32 + 0.5) / n as f32 * 2.0 - 1.0;
            let x = c[0] + right[0] * u * hw * f.ipd - up[0] * v * hh * f.ipd;
            let y = c[1] + right[1] * u * hw * f.ipd - up[1] * v * hh * f.ipd;
            out.push(bilinear(ctx.scene.work, x, y));
        }
    }
    out
}

fn along(p: Pt, dir: Pt, d: f32) -> Pt {
    [p[0] + dir[0] * d, p[1] + dir[1] * d]
}

fn chroma(c: &[f32; 3]) -> [f32; 2] {
    let s = (c[0] + c[1] + c[2]).max(1.0);
    [c[0] / s, c[1] / s]
}

fn mean_chroma(v: &[[f32; 3]]) -> [f32; 2] {
    let n = v.len().max(1) as f32;
    let s = v.iter().fold([0.0, 0.0], |a, c| {
        let k = chroma(c);
        [a[0] + k[0], a[1] + k[1]]
    });
    [s[0] / n, s[1] / n]
}

fn mean_luma(v: &[[f32; 3]]) -> f32 {
    mean_std(&v.iter().map(|c| luma(*c)).collect::<Vec<_>>()).0
}

pub fn check(ctx: &Ctx, _crop: Option<CropRect>) -> Vec<Finding> {
    let cheeks: Vec<[f32; 3]> = [50usize, 280]
        .iter()
        .flat_map(|&i| sample(ctx, ctx.face.mesh.p(i), 0.12, 0.12, 8))
        .collect();
    vec![
        glasses(ctx, &cheeks),
        head_covering(ctx),
        hair_over_eyes(ctx, &cheeks),
        mask(ctx, &cheeks),
        altered(ctx, &cheeks),
    ]
}

/// Glare: near-white, unsaturated pixels around each eye beyond the catchlight disc.
/// Frame: a dark bar across the nose bridge between the eyes.
fn glasses(ctx: &Ctx, cheeks: &[[f32; 3]]) -> Finding {
    let p = &ctx.profile.appearance;
    let f = ctx.face;
    let mut glare = 0.0f32;
    for e in f.eyes {
        let n = 24;
        let v = sample(ctx, e, 0.45, 0.28, n);
        let mut bright = 0;
        for (k, c) in v.iter().enumerate() {
            let (i, j) = ((k % n) as f32, (k / n) as f32);
            let u = ((i + 0.5) / n as f32 * 2.0 - 1.0) * 0.45;
            let w = ((j + 0.5) / n as f32 * 2.0 - 1.0) * 0.28;
            if u * u + w * w < 0.12 * 0.12 {
                continue; // the iris: catchlights are normal
            }
            if luma(*c) > p.glare_luma && saturation(*c) < 0.25 {
                bright += 1;
            }
        }
        glare = glare.max(bright as f32 / v.len() as f32);
    }
    let bridge = sample(ctx, along(f.eye_mid(), f.up(), 0.05 * 1.0), 0.08, 0.12, 8);
    let bridge_ratio = mean_luma(&bridge) / mean_luma(cheeks).max(1.0);
    let m = json!({"lens_glare_fraction": r3(glare), "bridge_over_cheek_luma": r3(bridge_ratio)});
    let t =
        json!({"max_glare_fraction": p.max_glare_fraction, "min_bridge_ratio": p.min_bridge_ratio});
    if glare > p.max_glare_fraction {
        finding("P16", Status::Warn, m, t, "P16.glare")
    } else if bridge_ratio < p.min_bridge_ratio {
        finding("P16", Status::Warn, m, t, "P16.frame")
    } else {
        finding("P16", Status::Pass, m, t, "P16.ok")
    }
}

/// A hat sits wider than the top of a head: the person mask a little below the crown spans far
/// more than the face is wide (a mortarboard, a brim, a peaked cap), where hair follows the
/// skull and narrows towards the top. Or it rises above the forehead in a colour unlike the
/// hair at the temples.
fn head_covering(ctx: &Ctx) -> Finding {
    let p = &ctx.profile.appearance;
    let f = ctx.face;
    let up = f.up();
    let right = [-up[1], up[0]];
    let e = f.eye_mid();
    let crown_above = ((f.crown[0] - e[0]) * up[0] + (f.crown[1] - e[1]) * up[1]).max(f.ipd);
    let face_w =
        crate::vetting::pixels::dist(f.mesh.p(idx::CHEEK_L), f.mesh.p(idx::CHEEK_R)).max(1.0);
    // Widest run of person pixels through the midline, over rows from 10% to 40% of the way
    // down from the crown to the eyes.
    let mut widest = 0.0f32;
    for k in 0..8 {
        let frac = 0.1 + 0.3 * k as f32 / 7.0;
        let c = along(e, up, crown_above * (1.0 - frac));
        let step = f.ipd * 0.02;
        let mut w = 0.0;
        for dir in [1.0f32, -1.0] {
            let mut t = 0.0;
            while t < face_w * 2.0 {
                let q = [c[0] + right[0] * t * dir, c[1] + right[1] * t * dir];
                if ctx.scene.mask.at(q[0], q[1]) < 0.5 {
                    break;
                }
                t += step;
            }
            w += t;
        }
        widest = widest.max(w);
    }
    let ratio = widest / face_w;
    let top = head_top(ctx);
    let m = json!({
        "top_width_over_face_width": r3(ratio), "crown_above_eyes_ipd": r3(crown_above / f.ipd),
        "mask_top_over_face_length": r3(top.height), "top_side_colour_diff": top.colour_diff.map(r3),
        "top_luma": top.top_luma.map(r3), "top_chroma_blue": top.top_blue.map(r3),
    });
    let t = json!({
        "max_top_width_ratio": p.max_top_width_ratio,
        "hat_min_height": p.hat_min_height, "hat_min_colour_diff": p.hat_min_colour_diff,
    });
    let coloured_top =
        top.height > p.hat_min_height && top.colour_diff.is_some_and(|d| d > p.hat_min_colour_diff);
    // A brim wider than the head, or a top that rises above the hairline in another colour
    // than the hair at the temples (a cap, a turban, a hat); voluminous hair rises too, but
    // in the colour of the hair beside the face.
    if ratio > p.max_top_width_ratio || coloured_top {
        finding("P17", Status::Warn, m, t, "P17.edge")
    } else {
        finding("P17", Status::Pass, m, t, "P17.ok")
    }
}

/// What sits on top of the head, against what frames the face at the temples.
struct HeadTop {
    /// Highest point of the person mask above the eyes, over the eye-to-chin distance
    /// (hair alone: about 1.0; a cap, a turban, a tall hat: more).
    height: f32,
    /// Colour distance between the top of the head (above the forehead) and the sides of the
    /// head beside the temples (luma/255 and r,g chroma): a hat differs from the hair below it.
    colour_diff: Option<f32>,
    top_luma: Option<f32>,
    top_blue: Option<f32>,
}

fn head_top(ctx: &Ctx) -> HeadTop {
    let f = ctx.face;
    let mask = ctx.scene.mask;
    let up = f.up();
    let right = [-up[1], up[0]];
    let e = f.eye_mid();
    let face_len = crate::vetting::pixels::dist(e, f.chin).max(1.0);
    let step = f.ipd * 0.02;
    // Highest mask point over a band as wide as the eyes, bridging short gaps.
    let mut top_t = 0.0f32;
    for k in -3..=3 {
        let base = along(e, right, f.ipd * 0.5 * k as f32 / 3.0);
        let (mut t, mut gap, mut last) = (0.0f32, 0.0f32, 0.0f32);
        while t < face_len * 2.5 {
            let q = along(base, up, t);
            if q[1] < 0.0 {
                break;
            }
            if mask.at(q[0], q[1]) >= 0.5 {
                last = t;
                gap = 0.0;
            } else {
                gap += step;
                if gap > face_len * 0.08 {
                    break;
                }
            }
            t += step;
        }
        top_t = top_t.max(last);
    }
    // The forehead's top on the mesh, as a distance above the eyes.
    let fh = f.mesh.p(idx::FOREHEAD);
    let fh_t = (fh[0] - e[0]) * up[0] + (fh[1] - e[1]) * up[1];
    let inside = |q: Pt| mask.at(q[0], q[1]) >= 0.5;
    let mut top_px = Vec::new();
    if top_t > fh_t {
        for j in 0..8 {
            let t = fh_t + (top_t - fh_t) * (0.3 + 0.5 * j as f32 / 7.0);
            for i in -4..=4 {
                let q = along(along(e, up, t), right, f.ipd * 0.4 * i as f32 / 4.0);
                if inside(q) {
                    top_px.push(bilinear(ctx.scene.work, q[0], q[1]));
                }
            }
        }
    }
    // Beside the temples: outward from the face outline, from eye level to the forehead.
    let mut side_px = Vec::new();
    for (cheek, dir) in [(idx::CHEEK_L, -1.0f32), (idx::CHEEK_R, 1.0)] {
        let c = f.mesh.p(cheek);
        for j in 0..6 {
            let t = fh_t.max(f.ipd * 0.5) * j as f32 / 5.0;
            for i in 0..5 {
                let out = f.ipd * (0.08 + 0.06 * i as f32) * dir;
                let q = along(along(c, up, t), right, out);
                if inside(q) {
                    side_px.push(bilinear(ctx.scene.work, q[0], q[1]));
                }
            }
        }
    }
    let summary = |v: &[[f32; 3]]| -> Option<[f32; 3]> {
        (v.len() >= 8).then(|| {
            let ch = mean_chroma(v);
            [mean_luma(v) / 255.0, ch[0], ch[1]]
        })
    };
    let (t, sd) = (summary(&top_px), summary(&side_px));
    let colour_diff = match (t, sd) {
        (Some(a), Some(b)) => Some(
            ((a[0] - b[0]).powi(2) + (2.0 * (a[1] - b[1])).powi(2) + (2.0 * (a[2] - b[2])).powi(2))
                .sqrt(),
        ),
        _ => None,
    };
    HeadTop {
        height: top_t / face_len,
        colour_diff,
        top_luma: t.map(|a| a[0]),
        top_blue: t.map(|a| 1.0 - 2.0 * a[1] - a[2]),
    }
}

/// Hair over the eyes makes the eye regions much darker than the cheeks.
fn hair_over_eyes(ctx: &Ctx, cheeks: &[[f32; 3]]) -> Finding {
    let p = &ctx.profile.appearance;
    let f = ctx.face;
    let eyes: Vec<[f32; 3]> = f
        .eyes
        .iter()
        .flat_map(|&e| sample(ctx, along(e, f.up(), 0.1 * f.ipd), 0.3, 0.22, 10))
        .collect();
    let ratio = mean_luma(&eyes) / mean_luma(cheeks).max(1.0);
    let m = json!({"eye_region_over_cheek_luma": r3(ratio)});
    let t = json!({"min": p.min_eye_region_ratio});
    if ratio < p.min_eye_region_ratio {
        finding("P18", Status::Warn, m, t, "P18.covered")
    } else {
        finding("P18", Status::Pass, m, t, "P18.ok")
    }
}

/// A mask makes the skin around the mouth and chin a different colour from the cheeks.
fn mask(ctx: &Ctx, cheeks: &[[f32; 3]]) -> Finding {
    let p = &ctx.profile.appearance;
    let f = ctx.face;
    let chin_area = sample(
        ctx,
        f.mesh.p(idx::LIP_LOWER_OUTER).lerp_to(f.chin, 0.5),
        0.2,
        0.1,
        8,
    );
    let upper_lip = sample(
        ctx,
        f.mesh
            .p(idx::NOSE_TIP)
            .lerp_to(f.mesh.p(idx::LIP_UPPER_OUTER), 0.6),
        0.2,
        0.06,
        8,
    );
    let lower: Vec<[f32; 3]> = chin_area.into_iter().chain(upper_lip).collect();
    let a = mean_chroma(&lower);
    let b = mean_chroma(cheeks);
    let chroma_diff = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let luma_ratio = mean_luma(&lower) / mean_luma(cheeks).max(1.0);
    let m =
        json!({"lower_face_chroma_diff": r3(chroma_diff), "lower_face_luma_ratio": r3(luma_ratio)});
    let t = json!({"max_chroma_diff": p.max_lower_face_chroma_diff, "luma_ratio": p.lower_face_luma_ratio});
    if chroma_diff > p.max_lower_face_chroma_diff
        || luma_ratio < p.lower_face_luma_ratio[0]
        || luma_ratio > p.lower_face_luma_ratio[1]
    {
        finding("P19", Status::Warn, m, t, "P19.covered")
    } else {
        finding("P19", Status::Pass, m, t, "P19.ok")
    }
}

/// Skin colour outside the range of natural skin under ordinary light (filters, make-up).
fn altered(ctx: &Ctx, cheeks: &[[f32; 3]]) -> Finding {
    let p = &ctx.profile.appearance;
    let c = mean_chroma(cheeks);
    let sat = mean_std(&cheeks.iter().map(|c| saturation(*c)).collect::<Vec<_>>()).0;
    let m = json!({"cheek_chroma_rg": [r3(c[0]), r3(c[1])], "cheek_saturation": r3(sat)});
    let t = json!({"red_chroma": p.skin_red_chroma, "green_chroma": p.skin_green_chroma});
    if sat < ctx.profile.quality.monochrome_max_saturation {
        return finding("P20", Status::Pass, m, t, "P20.mono");
    }
    if c[0] < p.skin_red_chroma[0]
        || c[0] > p.skin_red_chroma[1]
        || c[1] < p.skin_green_chroma[0]
        || c[1] > p.skin_green_chroma[1]
    {
        finding("P20", Status::Warn, m, t, "P20.colour")
    } else {
        finding("P20", Status::Pass, m, t, "P20.ok")
    }
}

trait Lerp {
    fn lerp_to(self, b: Pt, t: f32) -> Pt;
}

impl Lerp for Pt {
    fn lerp_to(self, b: Pt, t: f32) -> Pt {
        [
            self[0] + (b[0] - self[0]) * t,
            self[1] + (b[1] - self[1]) * t,
        ]
    }
}
