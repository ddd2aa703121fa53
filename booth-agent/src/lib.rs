//! The booth agent's library: reading the application form's QR code from camera frames
//! ([`qr`]) and the frame sources that feed it ([`frames`]). Capture guidance and the submit
//! queue come with later issues.

pub mod frames;
pub mod qr;
