//! P1: exactly one human face, and it is one the mesh can read.

use serde_json::json;

use super::{finding, r3};
use crate::vetting::models::Detection;
use crate::vetting::profile::Profile;
use crate::vetting::report::{Finding, Status};
use crate::vetting::Ctx;

pub fn check(ctx: &Ctx, detections: &[Detection]) -> Vec<Finding> {
    let p = &ctx.profile.presence;
    let main = &detections[0];
    let others: Vec<&Detection> = detections[1..]
        .iter()
        .filter(|d| other_counts(d, main, ctx.profile))
        .collect();
    let presence = ctx.face.mesh.presence;
    let measured = json!({
        "faces": 1 + others.len(),
        "main_score": r3(main.score),
        "other_scores": others.iter().map(|d| r3(d.score)).collect::<Vec<_>>(),
        "mesh_presence": r3(presence),
        "yaw_deg": r3(ctx.face.yaw),
    });
    let threshold = json!({
        "faces": 1,
        "other_face_min_score": p.other_face_min_score,
        "mesh_min_presence": p.mesh_min_presence,
        "max_frontal_yaw_deg": p.max_frontal_yaw_deg,
    });
    let f = if !others.is_empty() {
        finding("P1", Status::Fail, measured, threshold, "P1.several")
    } else if ctx.face.yaw.abs() > p.max_frontal_yaw_deg {
        finding("P1", Status::Fail, measured, threshold, "P1.profile")
    } else if presence < p.mesh_min_presence {
        finding("P1", Status::Fail, measured, threshold, "P1.unclear")
    } else {
        finding("P1", Status::Pass, measured, threshold, "P1.ok")
    };
    vec![f]
}

/// A second detection counts when confident and not tiny relative to the image: faces on a
/// poster or in a frame behind count too.
fn other_counts(d: &Detection, main: &Detection, profile: &Profile) -> bool {
    let p = &profile.presence;
    d.score >= p.other_face_min_score
        && d.width().min(d.height())
            >= main.width().min(main.height()) * p.other_face_min_relative_size
}

pub fn no_face(profile: &Profile) -> Vec<Finding> {
    vec![finding(
        "P1",
        Status::Fail,
        json!({"faces": 0}),
        json!({"faces": 1, "detector_min_score": profile.detector.min_score}),
        "P1.none",
    )]
}
