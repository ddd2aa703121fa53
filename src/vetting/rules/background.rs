//! P10 plain, light background; P11 no shadow behind the head, even light on the face.
//!
//! Judged on what the issuer will see: the crop (or, when no crop exists, the region it would
//! take), resampled to a fixed grid so the measures do not depend on resolution. Background
//! cells are those the person mask gives a low probability.

use image::RgbImage;
use serde_json::json;

use super::{finding, not_assessed, r3};
use crate::vetting::pixels::{bilinear, luma, mean_std, resize, saturation};
use crate::vetting::report::{CropRect, Finding, Status};
use crate::vetting::Ctx;

pub const GRID_W: u32 = 105;
pub const GRID_H: u32 = 135;

/// The crop region sampled on a fixed grid, with the person mask and each cell's distance to
/// the person.
pub struct Grid {
    pub img: RgbImage,
    pub person: Vec<f32>,
    pub dist: Vec<u32>,
}

impl Grid {
    fn l(&self, x: u32, y: u32) -> f32 {
        let p = self.img.get_pixel(x, y);
        luma([p[0] as f32, p[1] as f32, p[2] as f32])
    }
}

/// The crop rectangle in work pixels, or the region the ideal crop would take.
pub fn region(ctx: &Ctx, crop: Option<CropRect>) -> [f32; 4] {
    let s = ctx.scene.scale;
    if let Some(c) = crop {
        return [
            c.x as f32 * s,
            c.y as f32 * s,
            c.width as f32 * s,
            c.height as f32 * s,
        ];
    }
    let f = ctx.face;
    let g = &ctx.profile.geometry;
    let head_h = (f.chin[1] - f.crown[1]).max(f.ipd);
    let h = head_h / g.ideal[0];
    let w = h * 35.0 / 45.0;
    [
        f.eye_mid()[0] - w * g.ideal[2],
        f.crown[1] - g.ideal[1] * h,
        w,
        h,
    ]
}

pub fn grid(ctx: &Ctx, crop: Option<CropRect>) -> Grid {
    let [x0, y0, w, h] = region(ctx, crop);
    let work = ctx.scene.work;
    let (ww, wh) = work.dimensions();
    // Cut the region (clamped to the image) then resample; cells outside the photo keep the
    // nearest edge colour and count as background-unknown (person = 1 excludes them).
    let cx0 = x0.max(0.0).floor() as u32;
    let cy0 = y0.max(0.0).floor() as u32;
    let cx1 = ((x0 + w).min(ww as f32).ceil() as u32).max(cx0 + 1).min(ww);
    let cy1 = ((y0 + h).min(wh as f32).ceil() as u32).max(cy0 + 1).min(wh);
    let sub = crate::vetting::pixels::cut(work, cx0, cy0, cx1 - cx0, cy1 - cy0);
    let inside = (cx1 - cx0) as f32 >= w * 0.98 && (cy1 - cy0) as f32 >= h * 0.98;
    let img = if inside {
        resize(&sub, GRID_W, GRID_H)
    } else {
        let mut g = RgbImage::new(GRID_W, GRID_H);
        for (gx, gy, px) in g.enumerate_pixels_mut() {
            let x = x0 + (gx as f32 + 0.5) * w / GRID_W as f32;
            let y = y0 + (gy as f32 + 0.5) * h / GRID_H as f32;
            let p = bilinear(work, x, y);
            *px = image::Rgb([p[0] as u8, p[1] as u8, p[2] as u8]);
        }
        g
    };
    let mut person = Vec::with_capacity((GRID_W * GRID_H) as usize);
    for gy in 0..GRID_H {
        for gx in 0..GRID_W {
            let x = x0 + (gx as f32 + 0.5) * w / GRID_W as f32;
            let y = y0 + (gy as f32 + 0.5) * h / GRID_H as f32;
            let outside = x < 0.0 || y < 0.0 || x >= ww as f32 || y >= wh as f32;
            person.push(if outside {
                1.0
            } else {
                ctx.scene.mask.at(x, y)
            });
        }
    }
    let dist = distance_to_person(&person, ctx.profile.background.mask_background_max);
    Grid { img, person, dist }
}

/// Chessboard distance (in cells) from each cell to the nearest person cell (two-pass chamfer).
fn distance_to_person(person: &[f32], bg_max: f32) -> Vec<u32> {
    let (w, h) = (GRID_W as usize, GRID_H as usize);
    let big = (w + h) as u32;
    let mut d: Vec<u32> = person
        .iter()
        .map(|&p| if p > bg_max { 0 } else { big })
        .collect();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let mut v = d[i];
            if x > 0 {
                v = v.min(d[i - 1] + 1);
            }
            if y > 0 {
                v = v.min(d[i - w] + 1);
                if x > 0 {
                    v = v.min(d[i - w - 1] + 1);
                }
                if x + 1 < w {
                    v = v.min(d[i - w + 1] + 1);
                }
            }
            d[i] = v;
        }
    }
    for y in (0..h).rev() {
        for x in (0..w).rev() {
            let i = y * w + x;
            let mut v = d[i];
            if x + 1 < w {
                v = v.min(d[i + 1] + 1);
            }
            if y + 1 < h {
                v = v.min(d[i + w] + 1);
                if x + 1 < w {
                    v = v.min(d[i + w + 1] + 1);
                }
                if x > 0 {
                    v = v.min(d[i + w - 1] + 1);
                }
            }
            d[i] = v;
        }
    }
    d
}

