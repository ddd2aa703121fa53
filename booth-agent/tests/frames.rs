//! Frame sources: folder order, bad files, the prefetching reader.

use std::path::PathBuf;

use booth_agent::frames::{FolderSource, FrameError, FrameSource, Prefetch};
use booth_agent::qr;
use image::{GrayImage, Luma};
use qrcode::QrCode;

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("booth-agent-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ID: &str = "31415926535897932384626";

/// Frames 00-02 are blank, 03 holds the form's code; plus a JPEG, a corrupt PNG, a text file
/// and a subfolder that must not count as frames.
fn folder() -> TempDir {
    let dir = TempDir::new("frames");
    let blank = GrayImage::from_pixel(320, 240, Luma([128]));
    for i in 0..3 {
        blank.save(dir.0.join(format!("frame-{i:02}.png"))).unwrap();
    }
    let code = QrCode::new(ID.as_bytes())
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(6, 6)
        .build();
    let mut with_code = blank.clone();
    image::imageops::replace(&mut with_code, &code, 50, 30);
    with_code.save(dir.0.join("frame-03.png")).unwrap();
    blank.save(dir.0.join("frame-04.JPG")).unwrap();
    std::fs::write(dir.0.join("frame-05.png"), b"not a png").unwrap();
    std::fs::write(dir.0.join("notes.txt"), b"ignored").unwrap();
    std::fs::create_dir(dir.0.join("sub.png")).unwrap();
    dir
}

fn drain(source: &mut dyn FrameSource) -> Vec<(String, bool)> {
    let mut seen = Vec::new();
    while let Some(frame) = source.next_frame() {
        seen.push(match frame {
            Ok(f) => (f.name, true),
            Err(FrameError::Read { name, .. }) => (name, false),
            Err(e) => panic!("{e}"),
        });
    }
    seen
}

fn expected() -> Vec<(String, bool)> {
    [
        ("frame-00.png", true),
        ("frame-01.png", true),
        ("frame-02.png", true),
        ("frame-03.png", true),
        ("frame-04.JPG", true),
        ("frame-05.png", false),
    ]
    .map(|(n, ok)| (n.to_string(), ok))
    .to_vec()
}

#[test]
fn folder_frames_come_in_name_order_and_a_bad_file_does_not_end_the_stream() {
    let dir = folder();
    let mut source = FolderSource::open(&dir.0).unwrap();
    assert_eq!(source.remaining(), 6);
    assert_eq!(drain(&mut source), expected());
    assert!(source.next_frame().is_none());
}

#[test]
fn prefetch_yields_the_same_frames() {
    let dir = folder();
    let mut source = Prefetch::new(FolderSource::open(&dir.0).unwrap());
    assert_eq!(drain(&mut source), expected());
}

#[test]
fn dropping_a_prefetch_midway_stops_its_reader() {
    let dir = folder();
    let mut source = Prefetch::new(<FolderSource>::open(&dir.0).unwrap());
    assert!(source.next_frame().is_some());
    drop(source); // joins the reader: must not hang on the full channel
}

#[test]
fn the_form_id_is_found_in_the_fourth_frame() {
    let dir = folder();
    let mut source = FolderSource::open(&dir.0).unwrap();
    let mut found = None;
    while let Some(frame) = source.next_frame() {
        let Ok(frame) = frame else { continue };
        if let Ok(id) = qr::find_form_id(&frame.image) {
            found = Some((frame.index, frame.name, id));
            break;
        }
    }
    let (index, name, id) = found.expect("no frame yielded the form ID");
    assert_eq!((index, name.as_str(), id.as_str()), (3, "frame-03.png", ID));
}

#[test]
fn a_missing_folder_fails_at_open() {
    let dir = TempDir::new("missing");
    let missing = dir.0.join("nope");
    assert!(matches!(
        <FolderSource>::open(&missing),
        Err(FrameError::List { .. })
    ));
}
