//! The booth agent's library: reading the application form's QR code from camera frames
//! ([`qr`]) and the frame sources that feed it ([`frames`], [`camera`], [`v4l2`]); the session
//! ([`agent`]), capture guidance ([`guidance`]), payment, the durable submit queue ([`queue`],
//! [`submit`]), receipts and the kiosk page. See `booth-agent/README.md`.

pub mod agent;
pub mod answers;
pub mod camera;
pub mod frames;
pub mod guidance;
pub mod kiosk;
pub mod live;
pub mod payment;
pub mod qr;
pub mod queue;
pub mod receipt;
pub mod submit;
#[cfg(target_os = "linux")]
pub mod v4l2;
pub mod video;
