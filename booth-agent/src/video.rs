//! Frames at the camera's own pace, from a recording or a stream: a folder of images or an
//! MJPEG file/stream (concatenated JPEGs, as `ffmpeg -f mjpeg` writes them), played at a fixed
//! frame rate. For demos and tests that must behave like a live camera.
//!
//! A reader thread takes the encoded frames at the frame rate (or as fast as a pipe delivers
//! them) and puts each into a one-frame slot, overwriting the one the guidance has not taken:
//! when the pre-check is slower than the camera, frames are dropped, never queued, and only
//! the frames taken are decoded.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::frames::{Frame, FrameError, FrameImage, FrameSource};

/// One encoded frame (JPEG or PNG bytes) with a name for the logs.
pub type Encoded = Result<(String, Vec<u8>), FrameError>;

/// Encoded frames, read but not decoded.
pub trait EncodedSource: Send {
    fn next_encoded(&mut self) -> Option<Encoded>;
}

/// The image files of a folder in name order, read (not decoded) one at a time.
pub struct EncodedFolder {
    files: std::vec::IntoIter<PathBuf>,
}

impl EncodedFolder {
    pub fn open(dir: &Path) -> Result<EncodedFolder, FrameError> {
        // The same listing as `FolderSource`: same files, same order.
        let listed = crate::frames::FolderSource::<image::GrayImage>::list(dir)?;
        Ok(EncodedFolder {
            files: listed.into_iter(),
        })
    }
}

impl EncodedSource for EncodedFolder {
    fn next_encoded(&mut self) -> Option<Encoded> {
        let path = self.files.next()?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some(
            std::fs::read(&path)
                .map(|b| (name.clone(), b))
                .map_err(|source| FrameError::Read {
                    name,
                    source: image::ImageError::IoError(source),
                }),
        )
    }
}

/// Concatenated JPEGs from a file or a pipe: each frame runs from its SOI marker (FF D8) to its
/// EOI (FF D9), found by walking the segments (an EXIF thumbnail's own SOI/EOI stays inside).
/// Bytes between frames are skipped.
pub struct MjpegStream {
    input: BufReader<Box<dyn Read + Send>>,
    index: u64,
    ended: bool,
    /// A marker code the entropy-data scan read past (its FF split across two reads).
    pending_marker: Option<u8>,
}

impl MjpegStream {
    pub fn new(input: Box<dyn Read + Send>) -> MjpegStream {
        MjpegStream {
            input: BufReader::with_capacity(1 << 16, input),
            index: 0,
            ended: false,
            pending_marker: None,
        }
    }

    /// A file, or `-` for standard input.
    pub fn open(path: &Path) -> std::io::Result<MjpegStream> {
        if path == Path::new("-") {
            return Ok(MjpegStream::new(Box::new(std::io::stdin())));
        }
        Ok(MjpegStream::new(Box::new(std::fs::File::open(path)?)))
    }

