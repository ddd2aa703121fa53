//! The ONNX models, loaded once, verified against pinned hashes, shared across threads.
//!
//! A tract runnable plan is immutable and `Send + Sync`; each `run` makes its own state, so one
//! `Models` serves every request concurrently.

pub mod blendshapes;
pub mod canonical;
pub mod detector;
pub mod mesh;
pub mod segmentation;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use thiserror::Error;
use tract_onnx::prelude::*;

pub use blendshapes::{BlendshapeModel, Blendshapes};
pub use canonical::{CanonicalFace, Pose};
pub use detector::{Detection, Detector};
pub use mesh::{EyeContour, Mesh, MeshModel};
pub use segmentation::{Mask, Segmenter};

pub type Plan = Arc<TypedRunnableModel>;

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("model file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model file {path} has sha256 {actual}, expected {expected}: the file is not the one the project was calibrated with; restore it from models/ in the repository")]
    HashMismatch {
        path: PathBuf,
        expected: &'static str,
        actual: String,
    },
    #[error("model {name}: {message}")]
    Load { name: &'static str, message: String },
    #[error("model {name} failed to run: {message}")]
    Run { name: &'static str, message: String },
}

/// The files the engine uses, with the sha256 pinned in models/README.md.
pub const DETECTOR_FILE: (&str, &str) = (
    "retinaface_mnet025.onnx",
    "c1c4afef359c9b6e96dc5bad405dce7c538e925aa56d770be1029497290b7735",
);
pub const MESH_FILE: (&str, &str) = (
    "face_landmark_478.onnx",
    "d7fb7ecbd28968a76634bb574b11364a69090a45e65335b3033af2a29256ea22",
);
pub const BLENDSHAPES_FILE: (&str, &str) = (
    "face_blendshapes.onnx",
    "1789d2cc7b2befc83ebd6aa27aafc5737f4160a84487e61e26f1c80dbb7f99d7",
);
pub const CANONICAL_FILE: (&str, &str) = (
    "canonical_face_model_468.csv",
    "f1253bdb324514fedcd4711e2fcd3cace4f44d9a60b1307152b3e14ed71fe2c8",
);
pub const SEGMENTATION_FILE: (&str, &str) = (
    "selfie_segmentation.onnx",
    "6de6803c6f878fb45b8c158ffb995364afb6ec427ad65576f26a9cefae0151b0",
);

/// Reads a model file and refuses it unless its sha256 is the pinned one.
fn read_verified(
    dir: &Path,
    (name, expected): (&str, &'static str),
) -> Result<Vec<u8>, ModelError> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).map_err(|source| ModelError::Read {
        path: path.clone(),
        source,
    })?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != expected {
        return Err(ModelError::HashMismatch {
            path,
            expected,
            actual,
        });
    }
    Ok(bytes)
}

fn load_plan(name: &'static str, bytes: &[u8], input_shape: &[usize]) -> Result<Plan, ModelError> {
    let err = |e: anyhow::Error| ModelError::Load {
        name,
        message: format!("{e:#}"),
    };
    let model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))
        .map_err(err)?
        .with_input_fact(0, f32::fact(input_shape).into())
        .map_err(err)?
        .into_optimized()
        .map_err(err)?
        .into_runnable()
        .map_err(err)?;
    Ok(model)
}

fn run(name: &'static str, plan: &Plan, input: Tensor) -> Result<TVec<TValue>, ModelError> {
    plan.run(tvec!(input.into())).map_err(|e| ModelError::Run {
        name,
        message: format!("{e:#}"),
    })
}

fn output_f32<'a>(
    name: &'static str,
    outputs: &'a TVec<TValue>,
    i: usize,
) -> Result<tract_ndarray::ArrayViewD<'a, f32>, ModelError> {
    outputs
        .get(i)
        .ok_or_else(|| ModelError::Run {
            name,
            message: format!("missing output {i}"),
        })?
        .to_plain_array_view::<f32>()
        .map_err(|e| ModelError::Run {
            name,
            message: format!("{e:#}"),
        })
}

/// A square of `side` image pixels centred on `centre` and turned by `angle`, seen as a
/// `size` x `size` model input (optionally mirrored left-right). Maps crop pixels back to the
/// image, and samples the image into an NHWC RGB/255 tensor.
pub struct SquareCrop {
    centre: crate::vetting::pixels::Pt,
    k: f32,
    sin: f32,
    cos: f32,
    size: usize,
    mirror: bool,
}

impl SquareCrop {
    pub fn new(
        centre: crate::vetting::pixels::Pt,
        side: f32,
        angle: f32,
        size: usize,
        mirror: bool,
    ) -> SquareCrop {
        let (sin, cos) = angle.sin_cos();
        SquareCrop {
            centre,
            k: side / size as f32,
            sin,
            cos,
            size,
            mirror,
        }
    }

    /// Image pixels per crop pixel.
    pub fn scale(&self) -> f32 {
        self.k
    }

    pub fn to_image(&self, u: f32, v: f32) -> crate::vetting::pixels::Pt {
        let half = self.size as f32 / 2.0;
        let u = if self.mirror { self.size as f32 - u } else { u };
        let (du, dv) = ((u - half) * self.k, (v - half) * self.k);
        [
            self.centre[0] + du * self.cos - dv * self.sin,
            self.centre[1] + du * self.sin + dv * self.cos,
        ]
    }

    pub fn tensor(&self, img: &image::RgbImage) -> tract_ndarray::Array4<f32> {
        let n = self.size;
        let mut data = Vec::with_capacity(n * n * 3);
        for v in 0..n {
            for u in 0..n {
                let [x, y] = self.to_image(u as f32 + 0.5, v as f32 + 0.5);
                let p = crate::vetting::pixels::bilinear(img, x, y);
                data.extend(p.map(|c| c / 255.0));
            }
        }
        tract_ndarray::Array4::from_shape_vec((1, n, n, 3), data)
            .expect("n*n*3 values for a 1xnxnx3 tensor")
    }
}

/// All the models, loaded once at start.
pub struct Models {
    pub detector: Detector,
    pub mesh: MeshModel,
    pub segmenter: Segmenter,
    pub blendshapes: BlendshapeModel,
    pub canonical: CanonicalFace,
}

impl Models {
    pub fn load(dir: &Path, detector_size: usize) -> Result<Models, ModelError> {
        Ok(Models {
            detector: Detector::load(&read_verified(dir, DETECTOR_FILE)?, detector_size)?,
            mesh: MeshModel::load(&read_verified(dir, MESH_FILE)?)?,
            segmenter: Segmenter::load(&read_verified(dir, SEGMENTATION_FILE)?)?,
            blendshapes: BlendshapeModel::load(&read_verified(dir, BLENDSHAPES_FILE)?)?,
            canonical: CanonicalFace::parse(&read_verified(dir, CANONICAL_FILE)?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_model_file_is_refused_with_its_name() {
        let dir = std::env::temp_dir().join(format!("mnp-model-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(DETECTOR_FILE.0), b"not the model").unwrap();
        let err = read_verified(&dir, DETECTOR_FILE).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("retinaface_mnet025.onnx"), "{msg}");
        assert!(matches!(err, ModelError::HashMismatch { .. }));
        std::fs::remove_dir_all(&dir).ok();
    }
}
