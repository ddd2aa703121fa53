//! MediaPipe Face Landmarker mesh (478 points: the 468 FaceMesh points plus 5 per iris): eyes,
//! irises, mouth, pose and chin, in one run.
//!
//! The input is a square of 1.5x the detector box, rotated so that the eyes are level, as
//! MediaPipe itself prepares it; the points are mapped back through the inverse transform.

use image::RgbImage;

use super::{load_plan, output_f32, run, Detection, ModelError, Plan, SquareCrop};
use crate::vetting::pixels::{dist, Pt};

const NAME: &str = "facemesh478";
const SIZE: usize = 256;
pub const POINTS: usize = 478;

/// 478 points in image pixels, with z (depth, same scale as x, larger = further from camera).
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

    /// The eye contour of the image-left eye (`left = true`, the person's right eye) or of
    /// the image-right eye.
    pub fn eye_contour(&self, left: bool) -> EyeContour {
        let (lower, upper) = if left {
            (&EYE_LOWER_IMAGE_LEFT, &EYE_UPPER_IMAGE_LEFT)
        } else {
            (&EYE_LOWER_IMAGE_RIGHT, &EYE_UPPER_IMAGE_RIGHT)
        };
        EyeContour {
            lower: lower.iter().map(|&i| self.p(i)).collect(),
            upper: upper.iter().map(|&i| self.p(i)).collect(),
        }
    }
}

/// Lower lid from the outer to the inner corner (9 points) and upper lid between them (7
/// points), the layout of MediaPipe's eye contour; image-left eye (the person's right).
const EYE_LOWER_IMAGE_LEFT: [usize; 9] = [33, 7, 163, 144, 145, 153, 154, 155, 133];
const EYE_UPPER_IMAGE_LEFT: [usize; 7] = [246, 161, 160, 159, 158, 157, 173];
const EYE_LOWER_IMAGE_RIGHT: [usize; 9] = [263, 249, 390, 373, 374, 380, 381, 382, 362];
const EYE_UPPER_IMAGE_RIGHT: [usize; 7] = [466, 388, 387, 386, 385, 384, 398];

/// The eye contour in image pixels: `lower` runs from the outer to the inner corner along the
/// lower lid (9 points), `upper` along the upper lid between them (7 points).
#[derive(Debug, Clone)]
pub struct EyeContour {
    pub lower: Vec<Pt>,
    pub upper: Vec<Pt>,
}

impl EyeContour {
    /// Lid gap over eye width: the mean distance between the middle three upper-lid points and
    /// the lower-lid points below them, over the corner-to-corner distance.
    pub fn openness(&self) -> f32 {
        let w = dist(self.lower[0], self.lower[8]).max(1e-3);
        let gap = (dist(self.upper[2], self.lower[3])
            + dist(self.upper[3], self.lower[4])
            + dist(self.upper[4], self.lower[5]))
            / 3.0;
        gap / w
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
        // Outputs: the points (478 x 3 values), a presence logit, and a [1,1] value of
        // unknown use; told apart by size, the points first.
        let mut raw = None;
        let mut logit = None;
        for i in 0..outputs.len() {
            let o = output_f32(NAME, &outputs, i)?;
            if o.len() == POINTS * 3 {
                raw = Some(o.iter().copied().collect::<Vec<f32>>());
            } else if o.len() == 1 && logit.is_none() {
                logit = o.iter().next().copied();
            }
        }
        let raw = raw.ok_or_else(|| ModelError::Run {
            name: NAME,
            message: "no 478-point landmark output".into(),
        })?;
        let presence_logit = logit.unwrap_or(0.0);
        let points = (0..POINTS)
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
