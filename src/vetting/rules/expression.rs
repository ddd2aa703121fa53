//! P8 eyes open, P9 neutral expression, from the mesh.
//!
//! Eye openness is the eye aspect ratio of the mesh's eye contour. A smile shows as lips parted
//! over teeth, or, with the mouth closed, as a wider mouth whose corners rise above the lip
//! line; the three measures are normalised by the eye distance or the mouth width so they do
//! not depend on resolution.

use serde_json::json;

use super::{finding, r3};
use crate::vetting::face::{idx, Face};
use crate::vetting::pixels::{bilinear, dist, luma, Pt};
use crate::vetting::report::{Finding, Status};
use crate::vetting::Ctx;

/// Eye aspect ratio: (|p2-p6| + |p3-p5|) / (2 |p1-p4|).
fn ear(face: &Face, ids: &[usize; 6]) -> f32 {
    let p = |i: usize| face.mesh.p(ids[i]);
    (dist(p(1), p(5)) + dist(p(2), p(4))) / (2.0 * dist(p(0), p(3)).max(1e-3))
}

/// Mouth measures in the face's own frame (roll undone).
pub struct Mouth {
    /// Inner lip gap over inner mouth width.
    pub opening: f32,
    /// Outer mouth width over eye distance.
    pub width: f32,
    /// How far the corners sit above the middle of the lips, over mouth width (positive =
    /// corners raised, as in a smile).
    pub corner_lift: f32,
}

pub fn mouth(face: &Face) -> Mouth {
    let r = -face.roll.to_radians();
    let (s, c) = r.sin_cos();
    let rot = |p: Pt| -> Pt { [p[0] * c - p[1] * s, p[0] * s + p[1] * c] };
    let m = &face.mesh;
    let up_in = rot(m.p(idx::LIP_UPPER_INNER));
    let lo_in = rot(m.p(idx::LIP_LOWER_INNER));
    let l = rot(m.p(idx::MOUTH_OUTER_L));
    let rr = rot(m.p(idx::MOUTH_OUTER_R));
    let inner_w = dist(m.p(idx::MOUTH_INNER_L), m.p(idx::MOUTH_INNER_R)).max(1e-3);
    let outer_w = dist(l, rr).max(1e-3);
    let centre_y = (rot(m.p(idx::LIP_UPPER_OUTER))[1] + rot(m.p(idx::LIP_LOWER_OUTER))[1]) / 2.0;
    let corners_y = (l[1] + rr[1]) / 2.0;
    Mouth {
        opening: dist(up_in, lo_in) / inner_w,
        width: outer_w / face.ipd.max(1e-3),
        corner_lift: (centre_y - corners_y) / outer_w,
    }
}

/// Share of dark pixels (iris, pupil) in an ellipse on the eye, relative to the cheeks'
/// brightness. The mesh's eye contour hardly closes on closed eyes; the iris shows whether
/// the eye is open.
fn iris_share(ctx: &Ctx, ids: &[usize; 6], cheek_luma: f32) -> f32 {
    let face = ctx.face;
    let a = dist(face.mesh.p(ids[0]), face.mesh.p(ids[3])) * 0.5 * 0.7;
    let b = face.ipd * 0.07;
    let c = {
        let p0 = face.mesh.p(ids[0]);
        let p3 = face.mesh.p(ids[3]);
        [(p0[0] + p3[0]) / 2.0, (p0[1] + p3[1]) / 2.0]
    };
    let (s, co) = face.roll.to_radians().sin_cos();
    let (mut dark, mut n) = (0u32, 0u32);
    let k = 10;
    for i in -k..=k {
        for j in -k..=k {
            let (u, v) = (i as f32 / k as f32, j as f32 / k as f32);
            if u * u + v * v > 1.0 {
                continue;
            }
            let (dx, dy) = (u * a, v * b);
            let x = c[0] + dx * co - dy * s;
            let y = c[1] + dx * s + dy * co;
            n += 1;
            if luma(bilinear(ctx.scene.work, x, y)) < 0.45 * cheek_luma {
                dark += 1;
            }
        }
    }
    dark as f32 / n.max(1) as f32
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let p = &ctx.profile.expression;
    let face = ctx.face;
    let (el, er) = (ear(face, &idx::EYE_L), ear(face, &idx::EYE_R));
    let cheek = crate::vetting::rules::background::face_light_luma(ctx);
    let (il, ir) = (
        iris_share(ctx, &idx::EYE_L, cheek),
        iris_share(ctx, &idx::EYE_R, cheek),
    );
    let eyes = json!({"eye_aspect_ratio": [r3(el), r3(er)], "iris_share": [r3(il), r3(ir)]});
    let eyes_t = json!({"min": p.eye_open_min_ratio, "warn_below": p.eye_open_warn_ratio});
    let p8 = if el.min(er) < p.eye_open_min_ratio {
        finding("P8", Status::Fail, eyes, eyes_t, "P8.closed")
    } else if el.min(er) < p.eye_open_warn_ratio {
        finding("P8", Status::Warn, eyes, eyes_t, "P8.narrow")
    } else {
        finding("P8", Status::Pass, eyes, eyes_t, "P8.ok")
    };

    let m = mouth(face);
    let score = smile_score(&m, p);
    let measured = json!({
        "mouth_opening": r3(m.opening), "mouth_width": r3(m.width),
        "corner_lift": r3(m.corner_lift), "smile_score": r3(score),
    });
    let threshold = json!({
        "mouth_opening_max": p.mouth_open_max, "smile_score_fail": p.smile_fail,
        "smile_score_warn": p.smile_warn,
    });
    let p9 = if m.opening > p.mouth_open_max {
        finding("P9", Status::Fail, measured, threshold, "P9.open")
    } else if score >= p.smile_fail {
        finding("P9", Status::Fail, measured, threshold, "P9.smile")
    } else if score >= p.smile_warn {
        finding("P9", Status::Warn, measured, threshold, "P9.smile")
    } else {
        finding("P9", Status::Pass, measured, threshold, "P9.ok")
    };
    vec![p8, p9]
}

/// A linear score from the mouth measures, each centred on the neutral mean of the calibration
/// set and scaled by its spread there (profile: expression.*).
pub fn smile_score(m: &Mouth, p: &crate::vetting::profile::Expression) -> f32 {
    p.w_width * (m.width - p.neutral_width) / p.sd_width
        + p.w_lift * (m.corner_lift - p.neutral_lift) / p.sd_lift
        + p.w_opening * (m.opening - p.neutral_opening) / p.sd_opening
}
