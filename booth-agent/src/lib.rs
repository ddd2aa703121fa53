//! The booth agent's library: reading the application form's QR code from camera frames
//! ([`qr`]) and the frame sources that feed it ([`frames`]). Capture guidance and the submit
//! queue come with later issues.

pub mod agent;
pub mod answers;
pub mod camera;
pub mod frames;
pub mod guidance;
pub mod kiosk;
pub mod payment;
pub mod qr;
pub mod queue;
pub mod receipt;
pub mod submit;
#[cfg(target_os = "linux")]
pub mod v4l2;
