//! P8 eyes open, P9 neutral expression.
//!
//! Both read MediaPipe's blendshape coefficients, which the model computes from the 478-point
//! mesh in the face's own frame (so they do not depend on the width of a person's mouth or
//! the spacing of their eyes, as ratios to population means did). P8: the blink coefficients,
//! with the mesh's lid gap over eye width beside them. P9: the smile coefficients plus the
//! upper-lip raise of an open smile, and the inner lip gap over mouth width for a mouth held
//! open.

use serde_json::json;

use super::{finding, r3};
use crate::vetting::face::{idx, Face};
use crate::vetting::models::blendshapes::bs;
use crate::vetting::pixels::{dist, Pt};
use crate::vetting::report::{Finding, Status};
use crate::vetting::Ctx;

/// Mouth measures in the face's own frame (roll undone).
pub struct Mouth {
    /// Inner lip gap over inner mouth width.
    pub opening: f32,
    /// Outer mouth width over eye distance (reported only: it depends on the person).
    pub width: f32,
    /// How far the corners sit above the middle of the lips, over mouth width (positive =
    /// corners raised, as in a smile; reported only).
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

/// The smile score: on each side, the smile coefficient less the stretch coefficient, the
/// larger side taken, plus a share of the larger upper-lip raise (an open smile lifts the upper
/// lip more than the corners).
///
/// Why less the stretch: a mouth that is wide at rest reads to the model partly as a smile and
/// partly as lips pulled sideways (mouthStretch), while a smile lifts the corners without a
/// sideways pull. Taking the face's own stretch off removes the part of the smile coefficient
/// that comes from the width of this person's resting mouth (a Black woman's neutral face
/// scored 0.48 smile with 0.085 stretch; the dev smiles have stretch 0.001-0.06).
pub fn smile_score(face: &Face, p: &crate::vetting::profile::Expression) -> f32 {
    let b = &face.blendshapes;
    let side = |smile: usize, stretch: usize| (b.get(smile) - b.get(stretch)).max(0.0);
    side(bs::MOUTH_SMILE_LEFT, bs::MOUTH_STRETCH_LEFT)
        .max(side(bs::MOUTH_SMILE_RIGHT, bs::MOUTH_STRETCH_RIGHT))
        + p.upper_up_weight * b.max2(bs::MOUTH_UPPER_UP_LEFT, bs::MOUTH_UPPER_UP_RIGHT)
}

/// The more closed eye's blink coefficient: both eyes must be open.
pub fn blink(face: &Face) -> f32 {
    face.blendshapes
        .max2(bs::EYE_BLINK_LEFT, bs::EYE_BLINK_RIGHT)
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let p = &ctx.profile.expression;
    let face = ctx.face;
    let b = &face.blendshapes;
    let (ol, or) = (
        face.eye_contours[0].openness(),
        face.eye_contours[1].openness(),
    );
    let blink = blink(face);
    let eyes = json!({
        "blink": r3(blink),
        "eye_blink": [r3(b.get(bs::EYE_BLINK_LEFT)), r3(b.get(bs::EYE_BLINK_RIGHT))],
        "eye_squint": [r3(b.get(bs::EYE_SQUINT_LEFT)), r3(b.get(bs::EYE_SQUINT_RIGHT))],
        "lid_gap_ratio": [r3(ol), r3(or)],
    });
    let eyes_t = json!({
        "blink_fail": p.blink_fail, "blink_warn": p.blink_warn,
        "min": p.eye_open_min_ratio, "warn_below": p.eye_open_warn_ratio,
    });
    // Both eyes must be open: the less open one decides.
    let open = ol.min(or);
    let p8 = if blink >= p.blink_fail || open < p.eye_open_min_ratio {
        finding("P8", Status::Fail, eyes, eyes_t, "P8.closed")
    } else if blink >= p.blink_warn || open < p.eye_open_warn_ratio {
        finding("P8", Status::Warn, eyes, eyes_t, "P8.narrow")
    } else {
        finding("P8", Status::Pass, eyes, eyes_t, "P8.ok")
    };

    let m = mouth(face);
    let score = smile_score(face, p);
    let measured = json!({
        "mouth_opening": r3(m.opening), "mouth_width": r3(m.width),
        "corner_lift": r3(m.corner_lift), "smile_score": r3(score),
        "mouth_smile": r3(b.max2(bs::MOUTH_SMILE_LEFT, bs::MOUTH_SMILE_RIGHT)),
        "mouth_upper_up": r3(b.max2(bs::MOUTH_UPPER_UP_LEFT, bs::MOUTH_UPPER_UP_RIGHT)),
        "mouth_stretch": r3(b.max2(bs::MOUTH_STRETCH_LEFT, bs::MOUTH_STRETCH_RIGHT)),
        "jaw_open": r3(b.get(bs::JAW_OPEN)),
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
