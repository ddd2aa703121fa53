//! Bad, unusual and rotated inputs: every one gives a report or a clear error code, never a
//! panic.

mod common;

use std::time::Instant;

use common::*;
use image::{DynamicImage, ImageBuffer, ImageFormat, Luma, Rgb, RgbImage, Rgba};
use mynumber_photo::vetting::{Report, Status, Verdict, VetContext, VetError, Vetted};

/// The sample with a face used for format variants and orientations.
const FACE: &str = "bad_astronaut_busy_bg_smile.png";

fn vet(bytes: &[u8]) -> Result<Vetted, VetError> {
    vetter().vet(bytes, &VetContext::default())
}

fn vet_err(what: &str, bytes: &[u8]) -> VetError {
    match vet(bytes) {
        Ok(v) => panic!(
            "{what}: expected an error, got verdict {:?} flagged {:?}",
            v.report.verdict,
            v.report.flagged_rules()
        ),
        Err(e) => {
            println!("{what}: {} ({e})", e.code());
            assert!(!e.to_string().trim().is_empty(), "{what}: empty message");
            e
        }
    }
}

fn vet_ok(what: &str, bytes: &[u8]) -> Vetted {
    let v = vet(bytes).unwrap_or_else(|e| panic!("{what}: {} ({e})", e.code()));
    check_report_contract(what, &v.report);
    check_crop_jpeg(what, &v.report, v.crop_jpeg.as_deref());
    println!(
        "{what}: {:?} flagged {:?}",
        v.report.verdict,
        v.report.flagged_rules()
    );
    v
}

fn face_rgb() -> RgbImage {
    decode_rgb(&read_sample(FACE))
}

/// Accept stays accept; reject or review stays "not accepted".
fn same_family(a: Verdict, b: Verdict) -> bool {
    (a == Verdict::Accept) == (b == Verdict::Accept)
}

fn original() -> &'static Report {
    static R: std::sync::OnceLock<Report> = std::sync::OnceLock::new();
    R.get_or_init(|| vet_ok("original PNG", &read_sample(FACE)).report)
}

#[test]
fn empty_file_is_empty_file() {
    assert_eq!(vet_err("empty", &[]).code(), "empty_file");
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let full = read_sample("bad_grace_hopper_hat_glasses.jpg");
    assert!(vet(&full).is_ok(), "the whole JPEG must vet");
    let half = &full[..full.len() / 2];
    assert_eq!(vet_err("truncated JPEG", half).code(), "corrupt_image");
    // Only the header and a few bytes of the scan.
    let sos = full
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .expect("SOS marker");
    assert_eq!(
        vet_err("JPEG cut after SOS", &full[..sos + 20]).code(),
        "corrupt_image"
    );
    // Just the SOI marker.
    let e = vet_err("SOI only", &full[..2]);
    assert!(
        matches!(e.code(), "corrupt_image" | "unsupported_format"),
        "{}",
        e.code()
    );
}

#[test]
fn random_bytes_are_unsupported() {
    // Deterministic pseudo-random bytes (a 64-bit LCG).
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let noise: Vec<u8> = (0..100_000)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect();
    assert_eq!(vet_err("random bytes", &noise).code(), "unsupported_format");
    assert_eq!(
        vet_err("text", b"hello, this is not a photo").code(),
        "unsupported_format"
    );
    // A valid signature followed by garbage.
    let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
    fake_png.extend_from_slice(&noise[..1000]);
    assert_eq!(
        vet_err("PNG signature + noise", &fake_png).code(),
        "corrupt_image"
    );
    let mut fake_jpeg = vec![0xFF, 0xD8, 0xFF];
    fake_jpeg.extend_from_slice(&noise[..1000]);
    assert_eq!(
        vet_err("JPEG signature + noise", &fake_jpeg).code(),
        "corrupt_image"
    );
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A hand-made PNG: signature, IHDR declaring `w`x`h` RGB8, a tiny IDAT, IEND.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, no filter, no interlace
    png_chunk(&mut out, b"IHDR", &ihdr);
    // zlib stream of a few zero bytes (stored block)
    png_chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0, 4, 0, 1,
        ],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A hand-made baseline JPEG: SOI, DQT, SOF0 declaring `w`x`h` (3 components), DHT tables, SOS,
