//! F1-F3, F6-F8: the file as uploaded and the file produced for the issuer.

use chrono::NaiveDate;
use serde_json::json;

use super::{finding, not_assessed};
use crate::vetting::profile::{CropProfile, Profile};
use crate::vetting::report::{Finding, Status};
use crate::vetting::Scene;

/// Findings about the upload itself (it decoded, so F1 passes).
pub fn check_input(scene: &Scene, profile: &Profile, application_date: NaiveDate) -> Vec<Finding> {
    let src = scene.source;
    let mut out = vec![finding(
        "F1",
        Status::Pass,
        json!({"format": src.format, "width": src.width(), "height": src.height()}),
        json!({"formats": ["jpeg", "png", "webp"], "max_bytes": profile.input.max_bytes, "max_pixels": profile.input.max_pixels}),
        "F1.ok",
    )];
    out.push(finding(
        "F8",
        Status::Pass,
        json!({"exif_orientation": src.exif.orientation, "metadata_in_output": false}),
        json!("orientation applied; no metadata in the output"),
        "F8.ok",
    ));
    out.push(match &src.exif.taken {
        None => not_assessed("F6", "F6.none"),
        Some(taken) => match parse_exif_date(taken) {
            None => not_assessed("F6", "F6.none"),
            Some(d) => {
                let limit = application_date
                    .checked_sub_months(chrono::Months::new(profile.file.max_photo_age_months))
                    .unwrap_or(application_date);
                let m = json!({"taken": d.to_string(), "application_date": application_date.to_string()});
                let t = json!({"max_age_months": profile.file.max_photo_age_months});
                if d < limit {
                    finding("F6", Status::Warn, m, t, "F6.old")
                } else if d > application_date {
                    finding("F6", Status::Warn, m, t, "F6.future")
                } else {
                    finding("F6", Status::Pass, m, t, "F6.ok")
                }
            }
        },
    });
    let editor = src.exif.software.as_deref().and_then(|s| {
        let lower = s.to_lowercase();
        profile
            .file
            .editor_software
            .iter()
            .find(|e| lower.contains(&e.to_lowercase()))
            .map(|_| s.to_string())
    });
    let m = json!({"software": src.exif.software, "transparent_background": src.had_alpha});
    let t = json!({"editors": profile.file.editor_software});
    out.push(if editor.is_some() {
        finding("F7", Status::Warn, m, t, "F7.editor")
    } else if src.had_alpha {
        finding("F7", Status::Warn, m, t, "F7.cutout")
    } else {
        finding("F7", Status::Pass, m, t, "F7.ok")
    });
    out
}

fn parse_exif_date(s: &str) -> Option<NaiveDate> {
    let d = s.get(0..10)?;
    NaiveDate::parse_from_str(d, "%Y:%m:%d").ok()
}

/// F2 and F3 on the produced JPEG.
pub fn check_output(jpeg: &[u8], p: &CropProfile) -> Finding {
    let size = jpeg.len();
    let m = json!({"bytes": size, "channels": 3});
    let t = json!({"min_bytes": p.min_bytes, "max_bytes": p.max_bytes});
    if size < p.min_bytes || size > p.max_bytes {
        finding("F3", Status::Fail, m, t, "F3.size")
    } else {
        finding("F3", Status::Pass, m, t, "F3.ok")
    }
}

pub fn no_output() -> Finding {
    not_assessed("F3", "geometry.no_crop")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exif_dates_parse() {
        assert_eq!(
            parse_exif_date("2026:05:01 10:00:00"),
            NaiveDate::from_ymd_opt(2026, 5, 1)
        );
        assert_eq!(parse_exif_date("0000:00:00 00:00:00"), None);
        assert_eq!(parse_exif_date("bad"), None);
    }
}
