//! Colour frames for the photo. The QR reader works on greyscale ([`crate::frames`]); the
//! photo must keep its colour, so the capture side reads colour frames and hands the QR reader
//! their luma. Same contract as [`crate::frames::FrameSource`]: frames are processed as they
//! come and never queued without bound.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use image::RgbImage;

use crate::frames::FrameError;

#[derive(Debug, Clone)]
pub struct ColourFrame {
    pub index: u64,
    pub name: String,
    pub image: RgbImage,
}

pub trait ColourSource {
    fn next_frame(&mut self) -> Option<Result<ColourFrame, FrameError>>;
}

/// The PNG and JPEG files of a folder, in file-name order, decoded one at a time.
#[derive(Debug)]
pub struct ColourFolder {
    files: std::vec::IntoIter<PathBuf>,
    index: u64,
}

impl ColourFolder {
    pub fn open(dir: &Path) -> Result<ColourFolder, FrameError> {
        let list_err = |source| FrameError::List {
            path: dir.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(list_err)? {
            let path = entry.map_err(list_err)?.path();
            let is_frame = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"));
            if path.is_file() && is_frame {
                files.push(path);
            }
        }
        files.sort();
        Ok(ColourFolder {
            files: files.into_iter(),
            index: 0,
        })
    }
}

impl ColourSource for ColourFolder {
    fn next_frame(&mut self) -> Option<Result<ColourFrame, FrameError>> {
        let path = self.files.next()?;
        let index = self.index;
        self.index += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some(match image::open(&path) {
            Ok(img) => Ok(ColourFrame {
                index,
                name,
                image: img.to_rgb8(),
            }),
            Err(source) => Err(FrameError::Read { name, source }),
        })
    }
}

/// Decodes one frame ahead on a thread; the channel holds one frame, so memory stays bounded
/// and (for a folder) no frame is lost.
pub struct ColourPrefetch {
    rx: Option<Receiver<Result<ColourFrame, FrameError>>>,
    reader: Option<JoinHandle<()>>,
}

impl ColourPrefetch {
    pub fn new<S: ColourSource + Send + 'static>(mut source: S) -> ColourPrefetch {
        let (tx, rx) = sync_channel(1);
        let reader = std::thread::spawn(move || {
            while let Some(frame) = source.next_frame() {
                if tx.send(frame).is_err() {
                    break;
                }
            }
        });
        ColourPrefetch {
            rx: Some(rx),
            reader: Some(reader),
        }
    }
}

impl ColourSource for ColourPrefetch {
    fn next_frame(&mut self) -> Option<Result<ColourFrame, FrameError>> {
        self.rx.as_ref()?.recv().ok()
    }
}

impl Drop for ColourPrefetch {
    fn drop(&mut self) {
        self.rx.take();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
