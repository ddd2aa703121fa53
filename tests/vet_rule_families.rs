//! One test per rule family on real photos from sample-photos/: the family reports its rules
//! with measurements, and its profile thresholds (not hidden constants) decide the status.

mod common;

use common::*;
use mynumber_photo::vetting::{Profile, Report, Status, VetContext, Vetter};

fn vet_with(vetter: &Vetter, bytes: &[u8]) -> Report {
    vetter
        .vet(bytes, &VetContext::default())
        .expect("sample photo vets")
        .report
}

fn status(report: &Report, rule: &str) -> Status {
    report
        .finding(rule)
        .unwrap_or_else(|| panic!("{rule} missing from the report"))
        .status
}

fn tuned(edit: impl FnOnce(&mut Profile)) -> Vetter {
    let mut p = Profile::default();
    edit(&mut p);
    vetter().with_profile(p)
}

#[test]
fn presence_counts_faces_and_its_threshold_decides() {
    let group = read_sample("bad_group4.jpg");
    let r = vet_with(vetter(), &group);
    assert_eq!(status(&r, "P1"), Status::Fail);
    assert!(r.finding("P1").unwrap().measured["faces"].as_u64().unwrap() >= 2);
    // Counting only detections scoring above 1.0 leaves the main face alone.
    let lenient = tuned(|p| {
        p.presence.other_face_min_score = 1.01;
        p.presence.max_frontal_yaw_deg = 90.0;
    });
    assert_eq!(status(&vet_with(&lenient, &group), "P1"), Status::Pass);
    let cat = vet_with(vetter(), &read_sample("noface_cat_chelsea.png"));
    assert_eq!(status(&cat, "P1"), Status::Fail);
    assert!(cat.face.is_none() && cat.crop.is_none());
}

#[test]
fn geometry_finds_a_35_45_crop_and_f4_follows_its_threshold() {
    let astronaut = read_sample("bad_astronaut_busy_bg_smile.png");
    let r = vet_with(vetter(), &astronaut);
    let crop = r.crop.expect("a crop exists");
    let ratio = crop.width as f64 / crop.height as f64;
    assert!((ratio - 35.0 / 45.0).abs() < 0.01, "crop ratio {ratio}");
    for rule in ["P3", "P4", "P5", "P6", "F5"] {
        assert!(
            matches!(status(&r, rule), Status::Pass | Status::Warn),
            "{rule}"
        );
    }
    // A 512 px photo cannot give the issuer 480 px across the crop.
    assert_eq!(status(&r, "F4"), Status::Fail);
    assert_eq!(status(&r, "P7"), Status::Fail);
    let small_ok = tuned(|p| {
        p.geometry.min_crop_width_px = 100.0;
        p.geometry.min_eye_distance_px = 20.0;
    });
    let r = vet_with(&small_ok, &astronaut);
    assert_eq!(status(&r, "F4"), Status::Pass);
    assert_eq!(status(&r, "P7"), Status::Pass);
}

#[test]
fn pose_fails_a_tilted_head_within_its_limits() {
    let tilted = read_sample("bad_eyes_closed_tilted_crop.jpg");
    let r = vet_with(vetter(), &tilted);
    assert_eq!(status(&r, "P2"), Status::Fail);
    let roll = r.finding("P2").unwrap().measured["roll_deg"]
        .as_f64()
        .unwrap();
    assert!(roll.abs() > 8.0, "roll {roll}");
    let lenient = tuned(|p| {
        p.pose.roll_max_deg = 90.0;
        p.pose.yaw_max_deg = 90.0;
        p.pose.yaw_fail_deg = 90.0;
        p.pose.pitch_max_deg = 90.0;
        p.pose.pitch_fail_deg = 90.0;
    });
    assert_eq!(status(&vet_with(&lenient, &tilted), "P2"), Status::Pass);
}

