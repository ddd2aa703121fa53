//! MediaPipe FaceMesh (468 points): eyes, mouth, pose and chin.
//!
//! The input is a square of 1.5x the detector box, rotated so that the eyes are level, as
//! MediaPipe itself prepares it; the points are mapped back through the inverse transform.

use image::RgbImage;

use super::{load_plan, output_f32, run, Detection, ModelError, Plan, SquareCrop};
use crate::vetting::pixels::Pt;

const NAME: &str = "facemesh";
const SIZE: usize = 192;

/// 468 points in image pixels, with z (depth, same scale as x, larger = further from camera).
#[derive(Debug, Clone)]
pub struct Mesh {
    pub points: Vec<[f32; 3]>,
    /// Face-presence probability from the model.
    pub presence: f32,
}

impl Mesh {
    #[inline]
    pub fn p(&self, i: usize) -> Pt {
        [self.points[i][0], self.points[i][1]]
    }
    #[inline]
    pub fn p3(&self, i: usize) -> [f32; 3] {
        self.points[i]
    }
}

pub struct MeshModel {
    plan: Plan,
}

impl MeshModel {
    pub fn load(bytes: &[u8]) -> Result<MeshModel, ModelError> {
        Ok(MeshModel {
            plan: load_plan(NAME, bytes, &[1, SIZE, SIZE, 3])?,
        })
    }

    pub fn landmarks(&self, img: &RgbImage, det: &Detection) -> Result<Mesh, ModelError> {
        let [le, re, ..] = det.landmarks;
        let angle = (re[1] - le[1]).atan2(re[0] - le[0]);
        let cx = (det.bbox[0] + det.bbox[2]) / 2.0;
        let cy = (det.bbox[1] + det.bbox[3]) / 2.0;
        let side = 1.5 * det.width().max(det.height());
        let crop = SquareCrop::new([cx, cy], side, angle, SIZE, false);
        let input = crop.tensor(img);
        let outputs = run(NAME, &self.plan, input.into())?;
        let raw = output_f32(NAME, &outputs, 0)?;
        let raw = raw.as_slice().unwrap_or(&[]);
        if raw.len() < 468 * 3 {
            return Err(ModelError::Run {
                name: NAME,
                message: "unexpected landmark output".into(),
            });
        }
        let presence_logit = output_f32(NAME, &outputs, 1)?
            .iter()
            .next()
            .copied()
            .unwrap_or(0.0);
        let points = (0..468)
            .map(|i| {
                let [x, y] = crop.to_image(raw[i * 3], raw[i * 3 + 1]);
                [x, y, raw[i * 3 + 2] * crop.scale()]
            })
            .collect();
        Ok(Mesh {
            points,
            presence: 1.0 / (1.0 + (-presence_logit).exp()),
        })
    }
}
