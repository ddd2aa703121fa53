//! Bytes in, oriented RGB image out: size limits, format sniffing, EXIF, scaled decode.
//!
//! Limits are checked on the header before any pixel is decoded, so a small file that declares a
//! huge image cannot make the service allocate. JPEGs go through libjpeg-turbo, which can decode
//! at 1/2, 1/4 or 1/8 scale inside the IDCT: the models never need 12 MP.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, RgbImage};
use thiserror::Error;

/// What can be wrong with an uploaded file. Every variant maps to rule F1 or F2.
#[derive(Debug, Error)]
pub enum InputError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("the image declares {width}x{height} pixels; the limit is {limit} pixels")]
    TooManyPixels { width: u64, height: u64, limit: u64 },
    #[error("not a JPEG, PNG or WebP image")]
    UnsupportedFormat,
    #[error("CMYK JPEG: save the photo as an ordinary RGB JPEG")]
    Cmyk,
    #[error("the image could not be decoded: {0}")]
    Corrupt(String),
}

impl InputError {
    /// Stable code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Empty => "empty_file",
            InputError::TooLarge { .. } => "file_too_large",
            InputError::TooManyPixels { .. } => "too_many_pixels",
            InputError::UnsupportedFormat => "unsupported_format",
            InputError::Cmyk => "cmyk_not_supported",
            InputError::Corrupt(_) => "corrupt_image",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    pub max_bytes: usize,
    pub max_pixels: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_bytes: 20 * 1024 * 1024,
            max_pixels: 50_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

/// The EXIF facts the rules need; everything else in EXIF is dropped (F8).
#[derive(Debug, Clone, Default)]
pub struct ExifFacts {
    /// EXIF orientation 1-8 (1 when absent).
    pub orientation: u8,
    /// DateTimeOriginal (or DateTime), as written: "YYYY:MM:DD HH:MM:SS".
    pub taken: Option<String>,
    /// Software tag, e.g. an editor's name (F7).
    pub software: Option<String>,
}

/// A parsed, not yet decoded upload.
pub struct Source<'a> {
    pub bytes: &'a [u8],
    pub format: Format,
    /// Stored (pre-orientation) size.
    pub stored_width: u32,
    pub stored_height: u32,
    pub exif: ExifFacts,
    /// Some pixels were transparent and were flattened onto white (known after decoding).
    pub had_alpha: bool,
}

impl<'a> Source<'a> {
    /// Size after EXIF orientation: the size every coordinate in reports refers to.
    pub fn width(&self) -> u32 {
        if swaps_axes(self.exif.orientation) {
            self.stored_height
        } else {
            self.stored_width
        }
    }

    pub fn height(&self) -> u32 {
        if swaps_axes(self.exif.orientation) {
            self.stored_width
        } else {
            self.stored_height
        }
    }
}

fn swaps_axes(orientation: u8) -> bool {
    (5..=8).contains(&orientation)
}

/// Reads the header and metadata, enforcing the limits, without decoding pixels.
pub fn inspect(bytes: &[u8], limits: InputLimits) -> Result<Source<'_>, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(InputError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Format::Jpeg,
        Ok(ImageFormat::Png) => Format::Png,
        Ok(ImageFormat::WebP) => Format::Webp,
        _ => return Err(InputError::UnsupportedFormat),
    };
    let (w, h) = match format {
        Format::Jpeg => {
            let header =
                turbojpeg::read_header(bytes).map_err(|e| InputError::Corrupt(e.to_string()))?;
            if matches!(
                header.colorspace,
                turbojpeg::Colorspace::CMYK | turbojpeg::Colorspace::YCCK
            ) {
                return Err(InputError::Cmyk);
            }
            (header.width as u64, header.height as u64)
        }
        Format::Png | Format::Webp => {
            let reader = ImageReader::with_format(Cursor::new(bytes), to_image_format(format));
            let (w, h) = reader
                .into_dimensions()
                .map_err(|e| InputError::Corrupt(e.to_string()))?;
            (w as u64, h as u64)
        }
    };
    if w == 0 || h == 0 {
        return Err(InputError::Corrupt("zero-sized image".into()));
    }
    if w.saturating_mul(h) > limits.max_pixels {
        return Err(InputError::TooManyPixels {
            width: w,
            height: h,
            limit: limits.max_pixels,
        });
    }
    Ok(Source {
        bytes,
        format,
        stored_width: w as u32,
        stored_height: h as u32,
        exif: read_exif(bytes),
        had_alpha: false,
    })
}

