//! P3-P7, F4, F5: choose the 35:45 crop that puts the head where the issuer wants it.
//!
//! The crop is searched over the allowed ranges (head height, space above the crown, centring)
//! for the one nearest the ideal that lies inside the photo with the ears clear of the sides.
//! When none exists the finding says which edge is in the way and what to do.

use serde_json::json;

use super::{finding, not_assessed, r3};
use crate::vetting::face::idx;
use crate::vetting::report::{CropRect, Finding, Status};
use crate::vetting::Ctx;

pub struct Geometry {
    pub findings: Vec<Finding>,
    /// In source pixels.
    pub crop: Option<CropRect>,
}

/// Head measurements in source pixels.
struct Head {
    crown_y: f32,
    chin_y: f32,
    centre_x: f32,
    left_x: f32,
    right_x: f32,
}

fn steps(lo: f32, hi: f32, n: usize) -> impl Iterator<Item = f32> {
    (0..=n).map(move |i| lo + (hi - lo) * i as f32 / n as f32)
}

pub fn check(ctx: &Ctx) -> Geometry {
    let g = &ctx.profile.geometry;
    let face = ctx.face;
    let scene = ctx.scene;
    let (img_w, img_h) = (scene.source.width() as f32, scene.source.height() as f32);
    let crown = scene.to_source(face.crown);
    let chin = scene.to_source(face.chin);
    let cheek_l = scene.to_source(face.mesh.p(idx::CHEEK_L));
    let cheek_r = scene.to_source(face.mesh.p(idx::CHEEK_R));
    let ipd_src = face.ipd / scene.scale;
    // Ears stand out a little beyond the mesh's outline at eye level.
    let ear = ipd_src * g.ear_extension_ipd;
    let head = Head {
        crown_y: crown[1],
        chin_y: chin[1],
        centre_x: (cheek_l[0] + cheek_r[0]) / 2.0,
        left_x: cheek_l[0].min(cheek_r[0]) - ear,
        right_x: cheek_l[0].max(cheek_r[0]) + ear,
    };
    let head_h = (head.chin_y - head.crown_y).max(1.0);
    let mut findings = Vec::new();

    // P7: resolution of the face.
    let p7 = json!({"eye_distance_px": r3(ipd_src)});
    findings.push(if ipd_src >= g.min_eye_distance_px {
        finding(
            "P7",
            Status::Pass,
            p7,
            json!({"min": g.min_eye_distance_px}),
            "P7.ok",
        )
    } else {
        finding(
            "P7",
            Status::Fail,
            p7,
            json!({"min": g.min_eye_distance_px}),
            "P7.small",
        )
    });

    if face.crown_cut {
        findings.push(finding(
            "P6",
            Status::Fail,
            json!({"crown_y": r3(head.crown_y)}),
            json!("crown inside the photo"),
            "P6.crown_cut",
        ));
        findings.push(finding(
            "F5",
            Status::Fail,
            json!(null),
            json!("a 35:45 crop meeting P3-P6"),
            "F5.crown_cut",
        ));
        for r in ["P3", "P4", "P5"] {
            findings.push(not_assessed(r, "geometry.no_crop"));
        }
        findings.push(not_assessed("F4", "geometry.no_crop"));
        return Geometry {
            findings,
            crop: None,
        };
    }

    // Search the allowed ranges (widened by the tolerance) for the feasible crop nearest the
    // ideal; leaving a strict range costs far more than moving inside it.
    let tol = g.tolerance;
    let widen = |r: [f32; 2]| [r[0] - tol, r[1] + tol];
    let outside = |v: f32, r: [f32; 2]| (r[0] - v).max(v - r[1]).max(0.0);
    let (hr, tm, bm, ce) = (
        widen(g.head_ratio),
        widen(g.top_margin),
        widen(g.bottom_margin),
        widen(g.centre),
    );
    let mut best: Option<(f32, CropRect, [f32; 3])> = None;
    for ratio in steps(hr[0], hr[1], 24) {
        let h = head_h / ratio;
        let w = h * 35.0 / 45.0;
        for top in steps(tm[0], tm[1], 24) {
            let bottom = 1.0 - ratio - top;
            if bottom < bm[0] || bottom > bm[1] {
                continue;
            }
            let y0 = head.crown_y - top * h;
            if y0 < 0.0 || y0 + h > img_h {
                continue;
            }
            for c in steps(ce[0], ce[1], 24) {
                let x0 = head.centre_x - c * w;
                if x0 < 0.0 || x0 + w > img_w {
                    continue;
                }
                let margin = (g.side_margin - tol).max(0.0) * w;
                if head.left_x - x0 < margin || x0 + w - head.right_x < margin {
                    continue;
                }
                let off = outside(ratio, g.head_ratio)
                    + outside(top, g.top_margin)
                    + outside(bottom, g.bottom_margin)
                    + outside(c, g.centre);
                let cost = 1e4 * off * off
                    + ((ratio - g.ideal[0]) / 0.045).powi(2)
                    + ((top - g.ideal[1]) / 0.045).powi(2)
                    + ((c - g.ideal[2]) / 0.055).powi(2);
                if best.as_ref().is_none_or(|b| cost < b.0) {
                    let rect = CropRect {
                        x: x0.round().max(0.0) as u32,
                        y: y0.round().max(0.0) as u32,
                        width: (w.round() as u32).min(img_w as u32),
                        height: (h.round() as u32).min(img_h as u32),
                    };
                    best = Some((cost, rect, [ratio, top, c]));
                }
            }
        }
    }

    let Some((_, rect, [ratio, top, c])) = best else {
        findings.extend(explain_no_crop(ctx, &head, head_h, img_w, img_h));
        return Geometry {
            findings,
            crop: None,
        };
    };

    // Within the strict range: pass; only within the tolerance: an informational warning.
    let within = |v: f32, r: [f32; 2]| v >= r[0] - 1e-4 && v <= r[1] + 1e-4;
    let graded = |ok: bool, f: Finding| -> Finding {
        let mut f = f;
        if !ok {
            f.status = Status::Warn;
            f.informational = true;
            f.message = crate::vetting::messages::msg("geometry.tolerance");
        }
        f
    };
    let bottom = 1.0 - ratio - top;
    findings.push(graded(
        within(ratio, g.head_ratio),
        finding(
            "P3",
            Status::Pass,
            json!({"head_height_ratio": r3(ratio)}),
            json!({"min": g.head_ratio[0], "max": g.head_ratio[1]}),
            "P3.ok",
        ),
    ));
    findings.push(graded(
        within(c, g.centre),
        finding(
            "P4",
            Status::Pass,
            json!({"face_centre_ratio": r3(c)}),
            json!({"min": g.centre[0], "max": g.centre[1]}),
            "P4.ok",
        ),
    ));
    findings.push(graded(
        within(top, g.top_margin) && within(bottom, g.bottom_margin),
        finding(
            "P5",
            Status::Pass,
            json!({"above_crown_ratio": r3(top), "below_chin_ratio": r3(bottom)}),
            json!({"above_crown": g.top_margin, "below_chin": g.bottom_margin}),
            "P5.ok",
        ),
    ));
    findings.push(finding(
        "P6",
        Status::Pass,
        json!({"side_margin_ratio": r3(((head.left_x - rect.x as f32).min(rect.x as f32 + rect.width as f32 - head.right_x)) / rect.width as f32)}),
        json!({"min_side_margin": g.side_margin}),
        "P6.ok",
    ));
    findings.push(finding(
        "F5",
        Status::Pass,
        json!(rect),
        json!("a 35:45 crop meeting P3-P6"),
        "F5.ok",
    ));
    let f4 = json!({"crop_width_px": rect.width, "crop_height_px": rect.height});
    let f4t = json!({"min_width": g.min_crop_width_px});
    findings.push(if rect.width as f32 >= g.min_crop_width_px {
        finding("F4", Status::Pass, f4, f4t, "F4.ok")
    } else {
        finding("F4", Status::Fail, f4, f4t, "F4.small")
    });
    Geometry {
        findings,
        crop: Some(rect),
    }
}

