//! P8 eyes open, P9 neutral expression, from the mesh.
//!
//! Eye openness is the lid gap over the eye width from the iris model's eye contour (the
//! mesh's own contour barely closes on closed eyes; its aspect ratio is reported alongside). A smile shows as lips parted
//! over teeth, or, with the mouth closed, as a wider mouth whose corners rise above the lip
//! line; the three measures are normalised by the eye distance or the mouth width so they do
//! not depend on resolution.

use serde_json::json;

use super::{finding, r3};
use crate::vetting::face::{idx, Face};
use crate::vetting::pixels::{dist, Pt};
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

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let p = &ctx.profile.expression;
    let face = ctx.face;
    let (el, er) = (ear(face, &idx::EYE_L), ear(face, &idx::EYE_R));
    let (ol, or) = (
        face.eye_contours[0].openness(),
        face.eye_contours[1].openness(),
    );
    let eyes = json!({"eye_aspect_ratio": [r3(el), r3(er)], "lid_gap_ratio": [r3(ol), r3(or)]});
    let eyes_t = json!({"min": p.eye_open_min_ratio, "warn_below": p.eye_open_warn_ratio});
    // Both eyes must be open: the less open one decides.
    let open = ol.min(or);
    let p8 = if open < p.eye_open_min_ratio {
        finding("P8", Status::Fail, eyes, eyes_t, "P8.closed")
    } else if open < p.eye_open_warn_ratio {
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