#[test]
fn expression_sees_closed_eyes_and_an_open_smile() {
    let closed = vet_with(vetter(), &read_sample("bad_eyes_closed_tilted_crop.jpg"));
    assert_eq!(status(&closed, "P8"), Status::Fail);
    let smile = read_sample("bad_astronaut_busy_bg_smile.png");
    let r = vet_with(vetter(), &smile);
    assert_eq!(status(&r, "P9"), Status::Fail);
    assert_eq!(status(&r, "P8"), Status::Pass);
    let lenient = tuned(|p| {
        p.expression.mouth_open_max = 1.0;
        p.expression.smile_warn = 100.0;
        p.expression.smile_fail = 100.0;
    });
    assert_eq!(status(&vet_with(&lenient, &smile), "P9"), Status::Pass);
}

#[test]
fn background_fails_a_busy_scene_and_its_thresholds_decide() {
    // A flag behind the head.
    let group = read_sample("bad_grace_hopper_hat_glasses.jpg");
    let r = vet_with(vetter(), &group);
    assert_eq!(status(&r, "P10"), Status::Fail);
    let m = &r.finding("P10").unwrap().measured;
    assert!(m["edge_density"].as_f64().is_some() && m["mean_luma"].as_f64().is_some());
    let lenient = tuned(|p| {
        let b = &mut p.background;
        b.max_edge_density = 1.0;
        b.max_object_fraction = 1.0;
        b.min_luma_fail = 0.0;
        b.min_luma_warn = 0.0;
        b.max_saturation_fail = 1.0;
        b.max_saturation_info = 1.0;
        b.max_gradient_luma = 1e6;
    });
    assert_eq!(status(&vet_with(&lenient, &group), "P10"), Status::Pass);
}

#[test]
fn quality_sees_blur_darkness_and_monochrome() {
    let original = decode_rgb(&read_sample("bad_astronaut_busy_bg_smile.png"));
    let sharp = vet_with(vetter(), &jpeg_rgb(&original, 95));
    assert_eq!(status(&sharp, "P12"), Status::Pass);
    assert_eq!(status(&sharp, "P13"), Status::Pass);

    let blurred = image::imageops::blur(&original, 3.0);
    let r = vet_with(vetter(), &jpeg_rgb(&blurred, 95));
    assert_eq!(status(&r, "P12"), Status::Fail, "{:?}", r.finding("P12"));

    let mut dark = original.clone();
    dark.pixels_mut().for_each(|p| p.0 = p.0.map(|c| c / 6));
    let r = vet_with(vetter(), &jpeg_rgb(&dark, 95));
    assert_eq!(status(&r, "P13"), Status::Fail, "{:?}", r.finding("P13"));

    let grey = image::DynamicImage::ImageRgb8(original).to_luma8();
    let grey = image::DynamicImage::ImageLuma8(grey).to_rgb8();
    let r = vet_with(vetter(), &jpeg_rgb(&grey, 95));
    let p21 = r.finding("P21").unwrap();
    assert_eq!(p21.status, Status::Pass);
    assert_eq!(p21.measured["monochrome"], true);
}

#[test]
fn appearance_heuristics_report_measurements_and_warn_by_profile() {
    let hopper = read_sample("bad_grace_hopper_hat_glasses.jpg");
    let r = vet_with(vetter(), &hopper);
    for rule in ["P16", "P17", "P18", "P19", "P20"] {
        let f = r.finding(rule).unwrap_or_else(|| panic!("{rule} missing"));
        assert!(f.measured.is_object(), "{rule} has measurements");
        assert_ne!(
            f.status,
            Status::Fail,
            "{rule}: heuristics warn, never fail"
        );
    }
    // A bridge-darkness limit above any real face turns the glasses check into a warning.
    let strict = tuned(|p| p.appearance.min_bridge_ratio = 10.0);
    let r = vet_with(&strict, &hopper);
    assert_eq!(status(&r, "P16"), Status::Warn);
    assert_ne!(r.verdict, mynumber_photo::vetting::Verdict::Accept);
}
