//! Bytes in, Report out. Knows nothing of HTTP or databases.
//!
//! Flow, one way: bytes -> `input` (limits, EXIF, scaled decode) -> `models` (detector, mesh,
//! segmentation) -> `Face` -> `rules` (findings) -> `report::decide` (verdict) -> `crop` (JPEG).

pub mod crop;
pub mod face;
pub mod input;
pub mod messages;
pub mod models;
pub mod overlay;
pub mod pixels;
pub mod precheck;
pub mod profile;
pub mod report;
pub mod rules;

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use image::RgbImage;
use thiserror::Error;

use crate::application::age;
pub use face::Face;
pub use input::InputError;
use models::{Mask, ModelError, Models};
pub use profile::Profile;
pub use report::{CropRect, FaceInfo, Finding, Landmarks, Report, Status, Timings, Verdict};

/// What the applicant declared alongside the photo.
#[derive(Debug, Clone, Default)]
pub struct VetContext {
    pub date_of_birth: Option<NaiveDate>,
    /// Defaults to today.
    pub application_date: Option<NaiveDate>,
    /// An "unavoidable reason" (medical, religious...): waives the rules the spec lists and
    /// sends the photo to a person.
    pub exception: Option<String>,
}

#[derive(Debug, Error)]
pub enum VetError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{0}")]
    Model(#[from] ModelError),
    #[error("{0}")]
    Context(String),
    #[error("an applicant aged 0 on {application_date} applies without a photo (since 2024-12-02): the photo was not checked or kept")]
    NoPhotoForInfant { application_date: NaiveDate },
}

impl VetError {
    /// Stable code for APIs and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            VetError::Input(e) => e.code(),
            VetError::Model(_) => "model_error",
            VetError::Context(_) => "invalid_context",
            VetError::NoPhotoForInfant { .. } => "photo_not_required_age_0",
        }
    }
}

/// Everything the vetting produced: the report, the issuer-ready JPEG, and what the overlay
/// needs to draw.
pub struct Vetted {
    pub report: Report,
    pub crop_jpeg: Option<Vec<u8>>,
    pub work: RgbImage,
    /// Work pixels per source pixel.
    pub scale: f32,
    pub face: Option<Face>,
    pub mask: Mask,
}

impl Vetted {
    pub fn overlay_png(&self) -> Vec<u8> {
        overlay::render(self)
    }
}

/// Loads the models once; `vet` is `&self` and safe to call from many threads at once.
pub struct Vetter {
    models: std::sync::Arc<Models>,
    pub profile: Profile,
}

/// The decoded image the models and rules work on, and how it maps to the source.
pub struct Scene<'a> {
    pub source: &'a input::Source<'a>,
    pub work: &'a RgbImage,
    pub scale: f32,
    pub mask: &'a Mask,
}

impl Scene<'_> {
    pub fn to_source(&self, p: pixels::Pt) -> pixels::Pt {
        [p[0] / self.scale, p[1] / self.scale]
    }
}

/// What the rules may read: the scene, the face, the profile, and the applicant's context.
pub struct Ctx<'a> {
    pub scene: &'a Scene<'a>,
    pub face: &'a Face,
    pub profile: &'a Profile,
    pub age: Option<u32>,
    pub infant: bool,
}

pub(crate) fn panicked(name: &'static str) -> ModelError {
    ModelError::Run {
        name,
        message: "worker thread panicked".into(),
    }
}

fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e4).round() / 10.0
}

impl Vetter {
    pub fn load(models_dir: &Path, profile: Profile) -> Result<Vetter, ModelError> {
        let models = std::sync::Arc::new(Models::load(models_dir, profile.detector.input_size)?);
        Ok(Vetter { models, profile })
    }

    /// The same loaded models under another profile (an operator's retuned thresholds, or a
    /// test's). The detector's input size is fixed when the models load.
    pub fn with_profile(&self, mut profile: Profile) -> Vetter {
        profile.detector.input_size = self.profile.detector.input_size;
        Vetter {
            models: self.models.clone(),
            profile,
        }
    }

    /// The 478-point mesh, its expression coefficients and the rigid pose fit: one mesh run
    /// serves eyes, irises, mouth and pose.
    pub(crate) fn face_models(
        &self,
        work: &RgbImage,
        det: &models::Detection,
    ) -> Result<(models::Mesh, models::Blendshapes, Option<models::Pose>), ModelError> {
        let mesh = self.models.mesh.landmarks(work, det)?;
        let blend = self.models.blendshapes.coefficients(&mesh)?;
        let pose = self.models.canonical.fit(&mesh);
        Ok((mesh, blend, pose))
    }

    pub fn vet(&self, bytes: &[u8], ctx: &VetContext) -> Result<Vetted, VetError> {
        let total = Instant::now();
        let p = &self.profile;
        let app_date = ctx
            .application_date
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let age = match ctx.date_of_birth {
            Some(dob) => {
                Some(age::age_on(dob, app_date).map_err(|e| VetError::Context(e.to_string()))?)
            }
            None => None,
        };
        if age == Some(0) && age::photo_exempt(app_date) {
            return Err(VetError::NoPhotoForInfant {
                application_date: app_date,
            });
        }
        let exception = ctx
            .exception
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());