pub fn check(ctx: &Ctx, crop: Option<CropRect>) -> Vec<Finding> {
    let p = &ctx.profile.background;
    let g = grid(ctx, crop);
    let (w, h) = (GRID_W, GRID_H);
    // Background cells clear of the person's outline (the mask edge blurs hair into background).
    let is_bg = |x: u32, y: u32| g.dist[(y * w + x) as usize] >= p.edge_clearance_cells;
    let mut ls = Vec::new();
    let mut sats = Vec::new();
    let mut pts = Vec::new();
    let mut edges = 0usize;
    let mut interior = 0usize;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            if !is_bg(x, y) {
                continue;
            }
            let px = g.img.get_pixel(x, y);
            let rgb = [px[0] as f32, px[1] as f32, px[2] as f32];
            let l = luma(rgb);
            ls.push(l);
            sats.push(saturation(rgb));
            let far = g.dist[(y * w + x) as usize] >= p.halo_cells;
            pts.push(Cell {
                x: x as f32 / w as f32,
                y: y as f32 / h as f32,
                l,
                far,
            });
            // Texture is judged away from the person's outline, where the mask often misses
            // strands and ponytails.
            if far && is_bg(x - 1, y) && is_bg(x + 1, y) && is_bg(x, y - 1) && is_bg(x, y + 1) {
                interior += 1;
                let gx = g.l(x + 1, y) - g.l(x - 1, y);
                let gy = g.l(x, y + 1) - g.l(x, y - 1);
                if (gx * gx + gy * gy).sqrt() > p.edge_step {
                    edges += 1;
                }
            }
        }
    }
    let total = ((w - 2) * (h - 2)) as f32;
    let bg_fraction = ls.len() as f32 / total;
    if ls.len() < (total * p.min_background_fraction) as usize || interior == 0 {
        return vec![
            finding(
                "P10",
                Status::Warn,
                json!({"background_fraction": r3(bg_fraction)}),
                json!({"min_background_fraction": p.min_background_fraction}),
                "P10.too_little",
            ),
            not_assessed("P11", "P11.not_assessed"),
        ];
    }
    let (mean_l, _) = mean_std(&ls);
    let (mean_sat, _) = mean_std(&sats);
    let edge_density = edges as f32 / interior as f32;
    let (plane, residual_outliers) = plane_fit(&pts, p.object_deviation);
    let far_count = pts.iter().filter(|q| q.far).count().max(1);
    let object_fraction = residual_outliers as f32 / far_count as f32;
    let measured = json!({
        "mean_luma": r3(mean_l), "mean_saturation": r3(mean_sat), "edge_density": r3(edge_density),
        "object_fraction": r3(object_fraction), "gradient_luma": r3(plane), "background_fraction": r3(bg_fraction),
    });
    let threshold = json!({
        "min_luma_fail": p.min_luma_fail, "min_luma_warn": p.min_luma_warn,
        "max_edge_density": p.max_edge_density, "max_object_fraction": p.max_object_fraction,
        "max_gradient_luma": p.max_gradient_luma, "max_saturation_fail": p.max_saturation_fail,
        "max_saturation_info": p.max_saturation_info,
    });
    let mut informational = false;
    let (status, key) =
        if edge_density > p.max_edge_density || object_fraction > p.max_object_fraction {
            (Status::Fail, "P10.busy")
        } else if mean_l < p.min_luma_fail {
            (Status::Fail, "P10.dark")
        } else if mean_sat > p.max_saturation_fail {
            (Status::Fail, "P10.colour")
        } else if plane > p.max_gradient_luma {
            // An even gradient that stays light everywhere (its darker side, about half the
            // change below the mean, still above the "light" limit) is a plain, light
            // backdrop lit unevenly: reported, not sent to review.
            informational = mean_l - plane / 2.0 >= p.min_luma_warn;
            (Status::Warn, "P10.gradient")
        } else if mean_l < p.min_luma_warn {
            (Status::Warn, "P10.darkish")
        } else if mean_sat > p.max_saturation_info {
            informational = true;
            (Status::Warn, "P10.tint")
        } else {
            (Status::Pass, "P10.ok")
        };
    let mut p10 = finding("P10", status, measured, threshold, key);
    p10.informational = informational;
    vec![p10, shadows(ctx, &g, mean_l)]
}

/// A background grid cell: position as a fraction of the crop, luma, and whether it lies far
/// enough from the person for texture and objects to be judged.
struct Cell {
    x: f32,
    y: f32,
    l: f32,
    far: bool,
}

