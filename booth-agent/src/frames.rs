//! Where camera frames come from.
//!
//! [`FolderSource`] replays image files (tests, recorded sessions, a camera that drops JPEGs
//! into a folder). [`Prefetch`] decodes the next frame on a thread while the current one is
//! scanned, through a channel of capacity 1, so at most one decoded frame waits in memory.
//!
//! Live cameras are out of this module's scope: V4L2 capture lives in `v4l2.rs`, a colour
//! source for the capture guidance whose frames the QR reader takes as luma. A live source
//! must keep at most one or two frames and drop the *oldest* when full, so stale frames never
//! queue behind a slow scan; a folder must lose none, hence `Prefetch` blocks instead.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use image::{DynamicImage, GrayImage, RgbImage};
use thiserror::Error;

/// One frame; `name` identifies it in logs (a file name, a sequence number). Greyscale for the
/// QR reader by default; the capture side reads `Frame<RgbImage>` (see `camera.rs`).
#[derive(Debug, Clone)]
pub struct Frame<I = GrayImage> {
    pub index: u64,
    pub name: String,
    pub image: I,
}

/// The pixel formats a frame source can decode files into.
pub trait FrameImage: Send + 'static {
    fn from_decoded(img: DynamicImage) -> Self;
}

impl FrameImage for GrayImage {
    fn from_decoded(img: DynamicImage) -> Self {
        img.to_luma8()
    }
}

impl FrameImage for RgbImage {
    fn from_decoded(img: DynamicImage) -> Self {
        img.to_rgb8()
    }
}

#[derive(Debug, Error)]
pub enum FrameError {
    #[error("cannot list frames in {path}: {source}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read frame {name}: {source}")]
    Read {
        name: String,
        source: image::ImageError,
    },
}

/// A stream of frames, processed as they come. `None` ends the stream; an `Err` is one bad
/// frame and the stream may go on.
pub trait FrameSource<I = GrayImage> {
    fn next_frame(&mut self) -> Option<Result<Frame<I>, FrameError>>;
}

/// The PNG and JPEG files of a folder, in file-name order, decoded one at a time on demand.
#[derive(Debug)]
pub struct FolderSource<I = GrayImage> {
    files: std::vec::IntoIter<PathBuf>,
    index: u64,
    pixels: std::marker::PhantomData<fn() -> I>,
}

impl<I> FolderSource<I> {
    /// Lists the folder now (so a missing folder fails here); decodes nothing yet.
    pub fn open(dir: &Path) -> Result<FolderSource<I>, FrameError> {
        Ok(FolderSource {
            files: Self::list(dir)?.into_iter(),
            index: 0,
            pixels: std::marker::PhantomData,
        })
    }

    /// The folder's frame files in name order.
    pub fn list(dir: &Path) -> Result<Vec<PathBuf>, FrameError> {
        let list_err = |source| FrameError::List {
            path: dir.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(list_err)? {
            let path = entry.map_err(list_err)?.path();
            if path.is_file() && is_frame_file(&path) {
                files.push(path);
            }
        }
        files.sort();
        Ok(files)
    }

    /// Frames not yet read.
    pub fn remaining(&self) -> usize {
        self.files.len()
    }
}

fn is_frame_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

impl<I: FrameImage> FrameSource<I> for FolderSource<I> {
    fn next_frame(&mut self) -> Option<Result<Frame<I>, FrameError>> {
        let path = self.files.next()?;
        let index = self.index;
        self.index += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some(match image::open(&path) {
            Ok(img) => Ok(Frame {
                index,
                name,
                image: I::from_decoded(img),
            }),
            Err(source) => Err(FrameError::Read { name, source }),
        })
    }
}

/// Reads a source one frame ahead on its own thread. The channel holds one frame and the reader
/// blocks when it is full, so no frame is lost and memory stays bounded.
pub struct Prefetch<I = GrayImage> {
    rx: Option<Receiver<Result<Frame<I>, FrameError>>>,
    reader: Option<JoinHandle<()>>,
}

impl<I: FrameImage> Prefetch<I> {
    pub fn new<S: FrameSource<I> + Send + 'static>(mut source: S) -> Prefetch<I> {
        let (tx, rx) = sync_channel(1);
        let reader = std::thread::spawn(move || {
            while let Some(frame) = source.next_frame() {
                if tx.send(frame).is_err() {
                    break; // the consumer is gone
                }
            }
        });
        Prefetch {
            rx: Some(rx),
            reader: Some(reader),
        }
    }
}

impl<I> FrameSource<I> for Prefetch<I> {
    fn next_frame(&mut self) -> Option<Result<Frame<I>, FrameError>> {
        self.rx.as_ref()?.recv().ok()
    }
}

impl<I> Drop for Prefetch<I> {
    fn drop(&mut self) {
        // Closing the channel first makes a blocked reader's send fail, so the join returns
        // after at most one more frame is decoded.
        self.rx.take();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