    /// The next frame's bytes, SOI to EOI; `None` at the end of the stream. The JPEG's
    /// segments are walked by their lengths (so a thumbnail inside an EXIF segment, with its
    /// own SOI and EOI, stays inside the frame) and the entropy-coded data after SOS is
    /// scanned a buffer at a time for the marker that ends it.
    fn read_frame(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        if !self.skip_to_soi()? {
            return Ok(None);
        }
        let mut out = vec![0xFF, 0xD8];
        loop {
            let code = match self.pending_marker.take() {
                Some(c) => c,
                None => {
                    // A marker: FF (fill FFs allowed), then its code.
                    let Some(mut code) = self.byte()? else {
                        return Ok(Some(out)); // truncated: the decoder reports it
                    };
                    if code != 0xFF {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!("MJPEG: expected a marker, found byte {code:#04x}"),
                        ));
                    }
                    while code == 0xFF {
                        match self.byte()? {
                            Some(c) => code = c,
                            None => return Ok(Some(out)),
                        }
                    }
                    code
                }
            };
            out.extend_from_slice(&[0xFF, code]);
            match code {
                0xD9 => return Ok(Some(out)),
                0x01 | 0xD0..=0xD7 => continue,
                _ => {}
            }
            let mut len = [0u8; 2];
            if self.input.read_exact(&mut len).is_err() {
                return Ok(Some(out));
            }
            out.extend_from_slice(&len);
            let body = (u16::from_be_bytes(len) as usize).saturating_sub(2);
            let start = out.len();
            out.resize(start + body, 0);
            if self.input.read_exact(&mut out[start..]).is_err() {
                return Ok(Some(out));
            }
            if code == 0xDA {
                self.entropy_data(&mut out)?;
            }
        }
    }

    fn byte(&mut self) -> std::io::Result<Option<u8>> {
        let mut b = [0u8; 1];
        match self.input.read(&mut b)? {
            0 => Ok(None),
            _ => Ok(Some(b[0])),
        }
    }

    /// Skips to just after the next SOI (FF D8); false at the end of the stream.
    fn skip_to_soi(&mut self) -> std::io::Result<bool> {
        let mut prev = 0u8;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let found = if prev == 0xFF && buf[0] == 0xD8 {
                Some(0)
            } else {
                buf.windows(2)
                    .position(|w| w == [0xFF, 0xD8])
                    .map(|i| i + 1)
            };
            match found {
                Some(i) => {
                    self.input.consume(i + 1);
                    return Ok(true);
                }
                None => {
                    prev = buf[buf.len() - 1];
                    let n = buf.len();
                    self.input.consume(n);
                }
            }
        }
    }

    /// Copies entropy-coded data up to (not including) the next marker other than a stuffed
    /// zero (FF 00) or a restart (FF D0-D7); that marker's FF is left for `read_frame`.
    fn entropy_data(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let mut i = 0;
            while i < buf.len() {
                if buf[i] != 0xFF {
                    i += 1;
                    continue;
                }
                let Some(&next) = buf.get(i + 1) else {
                    break; // the FF's partner is in the next read
                };
                if next == 0x00 || (0xD0..=0xD7).contains(&next) {
                    i += 2;
                    continue;
                }
                out.extend_from_slice(&buf[..i]);
                self.input.consume(i);
                return Ok(());
            }
            if i == 0 {
                // A lone FF at the end of the buffer: take it with its partner.
                let mut two = [0u8; 2];
                if self.input.read_exact(&mut two).is_err() {
                    return Ok(());
                }
                if two[1] == 0x00 || (0xD0..=0xD7).contains(&two[1]) {
                    out.extend_from_slice(&two);
                    continue;
                }
                // A marker, already read: `read_frame` takes it from here.
                self.pending_marker = Some(two[1]);
                return Ok(());
            }
            out.extend_from_slice(&buf[..i]);
            self.input.consume(i);
        }
    }
}

impl EncodedSource for MjpegStream {
    fn next_encoded(&mut self) -> Option<Encoded> {
        if self.ended {
            return None;
        }
        let name = format!("mjpeg-{:06}", self.index);
        self.index += 1;
        match self.read_frame() {
            Ok(Some(bytes)) => Some(Ok((name, bytes))),
            Ok(None) => {
                self.ended = true;
                None
            }
            Err(source) => {
                self.ended = true;
                Some(Err(FrameError::Read {
                    name,
                    source: image::ImageError::IoError(source),
                }))
            }
        }
    }
}

struct Slot {
    frame: Option<(u64, Encoded)>,
    ended: bool,
    stop: bool,
    dropped: u64,
}

/// Plays an encoded source at `fps` (None: as fast as it delivers, for a live pipe) into a
/// one-frame slot; the consumer decodes the newest frame when it asks for one.
pub struct Paced<I> {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    /// Set by the daemon on SIGTERM: a consumer waiting on a silent stream gives up.
    stop: Option<Arc<AtomicBool>>,
    reader: Option<JoinHandle<()>>,
    pixels: std::marker::PhantomData<fn() -> I>,
}

impl<I: FrameImage> Paced<I> {
    pub fn new(mut source: Box<dyn EncodedSource>, fps: Option<f64>) -> Paced<I> {
        let slot = Arc::new((
            Mutex::new(Slot {
                frame: None,
                ended: false,
                stop: false,
                dropped: 0,
            }),
            Condvar::new(),
        ));
        let shared = slot.clone();
        let interval = fps
            .filter(|f| *f > 0.0)
            .map(|f| Duration::from_secs_f64(1.0 / f));
        let reader = std::thread::spawn(move || {
            let (lock, cv) = &*shared;
            let start = Instant::now();
            let mut index = 0u64;
            loop {
                if let Some(every) = interval {
                    // The frame's due time on the stream's own clock: a late reader catches up
                    // by not sleeping, and the frames it overwrites are the drops.
                    let due = start + every.mul_f64(index as f64);
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                }
                let next = source.next_encoded();
                let Ok(mut s) = lock.lock() else { return };
                if s.stop {
                    return;
                }
                match next {
                    Some(f) => {
                        if s.frame.replace((index, f)).is_some() {
                            s.dropped += 1;
                        }
                    }
                    None => {
                        s.ended = true;
                        cv.notify_all();
                        return;
                    }
                }
                cv.notify_all();
                drop(s);
                index += 1;
            }
        });
        Paced {
            slot,
            stop: None,
            reader: Some(reader),
            pixels: std::marker::PhantomData,
        }
    }

    /// `next_frame` ends the stream once `stop` is set, even while no frame arrives.
    pub fn with_stop(mut self, stop: Arc<AtomicBool>) -> Paced<I> {
        self.stop = Some(stop);
        self
    }

