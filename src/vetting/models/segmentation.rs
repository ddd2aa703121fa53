//! MediaPipe selfie segmentation: the probability that each pixel belongs to the person.
//! Used for the crown (top of the hair) and to judge the background.

use image::RgbImage;
use tract_onnx::prelude::*;

use super::{load_plan, output_f32, run, ModelError, Plan};
use crate::vetting::pixels::resize;

const NAME: &str = "segmentation";
const SIZE: usize = 256;

/// Person probability on a SIZE x SIZE grid stretched over the whole image.
#[derive(Debug, Clone)]
pub struct Mask {
    pub data: Vec<f32>,
    pub size: usize,
    /// Image pixels per mask cell, horizontally and vertically.
    pub cell_w: f32,
    pub cell_h: f32,
}

impl Mask {
    /// Probability at image pixel (x, y); outside the image 0.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let mx = x / self.cell_w;
        let my = y / self.cell_h;
        if mx < 0.0 || my < 0.0 || mx >= self.size as f32 || my >= self.size as f32 {
            return 0.0;
        }
        self.data[my as usize * self.size + mx as usize]
    }
}

pub struct Segmenter {
    plan: Plan,
}

impl Segmenter {
    pub fn load(bytes: &[u8]) -> Result<Segmenter, ModelError> {
        Ok(Segmenter {
            plan: load_plan(NAME, bytes, &[1, SIZE, SIZE, 3])?,
        })
    }

    pub fn segment(&self, img: &RgbImage) -> Result<Mask, ModelError> {
        let (w, h) = img.dimensions();
        let small = resize(img, SIZE as u32, SIZE as u32);
        let data: Vec<f32> = small.as_raw().iter().map(|&v| v as f32 / 255.0).collect();
        let input =
            tract_ndarray::Array4::from_shape_vec((1, SIZE, SIZE, 3), data).map_err(|e| {
                ModelError::Run {
                    name: NAME,
                    message: e.to_string(),
                }
            })?;
        let outputs = run(NAME, &self.plan, input.into())?;
        let out = output_f32(NAME, &outputs, 0)?;
        let data: Vec<f32> = out.iter().copied().collect();
        if data.len() != SIZE * SIZE {
            return Err(ModelError::Run {
                name: NAME,
                message: "unexpected mask shape".into(),
            });
        }
        Ok(Mask {
            data,
            size: SIZE,
            cell_w: w as f32 / SIZE as f32,
            cell_h: h as f32 / SIZE as f32,
        })
    }
}
