//! Booth agent CLI: `run` one visit (QR, items, payment, guided capture, queued submit),
//! `send` the queue, `status` of the queue, and `qr` / `scan` to read form QR codes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use booth_agent::frames::{FolderSource, FrameSource, Prefetch};
use booth_agent::qr::{self, QrError};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "booth-agent",
    about = "Photo booth agent for My Number Card applications"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read the application form ID from the QR code in an image; prints the 23 digits.
    Qr { image: PathBuf },
    /// Scan a folder of frames (PNG/JPEG, in name order) until one yields a form ID.
    Scan { dir: PathBuf },
    /// One person's session from a camera or a folder of frames: QR, answers, payment,
    /// guided capture, then the application is queued durably and sent.
    Run(booth_agent::agent::RunArgs),
    /// Visits back to back until SIGTERM, the queue drained and the booth's health reported
    /// throughout (what a booth runs from opening to closing; see the systemd unit).
    Daemon(booth_agent::agent::DaemonArgs),
    /// The submit queue: length, oldest item, each item's state.
    Status(booth_agent::agent::StatusArgs),
    /// Try every queued application once now (e.g. after a restart).
    Send(booth_agent::agent::SendArgs),
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `Ok(false)`: the input was read but yielded no form ID (the reason is printed).
fn run(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::Qr { image } => {
            let frame = image::open(&image)
                .with_context(|| format!("cannot read {}", image.display()))?
                .to_luma8();
            let start = Instant::now();
            let result = qr::find_form_id(&frame);
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            match result {
                Ok(id) => {
                    println!("{id}");
                    eprintln!("({ms:.1} ms)");
                    Ok(true)
                }
                Err(e) => {
                    report(&e);
                    Ok(false)
                }
            }
        }
        Command::Scan { dir } => {
            let mut frames = Prefetch::new(FolderSource::open(&dir)?);
            let mut last = QrError::NoCode;
            while let Some(frame) = frames.next_frame() {
                let frame = match frame {
                    Ok(f) => f,
                    Err(e) => {
                        eprintln!("skipped: {e}");
                        continue;
                    }
                };
                match qr::find_form_id(&frame.image) {
                    Ok(id) => {
                        println!("{id}\t{}", frame.name);
                        return Ok(true);
                    }
                    Err(e) => last = e,
                }
            }
            report(&last);
            Ok(false)
        }
        Command::Run(args) => booth_agent::agent::run(args),
        Command::Daemon(args) => booth_agent::agent::daemon(args),
        Command::Status(args) => booth_agent::agent::status(args),
        Command::Send(args) => booth_agent::agent::send(args),
    }
}

fn report(e: &QrError) {
    eprintln!("{}: {e}\n{}", e.code(), e.message_ja());
}
