//! RetinaFace-MobileNet0.25: boxes, scores and five landmarks for every face in the image.
//!
//! The plan is built for one square input size; images are letterboxed into it (padding is the
//! mean colour, which is zero after the mean is subtracted), so one optimised plan serves all.

use image::RgbImage;
use tract_onnx::prelude::*;

use super::{load_plan, output_f32, run, ModelError, Plan};
use crate::vetting::pixels::{resize, Pt};

const NAME: &str = "retinaface";
const MEAN_BGR: [f32; 3] = [104.0, 117.0, 123.0];

/// One face found by the detector, in the coordinates of the image given to `detect`.
#[derive(Debug, Clone)]
pub struct Detection {
    /// x1, y1, x2, y2.
    pub bbox: [f32; 4],
    pub score: f32,
    /// Eye on the image's left, eye on the image's right, nose tip, mouth corners left, right.
    pub landmarks: [Pt; 5],
}

impl Detection {
    pub fn width(&self) -> f32 {
        self.bbox[2] - self.bbox[0]
    }
    pub fn height(&self) -> f32 {
        self.bbox[3] - self.bbox[1]
    }
}

pub struct Detector {
    plan: Plan,
    size: usize,
    priors: Vec<[f32; 4]>,
}

impl Detector {
    pub fn load(bytes: &[u8], size: usize) -> Result<Detector, ModelError> {
        let plan = load_plan(NAME, bytes, &[1, 3, size, size])?;
        Ok(Detector {
            plan,
            size,
            priors: priors(size, size),
        })
    }

    /// All faces scoring at least `min_score`, after non-maximum suppression, best first.
    pub fn detect(&self, img: &RgbImage, min_score: f32) -> Result<Vec<Detection>, ModelError> {
        let (w, h) = img.dimensions();
        let s = self.size;
        let scale = s as f32 / w.max(h) as f32;
        let (rw, rh) = (
            ((w as f32 * scale).round() as u32).clamp(1, s as u32),
            ((h as f32 * scale).round() as u32).clamp(1, s as u32),
        );
        let small = resize(img, rw, rh);
        // NCHW planes, BGR order, mean subtracted, no scaling; the letterbox padding stays 0.
        let mut planes = vec![0f32; 3 * s * s];
        let (b, rest) = planes.split_at_mut(s * s);
        let (g, r) = rest.split_at_mut(s * s);
        for (y, row) in small.as_raw().chunks_exact(rw as usize * 3).enumerate() {
            for (x, p) in row.chunks_exact(3).enumerate() {
                let i = y * s + x;
                b[i] = p[2] as f32 - MEAN_BGR[0];
                g[i] = p[1] as f32 - MEAN_BGR[1];
                r[i] = p[0] as f32 - MEAN_BGR[2];
            }
        }
        let input = tract_ndarray::Array4::from_shape_vec((1, 3, s, s), planes).map_err(|e| {
            ModelError::Run {
                name: NAME,
                message: e.to_string(),
            }
        })?;
        let outputs = run(NAME, &self.plan, input.into())?;
        let loc = output_f32(NAME, &outputs, 0)?;
        let conf = output_f32(NAME, &outputs, 1)?;
        let landms = output_f32(NAME, &outputs, 2)?;
        let loc = loc.as_slice().unwrap_or(&[]);
        let conf = conf.as_slice().unwrap_or(&[]);
        let landms = landms.as_slice().unwrap_or(&[]);
        if loc.len() != self.priors.len() * 4 || conf.len() != self.priors.len() * 2 {
            return Err(ModelError::Run {
                name: NAME,
                message: "unexpected output shape".into(),
            });
        }
        let to_px = s as f32 / scale; // fraction of the letterbox -> image pixels
        let mut found = Vec::new();
        for (i, p) in self.priors.iter().enumerate() {
            let score = conf[i * 2 + 1];
            if score < min_score {
                continue;
            }
            let l = &loc[i * 4..i * 4 + 4];
            let cx = p[0] + l[0] * 0.1 * p[2];
            let cy = p[1] + l[1] * 0.1 * p[3];
            let bw = p[2] * (l[2] * 0.2).exp();
            let bh = p[3] * (l[3] * 0.2).exp();
            let lm = &landms[i * 10..i * 10 + 10];
            let mut landmarks = [[0.0; 2]; 5];
            for (k, pt) in landmarks.iter_mut().enumerate() {
                *pt = [
                    (p[0] + lm[2 * k] * 0.1 * p[2]) * to_px,
                    (p[1] + lm[2 * k + 1] * 0.1 * p[3]) * to_px,
                ];
            }
            found.push(Detection {
                bbox: [
                    (cx - bw / 2.0) * to_px,
                    (cy - bh / 2.0) * to_px,
                    (cx + bw / 2.0) * to_px,
                    (cy + bh / 2.0) * to_px,
                ],
                score,
                landmarks,
            });
        }
        Ok(nms(found, 0.4))
    }
}

/// Anchor centres and sizes as fractions of the input, in the model's output order.
fn priors(w: usize, h: usize) -> Vec<[f32; 4]> {
    let mut out = Vec::new();
    for (stride, sizes) in [
        (8usize, [16.0f32, 32.0]),
        (16, [64.0, 128.0]),
        (32, [256.0, 512.0]),
    ] {
        let (rows, cols) = (h.div_ceil(stride), w.div_ceil(stride));
        for i in 0..rows {
            for j in 0..cols {
                for m in sizes {
                    out.push([
                        (j as f32 + 0.5) * stride as f32 / w as f32,
                        (i as f32 + 0.5) * stride as f32 / h as f32,
                        m / w as f32,
                        m / h as f32,
                    ]);
                }
            }
        }
    }
    out
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let area = |r: &[f32; 4]| (r[2] - r[0]) * (r[3] - r[1]);
    inter / (area(a) + area(b) - inter).max(1e-6)
}

fn nms(mut dets: Vec<Detection>, threshold: f32) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for d in dets {
        if kept.iter().all(|k| iou(&k.bbox, &d.bbox) < threshold) {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_count_matches_the_model_layout() {
        // 320x320: (40*40 + 20*20 + 10*10) cells, two anchors each.
        assert_eq!(priors(320, 320).len(), 2 * (1600 + 400 + 100));
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes() {
        let d = |x: f32, s: f32| Detection {
            bbox: [x, 0.0, x + 10.0, 10.0],
            score: s,
            landmarks: [[0.0; 2]; 5],
        };
        let kept = nms(vec![d(0.0, 0.7), d(1.0, 0.9), d(50.0, 0.8)], 0.4);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].score, 0.9);
    }
}