fn to_image_format(f: Format) -> ImageFormat {
    match f {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Webp => ImageFormat::WebP,
    }
}

/// EXIF is optional and often broken: any parse failure just means "no facts".
fn read_exif(bytes: &[u8]) -> ExifFacts {
    let mut facts = ExifFacts {
        orientation: 1,
        ..Default::default()
    };
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return facts;
    };
    if let Some(f) = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY) {
        if let Some(v) = f.value.get_uint(0) {
            if (1..=8).contains(&v) {
                facts.orientation = v as u8;
            }
        }
    }
    let text = |tag| {
        exif.get_field(tag, exif::In::PRIMARY)
            .and_then(|f| match &f.value {
                exif::Value::Ascii(v) => v
                    .first()
                    .map(|s| String::from_utf8_lossy(s).trim().to_string())
                    .filter(|s| !s.is_empty()),
                _ => None,
            })
    };
    facts.taken = text(exif::Tag::DateTimeOriginal).or_else(|| text(exif::Tag::DateTime));
    facts.software = text(exif::Tag::Software);
    facts
}

/// An oriented RGB image and how its pixels relate to the source's (oriented) pixels.
pub struct Decoded {
    pub image: RgbImage,
    /// Decoded pixels per source pixel (1, 1/2, 1/4 or 1/8 for JPEG DCT scaling).
    pub scale: f32,
    pub had_alpha: bool,
}

/// Decodes at the smallest DCT scale whose long side is still at least `min_long_side`
/// (full scale when the image is smaller). Non-JPEG formats decode at full scale.
pub fn decode_at_least(src: &Source, min_long_side: u32) -> Result<Decoded, InputError> {
    match src.format {
        Format::Jpeg => {
            let long = src.stored_width.max(src.stored_height) as usize;
            let mut denom = 1;
            for d in [8usize, 4, 2] {
                if long.div_ceil(d) >= min_long_side as usize {
                    denom = d;
                    break;
                }
            }
            decode_jpeg(src, denom)
        }
        Format::Png | Format::Webp => {
            // No DCT scaling here: decode, then box-filter a large image down at once so the
            // full-size copy is dropped before the models run.
            let mut d = decode_other(src)?;
            let factor = d.image.width().max(d.image.height()) / min_long_side.max(1);
            if factor >= 2 {
                d.image = crate::vetting::pixels::box_downsample(&d.image, factor);
                d.scale = 1.0 / factor as f32;
            }
            Ok(d)
        }
    }
}

/// Decodes the whole image at full resolution.
pub fn decode_full(src: &Source) -> Result<Decoded, InputError> {
    match src.format {
        Format::Jpeg => decode_jpeg(src, 1),
        Format::Png | Format::Webp => decode_other(src),
    }
}

fn decode_jpeg(src: &Source, denom: usize) -> Result<Decoded, InputError> {
    let corrupt = |e: turbojpeg::Error| InputError::Corrupt(e.to_string());
    let mut d = turbojpeg::Decompressor::new().map_err(corrupt)?;
    let factor = turbojpeg::ScalingFactor::new(1, denom);
    let header = d.read_header(src.bytes).map_err(corrupt)?.scaled(factor);
    d.set_scaling_factor(factor).map_err(corrupt)?;
    let mut img = turbojpeg::Image {
        pixels: vec![0u8; 3 * header.width * header.height],
        width: header.width,
        pitch: 3 * header.width,
        height: header.height,
        format: turbojpeg::PixelFormat::RGB,
    };
    // libjpeg-turbo reports truncated data and corrupt entropy segments as errors here
    // (warnings count), so a half-downloaded photo never passes as grey-filled.
    d.decompress(src.bytes, img.as_deref_mut())
        .map_err(corrupt)?;
    let rgb = RgbImage::from_raw(header.width as u32, header.height as u32, img.pixels)
        .ok_or_else(|| InputError::Corrupt("decoder returned a short buffer".into()))?;
    Ok(Decoded {
        image: orient(rgb, src.exif.orientation),
        scale: 1.0 / denom as f32,
        had_alpha: false,
    })
}

