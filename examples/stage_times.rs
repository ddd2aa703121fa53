//! Times each model alone on one photo (no other thread running): where a vet's time goes.
//! usage: cargo run --release --example stage_times -- PHOTO
use std::time::Instant;

use mynumber_photo::vetting::{input, models::Models, pixels, Profile};

fn main() {
    let path = std::env::args().nth(1).expect("usage: stage_times PHOTO");
    let bytes = std::fs::read(&path).expect("readable photo");
    let p = Profile::default();
    let models =
        Models::load(std::path::Path::new("models"), p.detector.input_size).expect("models");
    let src = input::inspect(&bytes, p.input.limits()).expect("image");
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let time = |f: &mut dyn FnMut()| {
        let mut v = Vec::new();
        for _ in 0..25 {
            let t = Instant::now();
            f();
            v.push(t.elapsed().as_secs_f64() * 1e3);
        }
        median(v)
    };
    let decoded = input::decode_at_least(&src, p.input.decode_long_side).unwrap();
    let k = (decoded.image.width().max(decoded.image.height()) / p.input.model_long_side).max(1);
    let work = pixels::box_downsample(&decoded.image, k);
    let det = models.detector.detect(&work, 0.6).unwrap();
    let mesh = models.mesh.landmarks(&work, &det[0]).unwrap();
    println!(
        "decode      {:6.1} ms",
        time(&mut || {
            input::decode_at_least(&src, p.input.decode_long_side).unwrap();
        })
    );
    println!(
        "downsample  {:6.1} ms (k={k})",
        time(&mut || {
            pixels::box_downsample(&decoded.image, k);
        })
    );
    println!(
        "detect      {:6.1} ms",
        time(&mut || {
            models.detector.detect(&work, 0.6).unwrap();
        })
    );
    println!(
        "mesh        {:6.1} ms",
        time(&mut || {
            models.mesh.landmarks(&work, &det[0]).unwrap();
        })
    );
    println!(
        "blendshapes {:6.1} ms",
        time(&mut || {
            models.blendshapes.coefficients(&mesh).unwrap();
        })
    );
    println!(
        "rigid fit   {:6.1} ms",
        time(&mut || {
            models.canonical.fit(&mesh);
        })
    );
    println!(
        "segment     {:6.1} ms",
        time(&mut || {
            models.segmenter.segment(&work).unwrap();
        })
    );
}
