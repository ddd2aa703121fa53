//! Every photo in sample-photos/ (all labelled `reject` in sample-photos/labels.tsv): not
//! accepted, the expected rules named, and the report and crop contracts hold.

mod common;

use std::collections::BTreeSet;

use common::*;
use mynumber_photo::eval::{read_labels, Expected};
use mynumber_photo::vetting::{Report, Status, Verdict, VetContext};

/// The one expected rule the engine does not name yet: the astronaut's flag and model stand
/// outside the crop and the person mask takes them in, so the background measured in the
/// crop (and in a 1.6x wider frame, tried) reads as plain. The photo is still rejected (P9).
/// Every other labelled rule must be named.
const NOT_YET_NAMED: &[(&str, &str)] = &[("bad_astronaut_busy_bg_smile.png", "P10")];

fn named(report: &Report, rule: &str) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.rule == rule && matches!(f.status, Status::Fail | Status::Warn))
}

fn image_files() -> BTreeSet<String> {
    std::fs::read_dir(samples_dir())
        .expect("sample-photos/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| {
            let l = n.to_lowercase();
            l.ends_with(".jpg")
                || l.ends_with(".jpeg")
                || l.ends_with(".png")
                || l.ends_with(".webp")
        })
        .collect()
}

#[test]
fn labels_cover_exactly_the_sample_photos() {
    let labels = read_labels(&samples_dir().join("labels.tsv")).expect("labels.tsv");
    let labelled: BTreeSet<String> = labels.iter().map(|l| l.file.clone()).collect();
    assert_eq!(labelled.len(), labels.len(), "a file is labelled twice");
    assert_eq!(
        labelled,
        image_files(),
        "labels.tsv and the image files differ"
    );
    for l in &labels {
        assert_eq!(
            l.source_kind, "registry",
            "{}: only registry photos may be here",
            l.file
        );
        assert_eq!(l.expected, Expected::Reject, "{}", l.file);
        assert!(!l.failing_rules.is_empty(), "{}: no expected rules", l.file);
    }
    assert!(
        !labelled.contains("noface_kitten_eyes_closed.png"),
        "GPL photo must not be copied"
    );
    let attribution =
        std::fs::read_to_string(samples_dir().join("ATTRIBUTION.md")).expect("ATTRIBUTION.md");
    for f in &labelled {
        assert!(
            attribution.contains(f.as_str()),
            "{f} missing from ATTRIBUTION.md"
        );
    }
}

#[test]
fn every_sample_is_rejected_naming_its_rules() {
    let labels = read_labels(&samples_dir().join("labels.tsv")).expect("labels.tsv");
    let mut problems = Vec::new();
    for label in &labels {
        let name = &label.file;
        let bytes = read_sample(name);
        let vetted = vetter()
            .vet(&bytes, &VetContext::default())
            .unwrap_or_else(|e| panic!("{name}: {} ({e})", e.code()));
        let report = &vetted.report;
        check_report_contract(name, report);
        check_crop_jpeg(name, report, vetted.crop_jpeg.as_deref());
        let flagged = report.flagged_rules();
        println!("{name}: {:?} flagged {flagged:?}", report.verdict);

        if report.verdict == Verdict::Accept {
            problems.push(format!("{name}: accepted, expected reject"));
        }
        for rule in &label.failing_rules {
            let known = NOT_YET_NAMED.contains(&(name.as_str(), rule.as_str()));
            if known && named(report, rule) {
                problems.push(format!(
                    "{name}: {rule} is named now: remove it from NOT_YET_NAMED"
                ));
            }
            if !known && !named(report, rule) {
                problems.push(format!(
                    "{name}: expected rule {rule} not named (flagged {flagged:?})"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The Grace Hopper portrait: a navy peaked cap (P17) and no red eye (P15), whatever else.
#[test]
fn grace_hopper_names_the_cap_and_not_red_eye() {
    let name = "bad_grace_hopper_hat_glasses.jpg";
    let report = vetter()
        .vet(&read_sample(name), &VetContext::default())
        .expect("vet")
        .report;
    let status = |rule: &str| {
        report
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| (f.status, f.measured.clone()))
            .unwrap_or_else(|| panic!("{name}: no {rule} finding"))
    };
    let (p17, m17) = status("P17");
    assert!(
        matches!(p17, Status::Fail | Status::Warn),
        "P17 not named: {m17}"
    );
    let (p15, m15) = status("P15");
    assert_eq!(
        p15,
        Status::Pass,
        "P15 red eye on a photo without it: {m15}"
    );
}

#[test]
fn no_face_photos_have_no_face_and_no_crop() {
    for name in [
        "noface_cat_chelsea.png",
        "noface_coffee.png",
        "noface_rocket.jpg",
    ] {
        let v = vetter()
            .vet(&read_sample(name), &VetContext::default())
            .unwrap();
        let p1 = v.report.finding("P1").expect("P1");
        assert_eq!(p1.status, Status::Fail, "{name}: {p1:?}");
        assert!(v.report.face.is_none(), "{name}: a face was reported");
        assert!(
            v.crop_jpeg.is_none() && v.report.crop.is_none(),
            "{name}: a crop"
        );
        // Rules that need a face say they were not assessed rather than passing.
        for rule in ["P2", "P8", "P9"] {
            if let Some(f) = v.report.finding(rule) {
                assert_eq!(f.status, Status::NotApplicable, "{name}: {rule} {f:?}");
            }
        }
    }
}

#[test]
fn group_photos_name_more_than_one_face() {
    for name in ["bad_group3_dim.jpg", "bad_group4.jpg"] {
        let v = vetter()
            .vet(&read_sample(name), &VetContext::default())
            .unwrap();
        let p1 = v.report.finding("P1").expect("P1");
        assert_eq!(p1.status, Status::Fail, "{name}: {p1:?}");
        let faces = p1.measured["faces"].as_u64().unwrap_or(0);
        assert!(faces >= 2, "{name}: P1 measured {}", p1.measured);
    }
}

#[test]
fn vetting_is_deterministic() {
    let bytes = read_sample("bad_astronaut_busy_bg_smile.png");
    let a = vetter().vet(&bytes, &VetContext::default()).unwrap();
    let b = vetter().vet(&bytes, &VetContext::default()).unwrap();
    let strip = |r: &Report| {
        let mut v = serde_json::to_value(r).unwrap();
        v.as_object_mut().unwrap().remove("timings_ms");
        v
    };
    assert_eq!(strip(&a.report), strip(&b.report));
    assert_eq!(a.crop_jpeg, b.crop_jpeg);
}