        let t = Instant::now();
        let mut source = input::inspect(bytes, p.input.limits())?;
        // One decode serves both the models and the crop: libjpeg-turbo spends most of its time
        // in entropy decoding, whatever the DCT scale, so a second decode would cost nearly as
        // much as the first.
        let decoded = input::decode_at_least(&source, p.input.decode_long_side)?;
        source.had_alpha = decoded.had_alpha;
        let full = decoded.image;
        let k = (full.width().max(full.height()) / p.input.model_long_side.max(1)).max(1);
        let small = (k >= 2).then(|| pixels::box_downsample(&full, k));
        let work: &RgbImage = small.as_ref().unwrap_or(&full);
        let scale = decoded.scale / k as f32;
        let mut timings = Timings {
            decode: ms(t),
            ..Default::default()
        };

        // Segmentation needs no face: it runs on the other core while detection, the mesh and
        // the blendshapes run here.
        let (mask, detections, mesh) = std::thread::scope(|s| {
            let seg = s.spawn(|| {
                let t = Instant::now();
                self.models.segmenter.segment(work).map(|m| (m, ms(t)))
            });
            let t = Instant::now();
            let detections = self.models.detector.detect(work, p.detector.min_score);
            timings.detect = ms(t);
            let t = Instant::now();
            let mesh = match &detections {
                Ok(d) if !d.is_empty() => Some(self.face_models(work, &d[0])),
                _ => None,
            };
            timings.landmarks = ms(t);
            let mask = seg.join().unwrap_or_else(|_| Err(panicked("segmentation")));
            (mask, detections, mesh)
        });
        let (mask, seg_ms) = mask?;
        timings.segment = seg_ms;
        let detections = detections?;
        let mesh = mesh.transpose()?;

        let t = Instant::now();
        let scene = Scene {
            source: &source,
            work,
            scale,
            mask: &mask,
        };
        let mut findings = rules::file::check_input(&scene, p, app_date);
        let mut face_out = None;
        let mut crop_rect = None;
        let mut crop_jpeg = None;
        let mut face_info = None;
        match (detections.first(), mesh) {
            (Some(det), Some((mesh, blend, pose))) => {
                let face = Face::build(
                    det.clone(),
                    mesh,
                    blend,
                    pose,
                    &mask,
                    p.pose.pitch_offset_deg,
                    p.geometry.crown_cap,
                );
                let rctx = Ctx {
                    scene: &scene,
                    face: &face,
                    profile: p,
                    age,
                    infant: age.is_some_and(|a| a <= p.infant.max_age),
                };
                findings.extend(rules::presence::check(&rctx, &detections));
                let geometry = rules::geometry::check(&rctx);
                findings.extend(geometry.findings);
                // The issuer's JPEG is cut and encoded on the other core while the remaining
                // rules run here.
                let (src_ref, full_ref, full_scale) = (&source, &full, decoded.scale);
                let produced = std::thread::scope(|s| {
                    let crop = geometry.crop.map(|rect| {
                        s.spawn(move || crop::produce(src_ref, full_ref, full_scale, rect, &p.crop))
                    });
                    findings.extend(rules::pose::check(&rctx));
                    findings.extend(rules::expression::check(&rctx));
                    findings.extend(rules::background::check(&rctx, geometry.crop));
                    findings.extend(rules::quality::check(&rctx));
                    findings.extend(rules::appearance::check(&rctx, geometry.crop));
                    crop.map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(VetError::Model(panicked("crop"))))
                    })
                });
                match (geometry.crop, produced) {
                    (Some(rect), Some(jpeg)) => {
                        let jpeg = jpeg?;
                        findings.push(rules::file::check_output(&jpeg, &p.crop));
                        crop_jpeg = Some(jpeg);
                        crop_rect = Some(rect);
                    }
                    _ => findings.push(rules::file::no_output()),
                }
                face_info = Some(face_info_of(&scene, &face));
                face_out = Some(face);
            }
            _ => {
                findings.extend(rules::presence::no_face(p));
            }
        }
        rules::apply_exceptions(
            &mut findings,
            exception.is_some(),
            age.is_some_and(|a| a <= p.infant.max_age),
        );
        rules::sort(&mut findings);
        let verdict = report::decide(&findings, exception.is_some());
        timings.checks = ms(t);
        timings.total = ms(total);
        Ok(Vetted {
            report: Report {
                file: None,
                verdict,
                findings,
                face: face_info,
                crop: crop_rect,
                timings_ms: timings,
            },
            crop_jpeg,
            work: small.unwrap_or(full),
            scale,
            face: face_out,
            mask,
        })
    }
}

fn face_info_of(scene: &Scene, face: &Face) -> FaceInfo {
    let r = |v: f32| (v * 10.0).round() / 10.0;
    let pt = |p| {
        let q = scene.to_source(p);
        [r(q[0]), r(q[1])]
    };
    let b = face.detection.bbox;
    let tl = scene.to_source([b[0], b[1]]);
    let br = scene.to_source([b[2], b[3]]);
    FaceInfo {
        bbox: [r(tl[0]), r(tl[1]), r(br[0] - tl[0]), r(br[1] - tl[1])],
        score: (face.detection.score * 1000.0).round() / 1000.0,
        landmarks: Landmarks {
            eyes: [pt(face.eyes[0]), pt(face.eyes[1])],
            chin: pt(face.chin),
            crown: pt(face.crown),
        },
    }
}
