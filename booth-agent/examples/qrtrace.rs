fn main() {
    let crop: Option<Vec<u32>> = std::env::var("CROP")
        .ok()
        .map(|c| c.split(',').map(|v| v.parse().unwrap()).collect());
    for p in std::env::args().skip(1) {
        let img = image::open(&p).unwrap().to_luma8();
        let t = std::time::Instant::now();
        let s = booth_agent::qr::scan(&img);
        eprintln!("{p}: {:?} {:?} {:?}", t.elapsed(), s.pass, s.payloads);
        if let Some(c) = &crop {
            let a =
                image::imageops::crop_imm(&img, c[0], c[1], c[2] - c[0], c[3] - c[1]).to_image();
            let bits = image::open("/tmp/bits.png").unwrap().to_luma8();
            let b =
                image::imageops::crop_imm(&bits, c[0], c[1], c[2] - c[0], c[3] - c[1]).to_image();
            let mut out = image::GrayImage::new(a.width() * 2, a.height());
            image::imageops::replace(&mut out, &a, 0, 0);
            image::imageops::replace(&mut out, &b, a.width() as i64, 0);
            out.save("/tmp/pair.png").unwrap();
        }
    }
}
