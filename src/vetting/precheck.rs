//! Live pre-check for a booth camera: "would this frame pass?" in well under a frame budget.
//!
//! The same detector, mesh and iris models and the same presence, geometry, pose and
//! expression rules as [`Vetter::vet`], minus everything a live frame does not need: no JPEG
//! decode (the frame is already pixels), no segmentation (the crown is placed at the
//! profile's cap above the eyes instead of read from the person mask), and none of the
//! background, quality, appearance or file rules (the full vet of the captured frame judges
//! those). The answer is one instruction at a time, in a fixed priority, so a person is never
//! told three things at once.

use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use super::input::{ExifFacts, Format, Source};
use super::messages::Message;
use super::models::{Mask, ModelError};
use super::report::{Finding, Status};
use super::{face::Face, ms, pixels, rules, Ctx, Scene, Vetter};

/// Rule families in the order a person should fix them: find the face, then its size and
/// place, then pose, then eyes, then expression.
const PRIORITY: [&[&str]; 5] = [
    &["P1"],
    &["F5", "P6", "P7", "F4", "P3", "P5", "P4"],
    &["P2"],
    &["P8"],
    &["P9"],
];

/// The one thing to fix, if any.
#[derive(Debug, Clone, Serialize)]
pub struct Instruction {
    pub rule: String,
    /// A warning (a person would review it) rather than a failure.
    pub warning: bool,
    pub message: Message,
}

#[derive(Debug, Clone, Serialize)]
pub struct Precheck {
    /// Nothing the pre-check can see stands in the way: capture this frame.
    pub ready: bool,
    pub instruction: Option<Instruction>,
    /// Milliseconds for the whole pre-check.
    pub ms: f64,
}

impl Vetter {
    /// Pre-checks one camera frame. Warnings on pose, eyes and expression count as not ready
    /// (the camera can simply wait for a better frame); geometry's informational warnings do
    /// not.
    pub fn precheck(&self, frame: &RgbImage) -> Result<Precheck, ModelError> {
        let total = Instant::now();
        let p = &self.profile;
        let k = (frame.width().max(frame.height()) / p.input.model_long_side.max(1)).max(1);
        let small = (k >= 2).then(|| pixels::box_downsample(frame, k));
        let work: &RgbImage = small.as_ref().unwrap_or(frame);
        let scale = 1.0 / k as f32;

        let detections = self.models.detector.detect(work, p.detector.min_score)?;
        let Some(det) = detections.first() else {
            let finding = rules::presence::no_face(p).remove(0);
            return Ok(result(Some(&finding), total));
        };
        let (mesh, blend, pose) = self.face_models(work, det)?;
        // No segmentation: a mask of "person everywhere" makes the crown search stop at the
        // profile's cap (or the image's top edge, which still reports a cut-off head).
        // The grid is as fine as the segmenter's, since the crown walk steps by half a cell.
        const GRID: usize = 256;
        let mask = Mask {
            data: vec![1.0; GRID * GRID],
            size: GRID,
            cell_w: work.width() as f32 / GRID as f32,
            cell_h: work.height() as f32 / GRID as f32,
        };
        let face = Face::build(
            det.clone(),
            mesh,
            blend,
            pose,
            &mask,
            p.pose.pitch_offset_deg,
            p.geometry.crown_cap,
        );
        let source = Source {
            bytes: &[],
            format: Format::Jpeg,
            stored_width: frame.width(),
            stored_height: frame.height(),
            exif: ExifFacts {
                orientation: 1,
                ..Default::default()
            },
            had_alpha: false,
        };
        let scene = Scene {
            source: &source,
            work,
            scale,
            mask: &mask,
        };
        let ctx = Ctx {
            scene: &scene,
            face: &face,
            profile: p,
            age: None,
            infant: false,
        };
        let mut findings = rules::presence::check(&ctx, &detections);
        findings.extend(rules::geometry::check(&ctx).findings);
        findings.extend(rules::pose::check(&ctx));
        findings.extend(rules::expression::check(&ctx));
        Ok(result(first_to_fix(&findings), total))
    }
}

fn blocks(f: &Finding) -> bool {
    f.status == Status::Fail || (f.status == Status::Warn && !f.informational)
}

fn first_to_fix(findings: &[Finding]) -> Option<&Finding> {
    PRIORITY.iter().find_map(|family| {
        family
            .iter()
            .find_map(|rule| findings.iter().find(|f| f.rule == *rule && blocks(f)))
    })
}

fn result(finding: Option<&Finding>, total: Instant) -> Precheck {
    Precheck {
        ready: finding.is_none(),
        instruction: finding.map(|f| Instruction {
            rule: f.rule.clone(),
            warning: f.status == Status::Warn,
            message: f.message.clone(),
        }),
        ms: ms(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vetting::messages::msg;
    use serde_json::Value;

    fn f(rule: &str, status: Status) -> Finding {
        Finding::new(rule, status, Value::Null, Value::Null, msg("P1.ok"))
    }

    #[test]
    fn one_instruction_in_priority_order() {
        let mut v = vec![
            f("P9", Status::Fail),
            f("P2", Status::Warn),
            f("P4", Status::Fail),
            f("P1", Status::Pass),
        ];
        assert_eq!(first_to_fix(&v).map(|f| f.rule.as_str()), Some("P4"));
        v[2].status = Status::Pass;
        assert_eq!(first_to_fix(&v).map(|f| f.rule.as_str()), Some("P2"));
        v[1].status = Status::Pass;
        assert_eq!(first_to_fix(&v).map(|f| f.rule.as_str()), Some("P9"));
        v[0].status = Status::Pass;
        assert!(first_to_fix(&v).is_none());
        // Geometry's informational warnings (within the issuer's tolerance) do not block.
        let mut g = f("P3", Status::Warn);
        g.informational = true;
        assert!(first_to_fix(&[g]).is_none());
    }
}
