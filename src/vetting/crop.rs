//! The issuer-ready file: the 35:45 crop as a baseline RGB JPEG with no metadata (F2, F3, F8).
//!
//! The crop is cut from the decode the models used when it has at least the profile's minimum
//! width across the crop (a 12 MP photo decoded at 1/2 usually has); otherwise the source is
//! decoded again at the scale that has. Never upscaled.

use image::RgbImage;

use super::input::{self, Source};
use super::pixels::{self, resize};
use super::profile::CropProfile;
use super::report::CropRect;
use super::VetError;

pub fn produce(
    src: &Source,
    decoded: &RgbImage,
    decoded_scale: f32,
    rect: CropRect,
    p: &CropProfile,
) -> Result<Vec<u8>, VetError> {
    // Pixels this decode has across the crop; decode more only when it is short of the
    // profile's minimum and the source has more to give.
    let want = p.min_width.min(rect.width);
    let available = (rect.width as f32 * decoded_scale).floor() as u32;
    let redecoded;
    let (img, scale) = if available >= want {
        (decoded, decoded_scale)
    } else {
        let denom = [8u32, 4, 2]
            .into_iter()
            .find(|d| rect.width / d >= want)
            .unwrap_or(1);
        let long = src.stored_width.max(src.stored_height);
        redecoded = input::decode_at_least(src, long.div_ceil(denom))?;
        (&redecoded.image, redecoded.scale)
    };
    let x = ((rect.x as f32 * scale).floor() as u32).min(img.width() - 1);
    let y = ((rect.y as f32 * scale).floor() as u32).min(img.height() - 1);
    let w = ((rect.width as f32 * scale).round() as u32).clamp(1, img.width() - x);
    // Height from the width, so the cut is 35:45 to the pixel and needs no resampling.
    let h = ((w as f32 * 45.0 / 35.0).round() as u32).clamp(1, img.height() - y);
    let cut = pixels::cut(img, x, y, w, h);
    // Never wider than the profile's maximum, never upscaled.
    let out = if w > p.max_width {
        let out_h = ((p.max_width as f32) * 45.0 / 35.0).round() as u32;
        resize(&cut, p.max_width, out_h)
    } else {
        cut
    };
    encode(&out, p)
}

/// An RGB image as libjpeg-turbo's encoder takes it.
pub fn turbo_view(img: &RgbImage) -> turbojpeg::Image<&[u8]> {
    turbojpeg::Image {
        pixels: img.as_raw().as_slice(),
        width: img.width() as usize,
        pitch: img.width() as usize * 3,
        height: img.height() as usize,
        format: turbojpeg::PixelFormat::RGB,
    }
}

/// Baseline JPEG, 4:2:0; quality raised or lowered to land inside the issuer's size range.
pub fn encode(img: &RgbImage, p: &CropProfile) -> Result<Vec<u8>, VetError> {
    let err = |e: turbojpeg::Error| VetError::Context(format!("JPEG encoding failed: {e}"));
    let mut c = turbojpeg::Compressor::new().map_err(err)?;
    c.set_subsamp(turbojpeg::Subsamp::Sub2x2).map_err(err)?;
    let image = turbo_view(img);
    let mut quality = p.quality;
    loop {
        c.set_quality(quality).map_err(err)?;
        let jpeg = c.compress_to_vec(image).map_err(err)?;
        if jpeg.len() < p.min_bytes && quality < 100 {
            quality = (quality + 4).min(100);
        } else if jpeg.len() > p.max_bytes && quality > 50 {
            quality -= 10;
        } else {
            return Ok(jpeg);
        }
    }
}
