fn main() {
    for p in std::env::args().skip(1) {
        let img = image::open(&p).unwrap().to_luma8();
        let s = booth_agent::qr::scan(&img);
        eprintln!("{p}: {:?} {:?}", s.pass, s.payloads);
    }
}