/// No crop fits: take the ideal crop and say which edge of the photo it runs over.
fn explain_no_crop(ctx: &Ctx, head: &Head, head_h: f32, img_w: f32, img_h: f32) -> Vec<Finding> {
    let g = &ctx.profile.geometry;
    let h = head_h / g.ideal[0];
    let w = h * 35.0 / 45.0;
    let y0 = head.crown_y - g.ideal[1] * h;
    let x0 = head.centre_x - g.ideal[2] * w;
    let measured = json!({
        "needed_crop": {"x": x0.round(), "y": y0.round(), "width": w.round(), "height": h.round()},
        "photo": {"width": img_w, "height": img_h},
    });
    let (rule, key) = if h > img_h || w > img_w {
        ("P3", "F5.too_close")
    } else if y0 < 0.0 {
        ("P5", "F5.no_space_above")
    } else if y0 + h > img_h {
        ("P5", "F5.no_space_below")
    } else if x0 < 0.0 || x0 + w > img_w {
        ("P4", "F5.off_centre")
    } else {
        ("P6", "F5.ears")
    };
    let threshold = json!("a 35:45 crop meeting P3-P6 inside the photo");
    let mut out = vec![finding(
        "F5",
        Status::Fail,
        measured.clone(),
        threshold.clone(),
        key,
    )];
    // What the photo cuts off is a P6 failure too (crown, chin and ears inside the crop).
    out.push(finding("P6", Status::Fail, measured, threshold, key));
    for r in ["P3", "P4", "P5"] {
        if r != rule || rule == "P6" {
            out.push(not_assessed(r, "geometry.no_crop"));
        } else {
            out.push(finding(r, Status::Fail, json!(null), json!(null), key));
        }
    }
    out.push(not_assessed("F4", "geometry.no_crop"));
    out
}