/// a few bytes of scan data, EOI. JPEG stores 16-bit sizes and libjpeg-turbo's ceiling is 65500.
fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    let seg = |out: &mut Vec<u8>, marker: u8, payload: &[u8]| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
    };
    let mut dqt = vec![0x00];
    dqt.extend_from_slice(&[1u8; 64]);
    seg(&mut out, 0xDB, &dqt);
    let mut sof = vec![8];
    sof.extend_from_slice(&h.to_be_bytes());
    sof.extend_from_slice(&w.to_be_bytes());
    sof.extend_from_slice(&[3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    seg(&mut out, 0xC0, &sof);
    // One DC and one AC table, each with a single 1-bit code for symbol 0.
    let mut counts = [0u8; 16];
    counts[0] = 1;
    for class_id in [0x00u8, 0x10] {
        let mut dht = vec![class_id];
        dht.extend_from_slice(&counts);
        dht.push(0);
        seg(&mut out, 0xC4, &dht);
    }
    seg(&mut out, 0xDA, &[3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);
    out.extend_from_slice(&[0x00; 16]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

#[test]
fn huge_declared_sizes_are_refused_before_decoding() {
    // PNG declaring 100000 x 100000 (10 gigapixels) in a file of ~60 bytes.
    let png = png_declaring(100_000, 100_000);
    let t = Instant::now();
    let e = vet_err("PNG declaring 100000x100000", &png);
    println!("  refused in {:?}", t.elapsed());
    assert_eq!(e.code(), "too_many_pixels", "{e}");
    assert!(e.to_string().contains("100000"), "{e}");

    // JPEG: the SOF field is 16 bits and libjpeg-turbo's ceiling is 65500, so the largest
    // declarable size is 65500 x 65500 (4.3 gigapixels), far above the 50 MP limit.
    let jpeg = jpeg_declaring(65_500, 65_500);
    let t = Instant::now();
    let e = vet_err("JPEG declaring 65500x65500", &jpeg);
    println!("  refused in {:?}", t.elapsed());
    assert_eq!(e.code(), "too_many_pixels", "{e}");

    // Wide and flat: 65500 x 1000 = 65.5 MP, also over the limit.
    let e = vet_err("JPEG declaring 65500x1000", &jpeg_declaring(65_500, 1_000));
    assert_eq!(e.code(), "too_many_pixels", "{e}");
    // 100000 x 600 PNG: 60 MP.
    let e = vet_err("PNG declaring 100000x600", &png_declaring(100_000, 600));
    assert_eq!(e.code(), "too_many_pixels", "{e}");

    // Within the limit the same hand-made headers are just broken files.
    let e = vet_err(
        "PNG declaring 1000x1000, no pixels",
        &png_declaring(1000, 1000),
    );
    assert_eq!(e.code(), "corrupt_image", "{e}");
}

#[test]
fn cmyk_jpeg_is_refused_clearly() {
    let rgb = face_rgb();
    let (w, h) = rgb.dimensions();
    let mut cmyk = Vec::with_capacity((w * h * 4) as usize);
    for p in rgb.pixels() {
        let [r, g, b] = p.0;
        let k = 255 - r.max(g).max(b);
        let f = |c: u8| {
            if k == 255 {
                0
            } else {
                ((255 - c - k) as u32 * 255 / (255 - k) as u32) as u8
            }
        };
        cmyk.extend_from_slice(&[f(r), f(g), f(b), k]);
    }
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_quality(90).unwrap();
    let bytes = c
        .compress_to_vec(turbojpeg::Image {
            pixels: cmyk.as_slice(),
            width: w as usize,
            pitch: w as usize * 4,
            height: h as usize,
            format: turbojpeg::PixelFormat::CMYK,
        })
        .expect("CMYK JPEG");
    let header = turbojpeg::read_header(&bytes).unwrap();
    assert!(
        matches!(
            header.colorspace,
            turbojpeg::Colorspace::CMYK | turbojpeg::Colorspace::YCCK
        ),
        "the test file must be CMYK, is {:?}",
        header.colorspace
    );
    let e = vet_err("CMYK JPEG", &bytes);
    assert_eq!(e.code(), "cmyk_not_supported");
    assert!(e.to_string().contains("CMYK"), "{e}");
}

#[test]
fn sixteen_bit_png_vets_like_the_original() {
    let rgb16: ImageBuffer<Rgb<u16>, Vec<u16>> = DynamicImage::ImageRgb8(face_rgb()).into_rgb16();
    let bytes = encode(&DynamicImage::ImageRgb16(rgb16), ImageFormat::Png);
    assert_like_original("16-bit PNG", &bytes);
}

/// The same pixels in another container or depth: the same verdict family and failing rules.
fn assert_like_original(what: &str, bytes: &[u8]) {
    let orig = original();
    let v = vet_ok(what, bytes);
    assert!(
        same_family(v.report.verdict, orig.verdict),
        "{what}: {:?} vs 8-bit RGB {:?}",
        v.report.verdict,
        orig.verdict
    );
    assert_eq!(failing(&v.report), failing(orig), "{what}");
}

fn failing(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| f.rule.clone())
        .collect()
}

#[test]
fn opaque_alpha_png_vets_like_the_original() {
    let rgba = DynamicImage::ImageRgb8(face_rgb()).into_rgba8();
    let bytes = encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png);
    assert_like_original("RGBA PNG (opaque)", &bytes);
    // 16-bit RGBA too.
    let rgba16 = DynamicImage::ImageRgb8(face_rgb()).into_rgba16();
    let bytes = encode(&DynamicImage::ImageRgba16(rgba16), ImageFormat::Png);
    assert_like_original("RGBA16 PNG (opaque)", &bytes);
}

/// A cut-out: the same photo with a transparent border (a pasted or removed background).
/// It must vet (flattened on white) and F7 must say the background is transparent.
#[test]
fn transparent_png_is_flattened_and_flagged_f7() {
    let rgb = face_rgb();
    let (w, h) = rgb.dimensions();
    let rgba = ImageBuffer::from_fn(w, h, |x, y| {
        let p = rgb.get_pixel(x, y).0;
        let edge = x < 24 || y < 24 || x >= w - 24 || y >= h - 24;
        Rgba([p[0], p[1], p[2], if edge { 0 } else { 255 }])
    });
    let bytes = encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png);
    let v = vet_ok("PNG with transparent border", &bytes);
    // Flattened onto white, not black.
    let corner = v.work.get_pixel(2, 2).0;
    assert!(corner.iter().all(|&c| c >= 250), "corner {corner:?}");
    let f7 = v.report.finding("F7").expect("F7");
    assert_eq!(
        f7.measured["transparent_background"],
        serde_json::json!(true),
        "F7 does not see the transparency: {:?}",
        f7
    );
    assert_eq!(f7.status, Status::Warn, "{f7:?}");
}

#[test]
fn greyscale_jpeg_and_png_vet_and_report_monochrome() {
    let orig = original();
    let grey = DynamicImage::ImageRgb8(face_rgb()).into_luma8();
    let png = encode(&DynamicImage::ImageLuma8(grey.clone()), ImageFormat::Png);
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_quality(92).unwrap();
    c.set_subsamp(turbojpeg::Subsamp::Gray).unwrap();
    let jpeg = c
        .compress_to_vec(turbojpeg::Image {
            pixels: grey.as_raw().as_slice(),
            width: grey.width() as usize,
            pitch: grey.width() as usize,
            height: grey.height() as usize,
            format: turbojpeg::PixelFormat::GRAY,
        })
        .unwrap();
    assert!(matches!(
        turbojpeg::read_header(&jpeg).unwrap().colorspace,
        turbojpeg::Colorspace::Gray
    ));
    let grey16: ImageBuffer<Luma<u16>, Vec<u16>> =
        DynamicImage::ImageLuma8(grey.clone()).into_luma16();
    let png16 = encode(&DynamicImage::ImageLuma16(grey16), ImageFormat::Png);
    for (what, bytes) in [
        ("greyscale PNG", png),
        ("greyscale JPEG", jpeg),
        ("16-bit greyscale PNG", png16),
    ] {
        let v = vet_ok(what, &bytes);
        assert!(
            same_family(v.report.verdict, orig.verdict),
            "{what}: {:?} vs colour {:?}",
            v.report.verdict,
            orig.verdict
        );
        let p21 = v.report.finding("P21").expect("P21 reported");
        assert_eq!(
            p21.measured["monochrome"],
            serde_json::json!(true),
            "{what}: P21 {p21:?}"
        );
        assert_ne!(p21.status, Status::Fail, "{what}: monochrome is allowed");
    }
    // The colour original is not monochrome.
    assert_eq!(
        orig.finding("P21").expect("P21").measured["monochrome"],
        serde_json::json!(false)
    );
}

#[test]
fn webp_vets_like_the_png() {
    let orig = original();
    let bytes = encode(&DynamicImage::ImageRgb8(face_rgb()), ImageFormat::WebP);
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let v = vet_ok("WebP (lossless)", &bytes);
    assert_eq!(
        v.report.finding("F1").unwrap().measured["format"],
        serde_json::json!("webp")
    );
    assert_eq!(v.report.verdict, orig.verdict);
    assert_eq!(failing(&v.report), failing(orig));
}

#[test]
fn file_over_20_mb_is_too_large() {
    let mut big = read_sample("bad_grace_hopper_hat_glasses.jpg");
    big.resize(20 * 1024 * 1024 + 1, 0);
    let e = vet_err("20 MB + 1 byte", &big);
    assert_eq!(e.code(), "file_too_large");
    // Exactly 20 MB is not refused for its size (it is a JPEG with trailing bytes).
    big.truncate(20 * 1024 * 1024);
    if let Err(e) = vet(&big) {
        assert_ne!(e.code(), "file_too_large", "{e}");
    }
}

// ---- EXIF orientation ----------------------------------------------------------------------

/// An APP1 segment with a minimal big-endian TIFF holding one IFD0 entry: Orientation.
fn exif_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2A"); // big-endian TIFF
    tiff.extend_from_slice(&8u32.to_be_bytes()); // IFD0 offset
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // value padding
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    seg.extend_from_slice(&payload);
    seg
}

fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_app1(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn transpose(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    ImageBuffer::from_fn(h, w, |x, y| *img.get_pixel(y, x))
}

/// The stored pixels a camera writes for an upright scene under EXIF orientation `o`
/// (the inverse of the transform a viewer applies), written from the EXIF specification
/// independently of the library's `orient`.
fn stored_for(upright: &RgbImage, o: u16) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    match o {
        1 => upright.clone(),
        2 => flip_horizontal(upright), // viewer mirrors left-right
        3 => rotate180(upright),       // viewer rotates 180
        4 => flip_vertical(upright),   // viewer mirrors top-bottom
        5 => transpose(upright),       // viewer transposes
        6 => rotate270(upright),       // viewer rotates 90 clockwise
        7 => rotate180(&transpose(upright)), // viewer transverses
        8 => rotate90(upright),        // viewer rotates 90 counter-clockwise
        _ => unreachable!(),
    }
}

fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    let (w, h) = (35, 45);
    let ra = image::imageops::resize(a, w, h, image::imageops::FilterType::Triangle);
    let rb = image::imageops::resize(b, w, h, image::imageops::FilterType::Triangle);
    let sum: u64 = ra
        .as_raw()
        .iter()
        .zip(rb.as_raw())
        .map(|(x, y)| x.abs_diff(*y) as u64)
        .sum();
    sum as f64 / ra.as_raw().len() as f64
}

