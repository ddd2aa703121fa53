//! Arbitrary bytes through the input stage alone (header, EXIF, scaled decode): much faster
//! than `vet`, so it explores the decoders far deeper. Checks that the decoded size agrees with
//! what `inspect` promised: the rest of the engine maps coordinates with that.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mynumber_photo::vetting::input::{self, Format, InputLimits};

fuzz_target!(|data: &[u8]| {
    // The service's limits, but fewer pixels so that one input cannot take seconds to decode.
    let limits = InputLimits {
        max_bytes: 20 * 1024 * 1024,
        max_pixels: 16_000_000,
    };
    let Ok(src) = input::inspect(data, limits) else {
        return;
    };
    assert!(src.width() > 0 && src.height() > 0);
    assert!(u64::from(src.width()) * u64::from(src.height()) <= limits.max_pixels);
    assert!((1..=8).contains(&src.exif.orientation));
    for min_long_side in [800u32, 1] {
        let Ok(d) = input::decode_at_least(&src, min_long_side) else {
            return;
        };
        let (w, h) = d.image.dimensions();
        assert!(d.scale > 0.0 && d.scale <= 1.0);
        let denom = (1.0 / d.scale).round() as u32;
        let (ew, eh) = match src.format {
            // libjpeg-turbo's scaled size: ceil(dim / denom).
            Format::Jpeg => (src.width().div_ceil(denom), src.height().div_ceil(denom)),
            // Decoded at full size, then box-filtered by the integer factor (floor division).
            Format::Png | Format::Webp => ((src.width() / denom).max(1), (src.height() / denom).max(1)),
        };
        assert_eq!(
            (w, h),
            (ew, eh),
            "decoded size disagrees with the header ({:?}, orientation {}, 1/{denom})",
            src.format,
            src.exif.orientation
        );
        {
            let long = src.stored_width.max(src.stored_height);
            assert!(
                w.max(h) >= min_long_side.min(long),
                "decoded below the requested long side"
            );
        }
    }
});
