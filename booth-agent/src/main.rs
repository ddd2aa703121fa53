//! Booth agent. The QR reading, capture guidance and durable submit queue come with the
//! booth-agent issue; for now it only reads a QR code from an image file, so the workspace
//! builds and the QR dependency is exercised.
use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let path = std::env::args()
        .nth(1)
        .context("usage: booth-agent IMAGE (reads the application form's QR code)")?;
    let img = image::open(&path)
        .with_context(|| format!("cannot read {path}"))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    for grid in prepared.detect_grids() {
        if let Ok((_, content)) = grid.decode() {
            println!("{content}");
            return Ok(());
        }
    }
    bail!("no QR code found in {path}")
}
