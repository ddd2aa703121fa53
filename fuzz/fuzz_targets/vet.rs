//! Arbitrary bytes through the whole engine: `Vetter::vet` must return `Ok` or `Err`, never
//! panic, hang or allocate without bound. Models are loaded once per process.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mynumber_photo::vetting::{Profile, VetContext, Vetter};

fn vetter() -> &'static Vetter {
    static VETTER: OnceLock<Vetter> = OnceLock::new();
    VETTER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
        Vetter::load(&dir, Profile::default()).expect("load models from ../models")
    })
}

fuzz_target!(|data: &[u8]| {
    let v = vetter();
    if let Ok(vetted) = v.vet(data, &VetContext::default()) {
        // The report must always serialise (the API renders it as JSON).
        let json = serde_json::to_vec(&vetted.report).expect("report serialises");
        assert!(!json.is_empty());
        if let Some(jpeg) = &vetted.crop_jpeg {
            assert!(jpeg.starts_with(&[0xFF, 0xD8]), "crop is not a JPEG");
        }
    }
});
