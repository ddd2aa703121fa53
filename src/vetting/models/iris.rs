//! MediaPipe iris landmarks: a finer eye contour (71 eye and brow points) per eye. The face
//! mesh hardly closes its eye contour on closed eyes; this model, trained on eye crops, does.

use image::RgbImage;

use super::{load_plan, output_f32, run, ModelError, Plan, SquareCrop};
use crate::vetting::pixels::{dist, Pt};

const NAME: &str = "iris";
const SIZE: usize = 64;

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

pub struct IrisModel {
    plan: Plan,
}

impl IrisModel {
    pub fn load(bytes: &[u8]) -> Result<IrisModel, ModelError> {
        Ok(IrisModel {
            plan: load_plan(NAME, bytes, &[1, SIZE, SIZE, 3])?,
        })
    }

    /// Runs on the eye between `outer` and `inner` corners (image pixels). `mirror` flips the
    /// crop so that the person's left eye looks like a right eye, as the model expects.
    pub fn contour(
        &self,
        img: &RgbImage,
        outer: Pt,
        inner: Pt,
        mirror: bool,
    ) -> Result<EyeContour, ModelError> {
        let c = [(outer[0] + inner[0]) / 2.0, (outer[1] + inner[1]) / 2.0];
        let side = dist(outer, inner) * 2.3;
        let angle = (inner[1] - outer[1]).atan2(inner[0] - outer[0]);
        // The model's eye runs left to right from... whichever corner is on the image's left.
        let angle = if outer[0] > inner[0] {
            angle + std::f32::consts::PI
        } else {
            angle
        };
        let crop = SquareCrop::new(c, side, angle, SIZE, mirror);
        let input = crop.tensor(img);
        let outputs = run(NAME, &self.plan, input.into())?;
        // The contour output has 71 x 3 values; the iris output 5 x 3.
        let mut contour = None;
        for i in 0..outputs.len() {
            let o = output_f32(NAME, &outputs, i)?;
            if o.len() == 213 {
                contour = Some(o.iter().copied().collect::<Vec<f32>>());
            }
        }
        let raw = contour.ok_or_else(|| ModelError::Run {
            name: NAME,
            message: "no 71-point eye contour output".into(),
        })?;
        let pt = |i: usize| crop.to_image(raw[i * 3], raw[i * 3 + 1]);
        Ok(EyeContour {
            lower: (0..9).map(pt).collect(),
            upper: (9..16).map(pt).collect(),
        })
    }
}