/// Fits luma = a + b x + c y over the background, twice (the second time without the cells
/// the first fit left far off, so objects do not tilt the plane); returns the luma change the
/// plane makes across the crop and how many cells away from the person stand further than
/// `dev` from it (objects, patterns).
fn plane_fit(pts: &[Cell], dev: f32) -> (f32, usize) {
    let fit = |keep: &dyn Fn(&Cell) -> bool| -> (f64, f64, f64) {
        let (mut n, mut sx, mut sy, mut sl, mut sxx, mut syy, mut sxy, mut sxl, mut syl) =
            (0.0f64, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for q in pts.iter().filter(|q| keep(q)) {
            let (x, y, l) = (q.x as f64, q.y as f64, q.l as f64);
            n += 1.0;
            sx += x;
            sy += y;
            sl += l;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
            sxl += x * l;
            syl += y * l;
        }
        if n < 3.0 {
            return (sl / n.max(1.0), 0.0, 0.0);
        }
        let (mx, my, ml) = (sx / n, sy / n, sl / n);
        let cxx = sxx / n - mx * mx;
        let cyy = syy / n - my * my;
        let cxy = sxy / n - mx * my;
        let cxl = sxl / n - mx * ml;
        let cyl = syl / n - my * ml;
        let det = cxx * cyy - cxy * cxy;
        let (b, c) = if det.abs() < 1e-9 {
            (0.0, 0.0)
        } else {
            ((cxl * cyy - cyl * cxy) / det, (cyl * cxx - cxl * cxy) / det)
        };
        (ml - b * mx - c * my, b, c)
    };
    let residual = |(a, b, c): (f64, f64, f64), q: &Cell| {
        ((a + b * q.x as f64 + c * q.y as f64) - q.l as f64).abs()
    };
    let first = fit(&|_| true);
    let second = fit(&|q| residual(first, q) <= dev as f64);
    let outliers = pts
        .iter()
        .filter(|q| q.far && residual(second, q) > dev as f64)
        .count();
    ((second.1.abs() + second.2.abs()) as f32, outliers)
}

/// P11: background next to the head darker than the rest (a cast shadow), or one side of the
/// face much darker than the other.
fn shadows(ctx: &Ctx, g: &Grid, mean_l: f32) -> Finding {
    let p = &ctx.profile.background;
    let (w, h) = (GRID_W, GRID_H);
    let mut near = Vec::new();
    let mut far = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let d = g.dist[(y * w + x) as usize];
            if d >= p.edge_clearance_cells && d <= p.edge_clearance_cells + p.shadow_band_cells {
                near.push(g.l(x, y));
            } else if d > p.edge_clearance_cells + 2 * p.shadow_band_cells {
                far.push(g.l(x, y));
            }
        }
    }
    let (near_l, _) = mean_std(&near);
    let (far_l, _) = mean_std(&far);
    let halo = if near.len() > 20 && far.len() > 20 && far_l > 0.0 {
        near_l / far_l
    } else {
        1.0
    };
    let face_ratio = face_light_ratio(ctx);
    let measured = json!({"near_head_over_far_luma": r3(halo), "face_side_luma_ratio": r3(face_ratio), "background_luma": r3(mean_l)});
    let threshold = json!({"min_background_ratio": p.shadow_min_ratio, "face_ratio_fail": p.face_light_fail, "face_ratio_warn": p.face_light_warn});
    if face_ratio < p.face_light_fail {
        finding("P11", Status::Fail, measured, threshold, "P11.face")
    } else if halo < p.shadow_min_ratio {
        finding("P11", Status::Warn, measured, threshold, "P11.shadow")
    } else if face_ratio < p.face_light_warn {
        finding("P11", Status::Warn, measured, threshold, "P11.face")
    } else {
        finding("P11", Status::Pass, measured, threshold, "P11.ok")
    }
}

/// Darker over brighter mean luma of two cheek patches (mesh 50 and 280).
pub fn face_light_ratio(ctx: &Ctx) -> f32 {
    let (a, b) = cheek_lumas(ctx);
    a.min(b) / a.max(b).max(1.0)
}

/// Mean luma of the two cheeks.
pub fn face_light_luma(ctx: &Ctx) -> f32 {
    let (a, b) = cheek_lumas(ctx);
    (a + b) / 2.0
}

fn cheek_lumas(ctx: &Ctx) -> (f32, f32) {
    let f = ctx.face;
    let r = (f.ipd * 0.15).max(2.0);
    let patch = |c: [f32; 2]| {
        let mut v = Vec::new();
        let n = 6;
        for i in -n..=n {
            for j in -n..=n {
                let p = bilinear(
                    ctx.scene.work,
                    c[0] + r * i as f32 / n as f32,
                    c[1] + r * j as f32 / n as f32,
                );
                v.push(luma(p));
            }
        }
        mean_std(&v).0
    };
    (patch(f.mesh.p(50)), patch(f.mesh.p(280)))
}
