//! The picture for reviewers: the photo with the face box, landmarks, crop frame and the ids of
//! failing and warning rules drawn on it.

use image::{Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_rect_mut, draw_hollow_rect_mut, draw_line_segment_mut,
};
use imageproc::rect::Rect;

use super::report::Status;
use super::Vetted;

const GREEN: Rgb<u8> = Rgb([40, 200, 60]);
const RED: Rgb<u8> = Rgb([230, 30, 30]);
const AMBER: Rgb<u8> = Rgb([250, 170, 0]);
const CYAN: Rgb<u8> = Rgb([0, 200, 230]);
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

pub fn render(v: &Vetted) -> Vec<u8> {
    let mut img = v.work.clone();
    let s = v.scale;
    let (w, h) = img.dimensions();
    // Tint what the person mask calls background, so a reviewer sees what P10/P11 judged.
    for (x, y, p) in img.enumerate_pixels_mut() {
        if v.mask.at(x as f32 + 0.5, y as f32 + 0.5) < 0.5 {
            p[2] = p[2].saturating_add(60);
        }
    }
    let thick = ((w.max(h) as f32 / 400.0).ceil() as i32).max(1);
    if let Some(c) = &v.report.crop {
        let r = [
            c.x as f32 * s,
            c.y as f32 * s,
            c.width as f32 * s,
            c.height as f32 * s,
        ];
        for t in 0..thick {
            let rect = Rect::at(r[0] as i32 - t, r[1] as i32 - t).of_size(
                (r[2] as u32 + 2 * t as u32).max(1),
                (r[3] as u32 + 2 * t as u32).max(1),
            );
            draw_hollow_rect_mut(&mut img, rect, CYAN);
        }
    }
    if let Some(face) = &v.face {
        let b = face.detection.bbox;
        for t in 0..thick {
            let rect = Rect::at(b[0] as i32 - t, b[1] as i32 - t).of_size(
                ((b[2] - b[0]) as u32 + 2 * t as u32).max(1),
                ((b[3] - b[1]) as u32 + 2 * t as u32).max(1),
            );
            draw_hollow_rect_mut(&mut img, rect, GREEN);
        }
        let dot = (face.ipd / 40.0).max(1.0) as i32;
        for p in &face.mesh.points {
            draw_filled_circle_mut(
                &mut img,
                (p[0] as i32, p[1] as i32),
                (dot / 2).max(1),
                Rgb([180, 180, 255]),
            );
        }
        for p in face.eyes.iter().chain([&face.chin, &face.crown]) {
            draw_filled_circle_mut(&mut img, (p[0] as i32, p[1] as i32), dot * 2, AMBER);
        }
        let cw = face.ipd * 0.6;
        draw_line_segment_mut(
            &mut img,
            (face.crown[0] - cw, face.crown[1]),
            (face.crown[0] + cw, face.crown[1]),
            AMBER,
        );
        draw_line_segment_mut(
            &mut img,
            (face.chin[0] - cw, face.chin[1]),
            (face.chin[0] + cw, face.chin[1]),
            AMBER,
        );
    }
    // Flagged rules as a label strip at the top-left.
    let scale = ((w.max(h) as f32 / 300.0).round() as u32).max(2);
    let mut x = scale as i32 * 2;
    let y = scale as i32 * 2;
    for f in &v.report.findings {
        let colour = match f.status {
            Status::Fail if !f.waived => RED,
            Status::Fail | Status::Warn => AMBER,
            _ => continue,
        };
        let text = f.rule.as_str();
        let tw = text.len() as u32 * 4 * scale + scale;
        draw_filled_rect_mut(
            &mut img,
            Rect::at(x, y).of_size(tw + scale, 7 * scale),
            colour,
        );
        draw_text(
            &mut img,
            x + scale as i32,
            y + scale as i32,
            scale,
            text,
            WHITE,
        );
        x += tw as i32 + 2 * scale as i32;
    }
    let mut out = Vec::new();
    // Encoding an in-memory RGB image to PNG cannot fail for valid dimensions.
    let _ = img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

/// 3x5 glyphs for the characters rule ids use.
fn glyph(c: char) -> [u8; 5] {
    match c {
        'F' => [0b111, 0b100, 0b110, 0b100, 0b100],
        'P' => [0b110, 0b101, 0b110, 0b100, 0b100],
        'D' => [0b110, 0b101, 0b101, 0b101, 0b110],
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b111, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        _ => [0; 5],
    }
}

fn draw_text(img: &mut RgbImage, x: i32, y: i32, scale: u32, text: &str, colour: Rgb<u8>) {
    for (i, c) in text.chars().enumerate() {
        let g = glyph(c);
        for (row, bits) in g.iter().enumerate() {
            for col in 0..3 {
                if bits & (0b100 >> col) != 0 {
                    let px = x + (i as i32 * 4 + col) * scale as i32;
                    let py = y + row as i32 * scale as i32;
                    draw_filled_rect_mut(img, Rect::at(px, py).of_size(scale, scale), colour);
                }
            }
        }
    }
}