#[test]
fn all_eight_exif_orientations_are_applied() {
    let upright = face_rgb();
    let (w, h) = upright.dimensions();
    let reference = vet_ok("upright JPEG", &jpeg_rgb(&upright, 95));
    let rf = reference
        .report
        .face
        .clone()
        .expect("the upright photo has a face");
    let ref_crop = reference.crop_jpeg.as_deref().map(decode_rgb);
    const TOL: f32 = 4.0;
    let mut problems = Vec::new();
    for o in 1..=8u16 {
        let stored = stored_for(&upright, o);
        let bytes = with_exif(&jpeg_rgb(&stored, 95), o);
        let what = format!("orientation {o}");
        let v = vet_ok(&what, &bytes);
        let r = &v.report;
        assert_eq!(
            r.finding("F8").unwrap().measured["exif_orientation"],
            serde_json::json!(o),
            "{what}: the EXIF tag was not read"
        );
        let (rw, rh) = report_image_size(r);
        assert_eq!(
            (rw as u32, rh as u32),
            (w, h),
            "{what}: reported size is not the upright size"
        );
        let Some(f) = &r.face else {
            problems.push(format!("{what}: no face found"));
            continue;
        };
        let d = |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
        let box_err = (0..4)
            .map(|i| (f.bbox[i] - rf.bbox[i]).abs())
            .fold(0.0f32, f32::max);
        let eye_err = d(f.landmarks.eyes[0], rf.landmarks.eyes[0])
            .max(d(f.landmarks.eyes[1], rf.landmarks.eyes[1]));
        println!("{what}: box error {box_err:.1} px, eye error {eye_err:.1} px");
        if box_err > 2.0 * TOL || eye_err > TOL {
            problems.push(format!(
                "{what}: box {:?} vs {:?}, eyes {:?} vs {:?}",
                f.bbox, rf.bbox, f.landmarks.eyes, rf.landmarks.eyes
            ));
        }
        match (&ref_crop, v.crop_jpeg.as_deref()) {
            (Some(rc), Some(c)) => {
                let crop = decode_rgb(c);
                let upright_diff = mean_abs_diff(&crop, rc);
                let turned = [
                    ("rotated 180", image::imageops::rotate180(rc)),
                    ("mirrored", image::imageops::flip_horizontal(rc)),
                    ("upside down", image::imageops::flip_vertical(rc)),
                ];
                println!("  crop diff to upright {upright_diff:.1}");
                if upright_diff > 12.0 {
                    problems.push(format!(
                        "{what}: crop differs from the upright crop by {upright_diff:.1}"
                    ));
                }
                for (name, t) in turned {
                    let td = mean_abs_diff(&crop, &t);
                    if td <= upright_diff {
                        problems.push(format!(
                            "{what}: crop is closer to the {name} crop ({td:.1}) than upright ({upright_diff:.1})"
                        ));
                    }
                }
            }
            (None, None) => {}
            (a, b) => problems.push(format!(
                "{what}: crop present {} vs upright {}",
                b.is_some(),
                a.is_some()
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn broken_exif_is_ignored() {
    // An APP1 segment that claims to be EXIF but holds garbage: the photo still vets upright.
    let jpeg = jpeg_rgb(&face_rgb(), 95);
    let mut out = jpeg[..2].to_vec();
    let payload = b"Exif\0\0MM\x00\x2A\xFF\xFF\xFF\xF0garbage";
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    let v = vet_ok("broken EXIF", &out);
    assert_eq!(
        v.report.finding("F8").unwrap().measured["exif_orientation"],
        serde_json::json!(1)
    );
    // An out-of-range orientation (9) is treated as upright.
    let v = vet_ok("orientation 9", &with_exif(&jpeg, 9));
    assert_eq!(
        v.report.finding("F8").unwrap().measured["exif_orientation"],
        serde_json::json!(1)
    );
}

#[test]
fn tiny_images_do_not_panic() {
    for (w, h) in [(1u32, 1u32), (2, 3), (7, 1), (16, 16), (33, 17)] {
        let img: RgbImage = ImageBuffer::from_pixel(w, h, Rgb([200, 180, 160]));
        for (what, bytes) in [
            (
                "png",
                encode(&DynamicImage::ImageRgb8(img.clone()), ImageFormat::Png),
            ),
            ("jpeg", jpeg_rgb(&img, 90)),
        ] {
            match vet(&bytes) {
                Ok(v) => {
                    check_report_contract(&format!("{w}x{h} {what}"), &v.report);
                    assert_ne!(v.report.verdict, Verdict::Accept, "{w}x{h} {what}");
                }
                Err(e) => println!("{w}x{h} {what}: {}", e.code()),
            }
        }
    }
}

/// Found by `cargo fuzz run decode`: a 4 kB lossless WebP that makes image-webp overflow an
/// addition (image-webp#118), a panic wherever overflow checks are on. It must be a clean F1
/// error, never a crash.
#[test]
fn fuzz_found_webp_overflow_is_a_corrupt_image() {
    let bytes =
        std::fs::read(manifest_dir().join("tests/data/fuzz_webp_huffman_overflow.webp")).unwrap();
    match vetter().vet(&bytes, &VetContext::default()) {
        Err(e) => assert_eq!(e.code(), "corrupt_image", "{e}"),
        Ok(v) => panic!("expected an error, got {:?}", v.report.verdict),
    }
}
