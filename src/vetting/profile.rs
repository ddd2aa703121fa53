//! Every threshold in one table. `profile.toml` beside this file is compiled in as the default;
//! an operator replaces it with `--profile FILE` (same shape: every key is required, unknown keys
//! are refused, so a typo cannot silently fall back to a default).

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::input::InputLimits;

pub const DEFAULT_TOML: &str = include_str!("profile.toml");

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("cannot read profile {0}: {1}")]
    Read(String, std::io::Error),
    #[error("profile {0} is not valid: {1}")]
    Parse(String, toml::de::Error),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub input: Input,
    pub detector: Detector,
    pub presence: Presence,
    pub pose: Pose,
    pub geometry: Geometry,
    pub expression: Expression,
    pub background: Background,
    pub quality: Quality,
    pub appearance: Appearance,
    pub file: File,
    pub crop: CropProfile,
    pub infant: Infant,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub max_bytes: usize,
    pub max_pixels: u64,
    pub decode_long_side: u32,
    pub model_long_side: u32,
}

impl Input {
    pub fn limits(&self) -> InputLimits {
        InputLimits {
            max_bytes: self.max_bytes,
            max_pixels: self.max_pixels,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    pub input_size: usize,
    pub min_score: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Presence {
    pub other_face_min_score: f32,
    pub other_face_min_relative_size: f32,
    pub mesh_min_presence: f32,
    pub max_frontal_yaw_deg: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pose {
    pub yaw_max_deg: f32,
    pub pitch_max_deg: f32,
    pub roll_max_deg: f32,
    pub yaw_fail_deg: f32,
    pub pitch_fail_deg: f32,
    pub pitch_offset_deg: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Geometry {
    pub head_ratio: [f32; 2],
    pub top_margin: [f32; 2],
    pub bottom_margin: [f32; 2],
    pub centre: [f32; 2],
    /// Ideal head ratio, top margin, centre.
    pub ideal: [f32; 3],
    pub side_margin: f32,
    /// Widening of every range when searching for a crop, for landmark uncertainty; a crop
    /// that needs it gets an informational warning.
    pub tolerance: f32,
    /// Highest crown accepted above the eyes, in eye-to-chin distances (hair above is hair).
    pub crown_cap: f32,
    pub ear_extension_ipd: f32,
    pub min_crop_width_px: f32,
    pub min_eye_distance_px: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expression {
    pub eye_open_min_ratio: f32,
    pub eye_open_warn_ratio: f32,
    pub blink_fail: f32,
    pub blink_warn: f32,
    pub mouth_open_max: f32,
    pub upper_up_weight: f32,
    pub smile_warn: f32,
    pub smile_fail: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    pub mask_background_max: f32,
    pub edge_clearance_cells: u32,
    pub halo_cells: u32,
    pub min_background_fraction: f32,
    pub edge_step: f32,
    pub max_edge_density: f32,
    pub object_deviation: f32,
    pub max_object_fraction: f32,
    pub max_gradient_luma: f32,
    pub min_luma_fail: f32,
    pub min_luma_warn: f32,
    pub max_saturation_fail: f32,
    pub max_saturation_info: f32,
    pub shadow_band_cells: u32,
    pub shadow_min_ratio: f32,
    pub face_light_fail: f32,
    pub face_light_warn: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    pub min_sharpness: f32,
    pub warn_sharpness: f32,
    pub min_face_luma: f32,
    pub max_face_luma: f32,
    pub min_contrast: f32,
    pub max_clipped: f32,
    pub max_block_ratio: f32,
    pub max_red_eye_fraction: f32,
    pub monochrome_max_saturation: f32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Appearance {
    pub hat_min_height: f32,
    pub hat_min_colour_diff: f32,
    pub glare_luma: f32,
    pub max_glare_fraction: f32,
    pub min_bridge_ratio: f32,
    pub max_top_width_ratio: f32,
    pub min_eye_region_ratio: f32,
    pub max_lower_face_chroma_diff: f32,
    pub lower_face_luma_ratio: [f32; 2],
    pub skin_red_chroma: [f32; 2],
    pub skin_green_chroma: [f32; 2],
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub max_photo_age_months: u32,
    pub editor_software: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CropProfile {
    pub min_width: u32,
    pub max_width: u32,
    pub quality: i32,
    pub min_bytes: usize,
    pub max_bytes: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Infant {
    pub max_age: u32,
}

impl Profile {
    pub fn parse(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        toml::from_str(text).map_err(|e| ProfileError::Parse(origin.to_string(), e))
    }

    pub fn from_file(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ProfileError::Read(path.display().to_string(), e))?;
        Profile::parse(&text, &path.display().to_string())
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::parse(DEFAULT_TOML, "built-in profile.toml")
            .expect("the built-in profile is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_profile_parses() {
        let p = Profile::default();
        assert_eq!(p.geometry.head_ratio, [0.711, 0.800]);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let bad = format!("{DEFAULT_TOML}\n[typo]\nx = 1\n");
        assert!(Profile::parse(&bad, "test").is_err());
    }
}
