use qrcode::QrCode;
#[test]
fn miscorrect_rate() {
    let code = QrCode::new(b"83058510451478306901653").unwrap();
    let n = code.width();
    let bits: Vec<bool> = code.to_colors().iter().map(|c| *c == qrcode::Color::Dark).collect();
    let mut s = 0x1234_5678_9abc_def1u64;
    let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
    let (mut ok_right, mut ok_wrong, mut fail) = (0, 0, 0);
    let mut wrongs = Vec::new();
    for trial in 0..400_000u64 {
        let k = 20 + (trial % 60) as usize; // flipped modules
        let mut b = bits.clone();
        for _ in 0..k {
            let i = (next() % (n * n) as u64) as usize;
            let (x, y) = (i % n, i / n);
            if code.is_functional(x, y) { continue; }
            b[i] = !b[i];
        }
        let g = rqrr::SimpleGrid::from_func(n, |x, y| b[y * n + x]);
        match rqrr::Grid::new(g).decode() {
            Ok((_, c)) if c == "83058510451478306901653" => ok_right += 1,
            Ok((_, c)) => { ok_wrong += 1; if wrongs.len() < 10 { wrongs.push(c); } }
            Err(_) => fail += 1,
        }
    }
    println!("right {ok_right} wrong {ok_wrong} fail {fail} {wrongs:?}");
}
