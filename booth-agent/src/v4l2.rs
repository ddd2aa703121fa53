//! A V4L2 camera (/dev/videoN) as a colour [`crate::frames::FrameSource`]: memory-mapped streaming, YUYV or MJPEG.
//!
//! A capture thread dequeues frames as the driver fills them and keeps only the newest one: a
//! live camera must never queue stale frames behind a slow pre-check, so when the consumer is
//! busy the older frame is dropped (the folder source, by contrast, blocks and loses nothing).
//!
//! The ioctl structures are declared here for 64-bit Linux (checked by a size test) rather
//! than generated, to avoid a bindgen/libclang build dependency on booth machines.
//! Not yet run against real hardware on this project's machines (no camera attached): the
//! code follows the V4L2 API's capture example; the conversions are unit-tested.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use image::RgbImage;
use thiserror::Error;

use crate::camera::ColourFrame;
use crate::frames::FrameError;
use crate::frames::FrameSource;

#[derive(Debug, Error)]
pub enum CameraError {
    #[error("cannot open the camera {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("camera {path}: {what} failed: {source}")]
    Ioctl {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    #[error("camera {path} cannot stream video capture")]
    NotACapture { path: PathBuf },
    #[error("camera {path} offers neither YUYV nor MJPEG at {width}x{height} (got {fourcc})")]
    Format {
        path: PathBuf,
        width: u32,
        height: u32,
        fourcc: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PixelFormat {
    /// Uncompressed 4:2:2: always decodable, often limited to a low frame rate at 720p.
    Yuyv,
    /// Motion JPEG: full frame rate on most UVC cameras.
    Mjpg,
}

const fn fourcc(s: &[u8; 4]) -> u32 {
    (s[0] as u32) | ((s[1] as u32) << 8) | ((s[2] as u32) << 16) | ((s[3] as u32) << 24)
}

const YUYV: u32 = fourcc(b"YUYV");
const MJPG: u32 = fourcc(b"MJPG");

// ---------------------------------------------------------------------------------------------
// The kernel ABI (include/uapi/linux/videodev2.h), 64-bit.

const BUF_TYPE_VIDEO_CAPTURE: u32 = 1;
const MEMORY_MMAP: u32 = 1;
const CAP_VIDEO_CAPTURE: u32 = 0x0000_0001;
const CAP_STREAMING: u32 = 0x0400_0000;
const CAP_DEVICE_CAPS: u32 = 0x8000_0000;
const FIELD_ANY: u32 = 0;

#[repr(C)]
struct Capability {
    driver: [u8; 16],
    card: [u8; 32],
    bus_info: [u8; 32],
    version: u32,
    capabilities: u32,
    device_caps: u32,
    reserved: [u32; 3],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct PixFormat {
    width: u32,
    height: u32,
    pixelformat: u32,
    field: u32,
    bytesperline: u32,
    sizeimage: u32,
    colorspace: u32,
    priv_: u32,
    flags: u32,
    ycbcr_enc: u32,
    quantization: u32,
    xfer_func: u32,
}

/// `struct v4l2_format`: the union is 200 bytes and pointer-aligned.
#[repr(C)]
struct Format {
    type_: u32,
    fmt: FormatUnion,
}

#[repr(C)]
union FormatUnion {
    pix: PixFormat,
    raw: [u8; 200],
    _align: [u64; 25],
}

#[repr(C)]
struct RequestBuffers {
    count: u32,
    type_: u32,
    memory: u32,
    capabilities: u32,
    flags: u8,
    reserved: [u8; 3],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Timecode {
    type_: u32,
    flags: u32,
    frames: u8,
    seconds: u8,
    minutes: u8,
    hours: u8,
    userbits: [u8; 4],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Buffer {
    index: u32,
    type_: u32,
    bytesused: u32,
    flags: u32,
    field: u32,
    timestamp: libc::timeval,
    timecode: Timecode,
    sequence: u32,
    memory: u32,
    /// The `m` union; for MMAP its low 32 bits are the offset.
    m: u64,
    length: u32,
    reserved2: u32,
    request_fd: i32,
}

const fn ioc(dir: u64, nr: u64, size: usize) -> u64 {
    (dir << 30) | ((size as u64) << 16) | ((b'V' as u64) << 8) | nr
}
const READ: u64 = 2;
const WRITE: u64 = 1;
const QUERYCAP: u64 = ioc(READ, 0, std::mem::size_of::<Capability>());
const S_FMT: u64 = ioc(READ | WRITE, 5, std::mem::size_of::<Format>());
const REQBUFS: u64 = ioc(READ | WRITE, 8, std::mem::size_of::<RequestBuffers>());
const QUERYBUF: u64 = ioc(READ | WRITE, 9, std::mem::size_of::<Buffer>());
const QBUF: u64 = ioc(READ | WRITE, 15, std::mem::size_of::<Buffer>());
const DQBUF: u64 = ioc(READ | WRITE, 17, std::mem::size_of::<Buffer>());
const STREAMON: u64 = ioc(WRITE, 18, std::mem::size_of::<i32>());
const STREAMOFF: u64 = ioc(WRITE, 19, std::mem::size_of::<i32>());

/// An ioctl on the device, retried on EINTR.
fn xioctl<T>(fd: &File, request: u64, arg: &mut T) -> std::io::Result<()> {
    loop {
        // SAFETY: `arg` is the #[repr(C)] structure the request's size and direction encode,
        // alive and exclusively borrowed for the call.
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), request as _, arg as *mut T) };
        if r != -1 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn zeroed<T>() -> T {
    // SAFETY: only used for the plain-data ioctl structures above, for which all-zero bytes
    // are a valid value (as the V4L2 API asks callers to clear them).
    unsafe { std::mem::zeroed() }
}

/// One memory-mapped driver buffer.
struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` come from a successful mmap and are unmapped once.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

// The mapping is only read by the capture thread that owns it.
unsafe impl Send for Mapped {}

struct Device {
    path: PathBuf,
    file: File,
    buffers: Vec<Mapped>,
    width: u32,
    height: u32,
    format: u32,
}

impl Device {
    fn open(
        path: &Path,
        width: u32,
        height: u32,
        format: PixelFormat,
    ) -> Result<Device, CameraError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|source| CameraError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        let err = |what: &'static str| {
            let path = path.to_path_buf();
            move |source| CameraError::Ioctl { path, what, source }
        };
        let mut cap: Capability = zeroed();
        xioctl(&file, QUERYCAP, &mut cap).map_err(err("VIDIOC_QUERYCAP"))?;
        let caps = if cap.capabilities & CAP_DEVICE_CAPS != 0 {
            cap.device_caps
        } else {
            cap.capabilities
        };
        if caps & CAP_VIDEO_CAPTURE == 0 || caps & CAP_STREAMING == 0 {
            return Err(CameraError::NotACapture {
                path: path.to_path_buf(),
            });
        }
        let mut fmt: Format = zeroed();
        fmt.type_ = BUF_TYPE_VIDEO_CAPTURE;
        fmt.fmt.pix = PixFormat {
            width,
            height,
            pixelformat: match format {
                PixelFormat::Yuyv => YUYV,
                PixelFormat::Mjpg => MJPG,
            },
            field: FIELD_ANY,
            ..zeroed()
        };
        xioctl(&file, S_FMT, &mut fmt).map_err(err("VIDIOC_S_FMT"))?;
        // SAFETY: S_FMT on a capture type fills the `pix` member.
        let pix = unsafe { fmt.fmt.pix };
        if pix.pixelformat != YUYV && pix.pixelformat != MJPG {
            return Err(CameraError::Format {
                path: path.to_path_buf(),
                width,
                height,
                fourcc: String::from_utf8_lossy(&pix.pixelformat.to_le_bytes()).into_owned(),
            });
        }
        let mut req = RequestBuffers {
            count: 4,
            type_: BUF_TYPE_VIDEO_CAPTURE,
            memory: MEMORY_MMAP,
            ..zeroed()
        };
        xioctl(&file, REQBUFS, &mut req).map_err(err("VIDIOC_REQBUFS"))?;
        let mut buffers = Vec::with_capacity(req.count as usize);
        for index in 0..req.count {
            let mut b: Buffer = zeroed();
            b.type_ = BUF_TYPE_VIDEO_CAPTURE;
            b.memory = MEMORY_MMAP;
            b.index = index;
            xioctl(&file, QUERYBUF, &mut b).map_err(err("VIDIOC_QUERYBUF"))?;
            // SAFETY: maps the driver buffer the kernel just described (offset, length).
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    b.length as usize,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    file.as_raw_fd(),
                    (b.m & 0xffff_ffff) as libc::off_t,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(err("mmap")(std::io::Error::last_os_error()));
            }
            buffers.push(Mapped {
                ptr,
                len: b.length as usize,
            });
            xioctl(&file, QBUF, &mut b).map_err(err("VIDIOC_QBUF"))?;
        }
        let mut t = BUF_TYPE_VIDEO_CAPTURE as i32;
        xioctl(&file, STREAMON, &mut t).map_err(err("VIDIOC_STREAMON"))?;
        Ok(Device {
            path: path.to_path_buf(),
            file,
            buffers,
            width: pix.width,
            height: pix.height,
            format: pix.pixelformat,
        })
    }

    /// Waits for the next filled buffer and converts it.
    fn capture(&mut self) -> Result<Result<RgbImage, String>, CameraError> {
        let mut b: Buffer = zeroed();
        b.type_ = BUF_TYPE_VIDEO_CAPTURE;
        b.memory = MEMORY_MMAP;
        xioctl(&self.file, DQBUF, &mut b).map_err(|source| CameraError::Ioctl {
            path: self.path.clone(),
            what: "VIDIOC_DQBUF",
            source,
        })?;
        let converted = match self.buffers.get(b.index as usize) {
            Some(m) => {
                let used = (b.bytesused as usize).min(m.len);
                // SAFETY: the driver filled `used` bytes of this mapping and will not touch it
                // until it is queued again below.
                let data = unsafe { std::slice::from_raw_parts(m.ptr as *const u8, used) };
                convert(data, self.width, self.height, self.format)
            }
            None => Err(format!("driver returned unknown buffer {}", b.index)),
        };
        xioctl(&self.file, QBUF, &mut b).map_err(|source| CameraError::Ioctl {
            path: self.path.clone(),
            what: "VIDIOC_QBUF",
            source,
        })?;
        Ok(converted)
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        let mut t = BUF_TYPE_VIDEO_CAPTURE as i32;
        let _ = xioctl(&self.file, STREAMOFF, &mut t);
    }
}

fn convert(data: &[u8], width: u32, height: u32, format: u32) -> Result<RgbImage, String> {
    if format == MJPG {
        image::load_from_memory_with_format(data, image::ImageFormat::Jpeg)
            .map(|i| i.to_rgb8())
            .map_err(|e| format!("MJPEG frame: {e}"))
    } else {
        yuyv_to_rgb(data, width, height)
    }
}

/// YUYV 4:2:2 (BT.601, limited range) to RGB.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32) -> Result<RgbImage, String> {
    let need = width as usize * height as usize * 2;
    if data.len() < need || width & 1 == 1 {
        return Err(format!(
            "YUYV frame of {} bytes for {width}x{height}",
            data.len()
        ));
    }
    let mut out = Vec::with_capacity(width as usize * height as usize * 3);
    let px = |y: u8, u: f32, v: f32| {
        let c = 1.164 * (y as f32 - 16.0);
        [
            (c + 1.596 * v).clamp(0.0, 255.0) as u8,
            (c - 0.392 * u - 0.813 * v).clamp(0.0, 255.0) as u8,
            (c + 2.017 * u).clamp(0.0, 255.0) as u8,
        ]
    };
    for q in data[..need].chunks_exact(4) {
        let (u, v) = (q[1] as f32 - 128.0, q[3] as f32 - 128.0);
        out.extend_from_slice(&px(q[0], u, v));
        out.extend_from_slice(&px(q[2], u, v));
    }
    RgbImage::from_raw(width, height, out).ok_or_else(|| "YUYV size".to_string())
}

/// The newest frame, or the end of the stream.
struct Slot {
    frame: Option<Result<ColourFrame, FrameError>>,
    ended: bool,
}

/// A live camera: a capture thread and a one-frame slot that the newest frame overwrites.
pub struct V4l2Source {
    shared: Arc<(Mutex<Slot>, Condvar)>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl V4l2Source {
    pub fn open(
        path: &Path,
        width: u32,
        height: u32,
        format: PixelFormat,
    ) -> Result<V4l2Source, CameraError> {
        let mut device = Device::open(path, width, height, format)?;
        let shared = Arc::new((
            Mutex::new(Slot {
                frame: None,
                ended: false,
            }),
            Condvar::new(),
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (shared.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut index = 0u64;
            while !st.load(Ordering::Relaxed) {
                let (frame, end) = match device.capture() {
                    Ok(Ok(image)) => (
                        Some(Ok(ColourFrame {
                            index,
                            name: format!("camera#{index}"),
                            image,
                        })),
                        false,
                    ),
                    // A bad frame is skipped; the stream goes on.
                    Ok(Err(e)) => {
                        eprintln!("camera: {e}");
                        (None, false)
                    }
                    Err(e) => {
                        eprintln!("camera: {e}");
                        (None, true)
                    }
                };
                index += 1;
                let (lock, cv) = &*s;
                let mut slot = lock.lock().unwrap_or_else(|e| e.into_inner());
                if frame.is_some() {
                    slot.frame = frame; // the older frame, if unread, is dropped
                }
                slot.ended |= end;
                cv.notify_one();
                if end {
                    break;
                }
            }
        });
        Ok(V4l2Source {
            shared,
            stop,
            thread: Some(thread),
        })
    }
}

impl FrameSource<image::RgbImage> for V4l2Source {
    fn next_frame(&mut self) -> Option<Result<ColourFrame, FrameError>> {
        let (lock, cv) = &*self.shared;
        let mut slot = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(f) = slot.frame.take() {
                return Some(f);
            }
            if slot.ended {
                return None;
            }
            slot = cv.wait(slot).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for V4l2Source {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The thread notices after its current DQBUF returns (at most one frame interval).
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_sizes_match_videodev2_on_64_bit_linux() {
        if std::mem::size_of::<usize>() != 8 {
            return;
        }
        assert_eq!(std::mem::size_of::<Capability>(), 104);
        assert_eq!(std::mem::size_of::<Format>(), 208);
        assert_eq!(std::mem::size_of::<RequestBuffers>(), 20);
        assert_eq!(std::mem::size_of::<Buffer>(), 88);
        // Known request numbers from videodev2.h.
        assert_eq!(QUERYCAP, 0x8068_5600);
        assert_eq!(S_FMT, 0xc0d0_5605);
        assert_eq!(DQBUF, 0xc058_5611);
        assert_eq!(STREAMON, 0x4004_5612);
    }

    #[test]
    fn yuyv_grey_and_colour_convert() {
        // Two pixels of mid grey, then two of pure-ish red.
        let img = yuyv_to_rgb(&[126, 128, 126, 128, 81, 90, 81, 240], 2, 2).expect("rgb");
        let g = img.get_pixel(0, 0).0;
        assert!(g.iter().all(|&c| (125..=130).contains(&c)), "{g:?}");
        let r = img.get_pixel(0, 1).0;
        assert!(r[0] > 230 && r[1] < 30 && r[2] < 30, "{r:?}");
        assert!(yuyv_to_rgb(&[0; 6], 2, 2).is_err());
    }

    #[test]
    fn a_missing_device_names_itself() {
        let e = V4l2Source::open(
            Path::new("/dev/video-not-here"),
            1280,
            720,
            PixelFormat::Yuyv,
        )
        .err()
        .expect("no device");
        assert!(e.to_string().contains("/dev/video-not-here"));
    }
}
