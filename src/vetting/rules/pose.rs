//! P2: the head faces the camera squarely (yaw, pitch, roll).
//!
//! Roll is measured from the eye line; yaw and pitch from a rigid fit of the whole 478-point
//! mesh to MediaPipe's canonical face (the two-point depth estimate is reported beside it). Estimates of yaw
//! and pitch carry a few degrees of model noise, so between the spec's limit and the profile's
//! fail limit the finding is a warning for a person to judge.

use serde_json::json;

use super::{finding, r3};
use crate::vetting::report::{Finding, Status};
use crate::vetting::Ctx;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let p = &ctx.profile.pose;
    let f = ctx.face;
    let measured = json!({
        "yaw_deg": r3(f.yaw), "pitch_deg": r3(f.pitch), "roll_deg": r3(f.roll),
        "yaw_depth_deg": r3(f.yaw_depth), "pitch_depth_deg": r3(f.pitch_depth),
    });
    let threshold = json!({
        "yaw_max_deg": p.yaw_max_deg, "pitch_max_deg": p.pitch_max_deg, "roll_max_deg": p.roll_max_deg,
        "yaw_fail_deg": p.yaw_fail_deg, "pitch_fail_deg": p.pitch_fail_deg,
    });
    let (yaw, pitch, roll) = (f.yaw.abs(), f.pitch.abs(), f.roll.abs());
    let key = if roll > p.roll_max_deg {
        Some((Status::Fail, "P2.roll"))
    } else if yaw > p.yaw_fail_deg {
        Some((Status::Fail, "P2.yaw"))
    } else if pitch > p.pitch_fail_deg {
        Some((
            Status::Fail,
            if f.pitch > 0.0 {
                "P2.pitch_down"
            } else {
                "P2.pitch_up"
            },
        ))
    } else if yaw > p.yaw_max_deg {
        Some((Status::Warn, "P2.yaw"))
    } else if pitch > p.pitch_max_deg {
        Some((
            Status::Warn,
            if f.pitch > 0.0 {
                "P2.pitch_down"
            } else {
                "P2.pitch_up"
            },
        ))
    } else {
        None
    };
    let (status, key) = key.unwrap_or((Status::Pass, "P2.ok"));
    vec![finding("P2", status, measured, threshold, key)]
}
