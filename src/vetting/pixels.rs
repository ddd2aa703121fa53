//! Small pixel helpers shared by the models and the rules: sampling, luminance, statistics.

use image::RgbImage;

/// Bilinear sample at (x, y) in pixel-centre coordinates; outside the image the nearest edge
/// pixel is used.
#[inline]
pub fn bilinear(img: &RgbImage, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = img.dimensions();
    let fx = (x - 0.5).clamp(0.0, (w - 1) as f32);
    let fy = (y - 0.5).clamp(0.0, (h - 1) as f32);
    let x0 = fx.floor() as u32;
    let y0 = fy.floor() as u32;
    let x1 = (x0 + 1).min(w - 1);
    let y1 = (y0 + 1).min(h - 1);
    let ax = fx - x0 as f32;
    let ay = fy - y0 as f32;
    let raw = img.as_raw();
    let stride = w as usize * 3;
    let at = |xx: u32, yy: u32, c: usize| raw[yy as usize * stride + xx as usize * 3 + c] as f32;
    let mut out = [0.0; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let top = at(x0, y0, c) * (1.0 - ax) + at(x1, y0, c) * ax;
        let bottom = at(x0, y1, c) * (1.0 - ax) + at(x1, y1, c) * ax;
        *o = top * (1.0 - ay) + bottom * ay;
    }
    out
}

/// Box-filters `img` down by an integer factor (keeps sampling below from aliasing).
pub fn box_downsample(img: &RgbImage, factor: u32) -> RgbImage {
    if factor <= 1 {
        return img.clone();
    }
    let (w, h) = img.dimensions();
    let (ow, oh) = ((w / factor).max(1), (h / factor).max(1));
    let f = factor as usize;
    let raw = img.as_raw();
    let stride = w as usize * 3;
    let mut out = vec![0u8; ow as usize * oh as usize * 3];
    if f == 2 {
        // The common case (a 1350 px upload, a half-scale 12 MP decode): two rows at a time.
        let row_len = ow as usize * 6;
        for (oy, dst) in out.chunks_exact_mut(ow as usize * 3).enumerate() {
            let r0 = &raw[2 * oy * stride..2 * oy * stride + row_len];
            let r1 = &raw[(2 * oy + 1) * stride..(2 * oy + 1) * stride + row_len];
            for ((d, a), b) in dst
                .chunks_exact_mut(3)
                .zip(r0.chunks_exact(6))
                .zip(r1.chunks_exact(6))
            {
                for c in 0..3 {
                    let sum = a[c] as u16 + a[c + 3] as u16 + b[c] as u16 + b[c + 3] as u16;
                    d[c] = ((sum + 2) >> 2) as u8;
                }
            }
        }
        return RgbImage::from_raw(ow, oh, out).expect("buffer sized for the image");
    }
    // Sum whole source rows into an accumulator row, then divide: sequential memory access.
    let mut acc = vec![0u32; ow as usize * 3];
    let n = (f * f) as u32;
    for oy in 0..oh as usize {
        acc.iter_mut().for_each(|a| *a = 0);
        for dy in 0..f {
            let y = (oy * f + dy).min(h as usize - 1);
            let row = &raw[y * stride..y * stride + ow as usize * f * 3];
            for (ox, chunk) in row.chunks_exact(f * 3).enumerate() {
                for px in chunk.chunks_exact(3) {
                    acc[ox * 3] += px[0] as u32;
                    acc[ox * 3 + 1] += px[1] as u32;
                    acc[ox * 3 + 2] += px[2] as u32;
                }
            }
        }
        let dst = &mut out[oy * ow as usize * 3..(oy + 1) * ow as usize * 3];
        for (d, a) in dst.iter_mut().zip(&acc) {
            *d = ((*a + n / 2) / n) as u8;
        }
    }
    RgbImage::from_raw(ow, oh, out).expect("buffer sized for the image")
}

/// Copies the rectangle (x, y, w, h) out of `img`, row by row (the caller keeps it inside).
pub fn cut(img: &RgbImage, x: u32, y: u32, w: u32, h: u32) -> RgbImage {
    let stride = img.width() as usize * 3;
    let raw = img.as_raw();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for row in y as usize..(y + h) as usize {
        let start = row * stride + x as usize * 3;
        out.extend_from_slice(&raw[start..start + w as usize * 3]);
    }
    RgbImage::from_raw(w, h, out).expect("buffer sized for the image")
}

