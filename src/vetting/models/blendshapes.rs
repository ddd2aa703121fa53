//! MediaPipe face blendshapes: 52 expression coefficients (smile, blink, jaw open, ...) from
//! 146 of the 478 mesh points. The model normalises position and scale itself.

use tract_onnx::prelude::*;

use super::{load_plan, output_f32, run, Mesh, ModelError, Plan};

const NAME: &str = "blendshapes";

/// MediaPipe's `kLandmarksSubsetIdxs`: the mesh points the model reads, in its order.
const SUBSET: [usize; 146] = [
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65,
    66, 67, 70, 78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136,
    144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172,
    173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283,
    284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324,
    332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385,
    386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472,
    473, 474, 475, 476, 477,
];

/// Output positions of the coefficients the rules read (MediaPipe's category order).
pub mod bs {
    pub const EYE_BLINK_LEFT: usize = 9;
    pub const EYE_BLINK_RIGHT: usize = 10;
    pub const EYE_SQUINT_LEFT: usize = 19;
    pub const EYE_SQUINT_RIGHT: usize = 20;
    pub const JAW_OPEN: usize = 25;
    pub const MOUTH_SMILE_LEFT: usize = 44;
    pub const MOUTH_SMILE_RIGHT: usize = 45;
    pub const MOUTH_STRETCH_LEFT: usize = 46;
    pub const MOUTH_STRETCH_RIGHT: usize = 47;
    pub const MOUTH_UPPER_UP_LEFT: usize = 48;
    pub const MOUTH_UPPER_UP_RIGHT: usize = 49;
}

/// The 52 coefficients, each 0..1.
#[derive(Debug, Clone)]
pub struct Blendshapes(pub Vec<f32>);

impl Blendshapes {
    pub fn get(&self, i: usize) -> f32 {
        self.0.get(i).copied().unwrap_or(0.0)
    }
    /// The larger of a left/right pair.
    pub fn max2(&self, a: usize, b: usize) -> f32 {
        self.get(a).max(self.get(b))
    }
}

pub struct BlendshapeModel {
    plan: Plan,
}

impl BlendshapeModel {
    pub fn load(bytes: &[u8]) -> Result<BlendshapeModel, ModelError> {
        Ok(BlendshapeModel {
            plan: load_plan(NAME, bytes, &[1, SUBSET.len(), 2])?,
        })
    }

    pub fn coefficients(&self, mesh: &Mesh) -> Result<Blendshapes, ModelError> {
        let mut data = Vec::with_capacity(SUBSET.len() * 2);
        for &i in &SUBSET {
            let p = mesh.p(i);
            data.extend_from_slice(&p);
        }
        // The model divides by the points' spread: degenerate input gives NaN.
        let (xmin, xmax) = data
            .iter()
            .step_by(2)
            .fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        // Non-finite points are refused first, so the spread comparison is a plain one.
        if data.iter().any(|v| !v.is_finite()) || xmax - xmin <= 1.0 {
            return Err(ModelError::Run {
                name: NAME,
                message: "degenerate mesh".into(),
            });
        }
        let input = tract_ndarray::Array3::from_shape_vec((1, SUBSET.len(), 2), data)
            .expect("146 x 2 values for a 1x146x2 tensor");
        let outputs = run(NAME, &self.plan, input.into())?;
        let out = output_f32(NAME, &outputs, 0)?;
        let v: Vec<f32> = out.iter().copied().collect();
        if v.len() != 52 || v.iter().any(|x| !x.is_finite()) {
            return Err(ModelError::Run {
                name: NAME,
                message: format!("unexpected output of {} values", v.len()),
            });
        }
        Ok(Blendshapes(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> BlendshapeModel {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models")
            .join(super::super::BLENDSHAPES_FILE.0);
        BlendshapeModel::load(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The model divides by the points' spread: all points at one place are refused instead
    /// of giving NaN coefficients.
    #[test]
    fn a_degenerate_mesh_is_refused_and_a_spread_one_is_scored() {
        let m = model();
        let flat = Mesh {
            points: vec![[10.0, 10.0, 0.0]; 478],
            presence: 1.0,
        };
        assert!(m.coefficients(&flat).is_err());
        // A spread of points (not a face): 52 finite coefficients in 0..1.
        let spread = Mesh {
            points: (0..478)
                .map(|i| [(i % 23) as f32 * 7.0, (i / 23) as f32 * 9.0, 0.0])
                .collect(),
            presence: 1.0,
        };
        let b = m.coefficients(&spread).unwrap();
        assert_eq!(b.0.len(), 52);
        assert!(b
            .0
            .iter()
            .all(|v| v.is_finite() && (-0.01..=1.01).contains(v)));
    }
}