fn decode_other(src: &Source) -> Result<Decoded, InputError> {
    let mut reader = ImageReader::with_format(Cursor::new(src.bytes), to_image_format(src.format));
    let mut limits = Limits::default();
    limits.max_image_width = Some(src.stored_width);
    limits.max_image_height = Some(src.stored_height);
    // RGBA16 is the largest layout we accept: 8 bytes a pixel, plus slack for the decoder.
    limits.max_alloc = Some(src.stored_width as u64 * src.stored_height as u64 * 8 + (64 << 20));
    reader.limits(limits);
    // The pure-Rust decoders still have arithmetic bugs on crafted files (image-webp#118 panics
    // on overflow where overflow checks are on): a panic there is a corrupt file, not a crash.
    let dynimg = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.decode()))
        .map_err(|_| InputError::Corrupt("the decoder failed on this file".into()))?
        .map_err(|e| InputError::Corrupt(e.to_string()))?;
    // An alpha channel that is opaque everywhere is no cut-out; only real transparency counts.
    // Conversions consume the decoded image so that at most two copies exist at once.
    let (rgb, had_alpha) = if dynimg.color().has_alpha() {
        flatten_on_white(dynimg.into_rgba8())
    } else {
        (dynimg.into_rgb8(), false)
    };
    Ok(Decoded {
        image: orient(rgb, src.exif.orientation),
        scale: 1.0,
        had_alpha,
    })
}

/// A transparent background becomes white, as a print would show it. Also says whether any
/// pixel was actually transparent.
fn flatten_on_white(rgba: image::RgbaImage) -> (RgbImage, bool) {
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    let mut transparent = false;
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = p[3] as u32;
        transparent |= a < 250;
        for c in 0..3 {
            o[c] = ((p[c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    (out, transparent)
}

/// Applies EXIF orientation (1-8) so that the image is upright.
pub fn orient(img: RgbImage, orientation: u8) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    match orientation {
        2 => flip_horizontal(&img),
        3 => rotate180(&img),
        4 => flip_vertical(&img),
        5 => flip_horizontal(&rotate90(&img)),
        6 => rotate90(&img),
        7 => flip_horizontal(&rotate270(&img)),
        8 => rotate270(&img),
        _ => img,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::DynamicImage;

    fn encode_png(img: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn empty_and_random_bytes_are_clear_errors() {
        assert!(matches!(
            inspect(&[], InputLimits::default()),
            Err(InputError::Empty)
        ));
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert!(matches!(
            inspect(&noise, InputLimits::default()),
            Err(InputError::UnsupportedFormat)
        ));
    }

    #[test]
    fn file_size_limit_is_checked_first() {
        let limits = InputLimits {
            max_bytes: 10,
            max_pixels: 1,
        };
        assert!(matches!(
            inspect(&[0xFF; 11], limits),
            Err(InputError::TooLarge { size: 11, .. })
        ));
    }

    #[test]
    fn alpha_png_is_flattened_on_white() {
        let mut img = image::RgbaImage::new(4, 4);
        img.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, image::Rgba([0, 0, 0, 255]));
        let bytes = encode_png(&DynamicImage::ImageRgba8(img));
        let src = inspect(&bytes, InputLimits::default()).unwrap();
        let d = decode_full(&src).unwrap();
        assert!(d.had_alpha);
        assert_eq!(d.image.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(d.image.get_pixel(1, 0).0, [0, 0, 0]);
    }

    #[test]
    fn orientation_6_rotates_clockwise() {
        // A 2x1 image, red then blue; rotated 90 degrees clockwise it is 1x2, red on top.
        let mut img = RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([255, 0, 0]));
        img.put_pixel(1, 0, image::Rgb([0, 0, 255]));
        let r = orient(img, 6);
        assert_eq!(r.dimensions(), (1, 2));
        assert_eq!(r.get_pixel(0, 0).0, [255, 0, 0]);
    }
}
