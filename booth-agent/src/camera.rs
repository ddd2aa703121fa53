//! Colour frames for the photo. The QR reader works on greyscale; the photo must keep its
//! colour, so the capture side reads colour frames and hands the QR reader their luma. The
//! sources are those of [`crate::frames`], decoding into RGB: same contract, frames processed
//! as they come and never queued without bound.

use image::RgbImage;

use crate::frames::{FolderSource, Frame, Prefetch};

pub type ColourFrame = Frame<RgbImage>;
/// The PNG and JPEG files of a folder, in file-name order, decoded one at a time.
pub type ColourFolder = FolderSource<RgbImage>;
/// Decodes one frame ahead on a thread; the channel holds one frame, so memory stays bounded
/// and (for a folder) no frame is lost.
pub type ColourPrefetch = Prefetch<RgbImage>;
