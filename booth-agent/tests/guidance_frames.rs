//! The live pre-check and the capture decision on real photos: one instruction at a time,
//! ready on a compliant photo, and a frame the pre-check passes but the full vet rejects (the
//! retake path).

use std::path::{Path, PathBuf};

use booth_agent::camera::ColourFrame;
use booth_agent::guidance::Guide;
use image::RgbImage;
use mynumber_photo::vetting::{Profile, Verdict, VetContext, Vetter};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn vetter() -> Vetter {
    Vetter::load(&root().join("models"), Profile::default()).expect("models")
}

/// The sample with hat and glasses at twice its size: big enough for the pre-check's size
/// rules, still rejected in full (busy background, red eyes).
pub fn hopper_frame() -> RgbImage {
    let img = image::open(root().join("sample-photos/bad_grace_hopper_hat_glasses.jpg"))
        .expect("sample photo")
        .to_rgb8();
    image::imageops::resize(
        &img,
        img.width() * 2,
        img.height() * 2,
        image::imageops::FilterType::Triangle,
    )
}

fn noise(w: u32, h: u32) -> RgbImage {
    let mut s = 0x1234_5678u32;
    RgbImage::from_fn(w, h, |_, _| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        image::Rgb([s as u8, (s >> 8) as u8, (s >> 16) as u8])
    })
}

#[test]
fn no_face_gives_the_face_instruction_first() {
    let v = vetter();
    let p = v.precheck(&noise(1280, 720)).expect("precheck");
    assert!(!p.ready);
    let i = p.instruction.expect("an instruction");
    assert_eq!(i.rule, "P1");
    assert!(!i.message.ja.is_empty() && !i.message.en.is_empty());
}

#[test]
fn a_small_face_is_told_to_come_closer() {
    let v = vetter();
    let img = image::open(root().join("sample-photos/bad_grace_hopper_hat_glasses.jpg"))
        .expect("sample")
        .to_rgb8();
    let p = v.precheck(&img).expect("precheck");
    eprintln!("{p:?}");
    assert!(!p.ready);
    let rule = p.instruction.expect("instruction").rule;
    assert!(["F4", "P7"].contains(&rule.as_str()), "{rule}");
}

#[test]
fn the_prechecked_frame_can_still_fail_the_full_vet() {
    let v = vetter();
    let frame = hopper_frame();
    let p = v.precheck(&frame).expect("precheck");
    eprintln!("{p:?}");
    assert!(p.ready, "{p:?}");
    let guide = Guide {
        vetter: &v,
        context: VetContext::default(),
        max_retakes: 3,
        retake_pause: std::time::Duration::ZERO,
        countdown: std::time::Duration::ZERO,
    };
    let c = guide
        .capture(
            &ColourFrame {
                index: 0,
                name: "hopper".into(),
                image: frame,
            },
            1,
        )
        .expect("capture");
    eprintln!("{:?} {:?}", c.verdict, c.failing);
    assert_eq!(c.verdict, Verdict::Reject);
    assert!(c.instruction.is_some());
}

#[test]
fn a_compliant_photo_is_ready_and_accepted() {
    let path = root().join("../shared/photos/dev/canada_003f.jpg");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let v = vetter();
    let img = image::open(&path).expect("photo").to_rgb8();
    let p = v.precheck(&img).expect("precheck");
    eprintln!("{p:?}");
    assert!(p.ready, "{p:?}");
    let guide = Guide {
        vetter: &v,
        context: VetContext::default(),
        max_retakes: 3,
        retake_pause: std::time::Duration::ZERO,
        countdown: std::time::Duration::ZERO,
    };
    let c = guide
        .capture(
            &ColourFrame {
                index: 0,
                name: "canada".into(),
                image: img,
            },
            1,
        )
        .expect("capture");
    assert_ne!(c.verdict, Verdict::Reject, "{:?}", c.failing);
}