    /// Frames overwritten before the consumer took them.
    pub fn dropped(&self) -> u64 {
        self.slot.0.lock().map(|s| s.dropped).unwrap_or(0)
    }
}

impl<I: FrameImage> FrameSource<I> for Paced<I> {
    fn next_frame(&mut self) -> Option<Result<Frame<I>, FrameError>> {
        let (lock, cv) = &*self.slot;
        let mut s = lock.lock().ok()?;
        loop {
            if let Some((index, f)) = s.frame.take() {
                drop(s);
                return Some(f.and_then(|(name, bytes)| {
                    image::load_from_memory(&bytes)
                        .map(|img| Frame {
                            index,
                            name: name.clone(),
                            image: I::from_decoded(img),
                        })
                        .map_err(|source| FrameError::Read { name, source })
                }));
            }
            if s.ended || self.stop.as_ref().is_some_and(|f| f.load(Ordering::SeqCst)) {
                return None;
            }
            s = cv.wait_timeout(s, Duration::from_millis(200)).ok()?.0;
        }
    }
}

impl<I> Drop for Paced<I> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.slot.0.lock() {
            s.stop = true;
        }
        // The reader notices at its next frame (at most one frame interval, or when a pipe
        // delivers); a reader blocked on a silent pipe is left to end with the process.
        if let Some(r) = self.reader.take() {
            if r.is_finished() {
                let _ = r.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(shade: u8) -> Vec<u8> {
        let img = image::GrayImage::from_pixel(32, 24, image::Luma([shade]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .expect("encode");
        out
    }

    #[test]
    fn an_mjpeg_stream_splits_into_its_frames() {
        let mut bytes = Vec::new();
        for s in [10u8, 128, 250] {
            bytes.extend(jpeg(s));
        }
        let mut m = MjpegStream::new(Box::new(std::io::Cursor::new(bytes)));
        let mut shades = Vec::new();
        while let Some(f) = m.next_encoded() {
            let (_, b) = f.expect("frame");
            let img = image::load_from_memory(&b).expect("decodes").to_luma8();
            shades.push(img.get_pixel(16, 12)[0]);
        }
        assert_eq!(shades.len(), 3);
        assert!(shades[0] < 40 && (100..160).contains(&shades[1]) && shades[2] > 220);
    }

    #[test]
    fn a_thumbnail_inside_a_frame_does_not_split_it() {
        // APP1 holding a whole small JPEG, as EXIF thumbnails do, inserted after SOI.
        let thumb = jpeg(30);
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&((thumb.len() + 2) as u16).to_be_bytes());
        app1.extend_from_slice(&thumb);
        let mut bytes = Vec::new();
        for s in [200u8, 60] {
            let main = jpeg(s);
            bytes.extend_from_slice(&main[..2]);
            bytes.extend_from_slice(&app1);
            bytes.extend_from_slice(&main[2..]);
        }
        // Read through a tiny buffer too, so markers straddle reads.
        for cap in [7usize, 1 << 16] {
            let mut m = MjpegStream::new(Box::new(std::io::Cursor::new(bytes.clone())));
            m.input = BufReader::with_capacity(cap, Box::new(std::io::Cursor::new(bytes.clone())));
            let mut shades = Vec::new();
            while let Some(f) = m.next_encoded() {
                let (_, b) = f.expect("frame");
                let img = image::load_from_memory(&b).expect("decodes").to_luma8();
                shades.push(img.get_pixel(16, 12)[0]);
            }
            assert_eq!(shades.len(), 2, "buffer {cap}");
            assert!(shades[0] > 180 && shades[1] < 80, "{shades:?}");
        }
    }

    #[test]
    fn a_slow_consumer_gets_the_newest_frame_and_the_rest_are_dropped() {
        let mut bytes = Vec::new();
        for i in 0..40u8 {
            bytes.extend(jpeg(i * 6));
        }
        let mut p: Paced<image::GrayImage> = Paced::new(
            Box::new(MjpegStream::new(Box::new(std::io::Cursor::new(bytes)))),
            Some(100.0),
        );
        let mut taken = Vec::new();
        while let Some(f) = p.next_frame() {
            taken.push(f.expect("frame").index);
            // A pre-check four times slower than the stream.
            std::thread::sleep(Duration::from_millis(40));
        }
        assert!(taken.windows(2).all(|w| w[0] < w[1]), "{taken:?}");
        assert!(
            taken.len() < 25,
            "frames were queued, not dropped: {taken:?}"
        );
        assert!(p.dropped() as usize + taken.len() == 40, "{taken:?}");
        assert_eq!(*taken.last().expect("some"), 39, "the last frame is shown");
    }
}