/// Resamples `img` so that `out_w` x `out_h` pixels cover it, with a box prefilter when
/// shrinking by more than 2x. Returns the resized image.
pub fn resize(img: &RgbImage, out_w: u32, out_h: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let factor = ((w as f32 / out_w as f32).min(h as f32 / out_h as f32) / 1.5).floor() as u32;
    let pre = if factor >= 2 {
        std::borrow::Cow::Owned(box_downsample(img, factor))
    } else {
        std::borrow::Cow::Borrowed(img)
    };
    let (pw, ph) = pre.dimensions();
    let sx = pw as f32 / out_w as f32;
    let sy = ph as f32 / out_h as f32;
    let mut out = Vec::with_capacity(out_w as usize * out_h as usize * 3);
    for y in 0..out_h {
        for x in 0..out_w {
            let p = bilinear(&pre, (x as f32 + 0.5) * sx, (y as f32 + 0.5) * sy);
            out.extend(p.map(|c| c as u8));
        }
    }
    RgbImage::from_raw(out_w, out_h, out).expect("buffer sized for the image")
}

/// Rec. 601 luma in 0..255.
#[inline]
pub fn luma(p: [f32; 3]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

#[inline]
pub fn luma_u8(p: &image::Rgb<u8>) -> f32 {
    luma([p[0] as f32, p[1] as f32, p[2] as f32])
}

/// HSV-style saturation in 0..1.
#[inline]
pub fn saturation(p: [f32; 3]) -> f32 {
    let max = p[0].max(p[1]).max(p[2]);
    let min = p[0].min(p[1]).min(p[2]);
    if max <= 0.0 {
        0.0
    } else {
        (max - min) / max
    }
}

/// Mean and standard deviation.
pub fn mean_std(values: &[f32]) -> (f32, f32) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|v| *v as f64).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|v| (*v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean as f32, var.sqrt() as f32)
}

/// A 2-D point in pixels.
pub type Pt = [f32; 2];

#[inline]
pub fn dist(a: Pt, b: Pt) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[inline]
pub fn mid(a: Pt, b: Pt) -> Pt {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_standard_deviation() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        let (m, s) = mean_std(&v);
        assert!((m - 3.0).abs() < 1e-6);
        assert!((s - 2f32.sqrt()).abs() < 1e-5);
    }

    #[test]
    fn box_downsample_averages_blocks() {
        let mut img = RgbImage::new(4, 2);
        img.put_pixel(0, 0, image::Rgb([100, 0, 0]));
        img.put_pixel(1, 1, image::Rgb([100, 40, 0]));
        let d = box_downsample(&img, 2);
        assert_eq!(d.dimensions(), (2, 1));
        assert_eq!(d.get_pixel(0, 0).0, [50, 10, 0]);
        assert_eq!(d.get_pixel(1, 0).0, [0, 0, 0]);
    }

    #[test]
    fn box_downsample_by_two_and_three_agree_with_a_plain_average() {
        let img = RgbImage::from_fn(12, 7, |x, y| {
            image::Rgb([(x * 20) as u8, (y * 30) as u8, ((x + y) * 9) as u8])
        });
        for f in [2u32, 3] {
            let d = box_downsample(&img, f);
            assert_eq!(d.dimensions(), (12 / f, 7 / f));
            for (ox, oy, p) in d.enumerate_pixels() {
                for c in 0..3 {
                    let mut sum = 0u32;
                    for dy in 0..f {
                        for dx in 0..f {
                            sum += img.get_pixel(ox * f + dx, oy * f + dy)[c] as u32;
                        }
                    }
                    let n = f * f;
                    assert_eq!(p[c] as u32, (sum + n / 2) / n, "factor {f} at {ox},{oy}");
                }
            }
        }
    }

    #[test]
    fn cut_copies_the_rectangle() {
        let mut img = RgbImage::new(5, 4);
        img.put_pixel(2, 1, image::Rgb([9, 8, 7]));
        let c = cut(&img, 1, 1, 3, 2);
        assert_eq!(c.dimensions(), (3, 2));
        assert_eq!(c.get_pixel(1, 0).0, [9, 8, 7]);
        assert_eq!(c.get_pixel(0, 0).0, [0, 0, 0]);
    }

    #[test]
    fn resize_keeps_flat_colour() {
        let img = RgbImage::from_pixel(100, 80, image::Rgb([10, 200, 30]));
        let r = resize(&img, 13, 7);
        assert!(r.pixels().all(|p| p.0 == [10, 200, 30]));
    }
}
