//! The booth's commands: `run` (one person's session, then sending), `daemon` (visits back to
//! back with the sender and the health report running throughout), `status` and `send`.
//!
//! `run`: frames until the form's QR code is read, the items (answers file), payment (the
//! simulated coin acceptor), guidance and capture, then the application goes into the durable
//! queue and a background sender delivers it. The person's receipt says "sent" when the
//! service acknowledged within a few seconds, "will be sent" otherwise. Everything the session
//! does is printed as one JSON line per event on stdout (tests and the kiosk read them); the
//! receipt's line carries the printed slip (Japanese and English) in its `text` field.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use mynumber_photo::application::eligibility;
use mynumber_photo::vetting::{Profile, VetContext, Vetter};
use serde_json::json;
use tokio::sync::{broadcast, watch, Notify};

use crate::answers::{AfterRetakes, Answers};
use crate::camera::{ColourFolder, ColourPrefetch};
use crate::frames::{FrameError, FrameSource};
use crate::guidance::{best, Guide, GuideEvent, GuideOutcome};
use crate::kiosk;
use crate::live::Live;
use crate::payment::{PaymentDevice, SimulatedCoinAcceptor};
use crate::qr::{self, QrError};
use crate::queue::{tail, Application, Queue};
use crate::receipt::{Delivery, Receipt};
use crate::submit::{
    drain_once, run_sender, send_health, Attempt, Backoff, Endpoint, HealthReport,
};
use crate::video::{EncodedFolder, MjpegStream, Paced};

#[derive(Args, Debug, Clone)]
pub struct ServiceArgs {
    /// The service's base URL, e.g. https://photo.example.city.jp
    #[arg(long, env = "BOOTH_AGENT_SERVICE")]
    pub service: String,
    /// The booth's token (`mynumber-photo admin booth add NAME` prints it).
    #[arg(long, env = "BOOTH_AGENT_TOKEN", hide_env_values = true)]
    pub token: String,
    /// First retry delay; it doubles per attempt (with jitter) up to --retry-max-ms.
    #[arg(long, default_value_t = 2000)]
    pub retry_base_ms: u64,
    #[arg(long, default_value_t = 300_000)]
    pub retry_max_ms: u64,
}

impl ServiceArgs {
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            base: self.service.trim_end_matches('/').to_string(),
            token: self.token.clone(),
        }
    }
    fn backoff(&self) -> Backoff {
        Backoff {
            base_ms: self.retry_base_ms.max(1),
            max_ms: self.retry_max_ms.max(self.retry_base_ms.max(1)),
        }
    }
}

/// Where the frames come from and how one visit goes: shared by `run` and `daemon`.
#[derive(Args, Debug, Clone)]
pub struct VisitArgs {
    /// Folder of frames (PNG/JPEG, in name order) standing in for the camera. Every frame is
    /// read, unless --fps plays them at a camera's pace.
    #[arg(long, required_unless_present_any = ["camera", "video"], conflicts_with_all = ["camera", "video"])]
    pub frames: Option<PathBuf>,
    /// An MJPEG file or stream (concatenated JPEGs; `-` for standard input), played at --fps.
    #[arg(long, conflicts_with = "camera")]
    pub video: Option<PathBuf>,
    /// Play --frames or --video at this frame rate; frames the guidance is too slow for are
    /// dropped. For --video the default is 15 (0: as fast as the stream delivers, for a pipe).
    #[arg(long)]
    pub fps: Option<f64>,
    /// A V4L2 camera, e.g. /dev/video0.
    #[arg(long)]
    pub camera: Option<PathBuf>,
    /// The camera's frame size.
    #[arg(long, default_value_t = 1280)]
    pub camera_width: u32,
    #[arg(long, default_value_t = 720)]
    pub camera_height: u32,
    #[arg(long, value_enum, default_value = "yuyv")]
    pub camera_format: crate::v4l2::PixelFormat,
    /// The person's answers (TOML, see the README), for unattended runs and demos; the daemon
    /// uses them for every visit.
    #[arg(long, required_unless_present = "kiosk", conflicts_with = "kiosk")]
    pub answers: Option<PathBuf>,
    /// Ask on the touch panel instead: serve the kiosk page on this loopback address
    /// (e.g. 127.0.0.1:8700) once the form's QR code is read.
    #[arg(long)]
    pub kiosk: Option<std::net::SocketAddr>,
    /// Show the live screen (camera view, instruction, captured photo and verdict, the choice
    /// after the last retake, the receipt) on this loopback address, e.g. 127.0.0.1:8701.
    #[arg(long)]
    pub live: Option<std::net::SocketAddr>,
    /// With --live: how long the person has to choose on the page after the last retake
    /// before the default (--after-retakes, or the answers file's) applies.
    #[arg(long, default_value_t = 60)]
    pub choice_secs: u64,
    /// Kiosk mode: the coins the simulated acceptor receives, e.g. 500,100,100,100.
    #[arg(long, value_delimiter = ',')]
    pub coins: Vec<u32>,
    /// Kiosk mode: what happens when the retakes run out.
    #[arg(long, value_enum, default_value = "submit-best")]
    pub after_retakes: AfterRetakes,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// The booth's own folder: the queue lives here.
    #[arg(long, env = "BOOTH_AGENT_DATA_DIR")]
    pub data_dir: PathBuf,
    /// The models folder. Default: ./models, else ../models (the repository's models when
    /// run from booth-agent/).
    #[arg(long, env = "MNP_MODELS")]
    pub models: Option<PathBuf>,
    /// The booth's fee in yen.
    #[arg(long, default_value_t = 800)]
    pub fee: u32,
    #[arg(long, default_value_t = 3)]
    pub max_retakes: u32,
    /// After a rejected capture, wait this long before capturing again (the person needs a
    /// moment to follow the instruction). Default: 3000 with --camera, 0 with --frames.
    #[arg(long)]
    pub retake_pause_ms: Option<u64>,
    /// How long the person must stay ready before the capture, counted down on the live
    /// screen. Default: 3000 with --camera, 0 otherwise (recorded frames).
    #[arg(long)]
    pub countdown_ms: Option<u64>,
    /// How long the receipt waits for the service's acknowledgement before saying "will be
    /// sent".
    #[arg(long, default_value_t = 15)]
    pub receipt_wait_secs: u64,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub visit: VisitArgs,
    /// After the session, keep sending until the queue is empty or this many seconds pass
    /// (the daemon runs the sender for good; the queue survives exit either way).
    #[arg(long, default_value_t = 600)]
    pub drain_secs: u64,
}

#[derive(Args, Debug, Clone)]
pub struct DaemonArgs {
    #[command(flatten)]
    pub visit: VisitArgs,
    /// Report the booth's health (queue, oldest pending item, last error) this often.
    #[arg(long, default_value_t = 60)]
    pub health_secs: u64,
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    #[arg(long, env = "BOOTH_AGENT_DATA_DIR")]
    pub data_dir: PathBuf,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct SendArgs {
    #[arg(long, env = "BOOTH_AGENT_DATA_DIR")]
    pub data_dir: PathBuf,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Also retry items the service refused for good (after fixing the cause, e.g. the token).
    #[arg(long)]
    pub include_failed: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The live screen, when `--live` is given: every event also goes to the page.
static LIVE: std::sync::OnceLock<Live> = std::sync::OnceLock::new();

fn emit(line: &str) {
    println!("{line}");
    if let Some(l) = LIVE.get() {
        l.event(line);
    }
}

fn event(v: serde_json::Value) {
    emit(&v.to_string());
}

/// A frame for the live view: at most 640 px wide, JPEG q70 (the booth's own screen).
fn publish_frame(live: &Live, image: &image::RgbImage) {
    let small = if image.width() > 640 {
        let h = (image.height() as u64 * 640 / image.width() as u64).max(1) as u32;
        image::imageops::resize(image, 640, h, image::imageops::FilterType::Triangle)
    } else {
        image.clone()
    };
    let mut out = Vec::new();
    if image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&small)
        .is_ok()
    {
        live.frame(out);
    }
}

fn print_attempt(a: &Attempt) {
    event(json!({"event": "attempt", "attempt": a}));
}

fn today_jst() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// The models folder: the one given, else `./models`, else `../models`; a clear error naming
/// the folders looked at.
pub fn models_dir(given: Option<&Path>) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = match given {
        Some(p) => vec![p.to_path_buf()],
        None => vec![PathBuf::from("models"), PathBuf::from("../models")],
    };
    for c in &candidates {
        // The face detector is the first model loaded: its absence is the common mistake.
        if c.join("retinaface_mnet025.onnx").is_file() {
            return Ok(c.clone());
        }
    }
    let looked: Vec<String> = candidates
        .iter()
        .map(|c| {
            std::path::absolute(c)
                .unwrap_or_else(|_| c.clone())
                .display()
                .to_string()
        })
        .collect();
    anyhow::bail!(
        "no models folder at {} (give --models DIR or MNP_MODELS, e.g. the repository's models/)",
        looked.join(" or ")
    )
}

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitEnd {
    /// The frames ended (or the booth is stopping) before a form was read.
    NoForm,
    PaymentFailed,
    Cancelled,
    /// The application is in the queue; the receipt says how far it got.
    Queued(Delivery),
}

/// What lives across visits: the models, the queue, the sender's reports, the stop flag.
pub struct Booth {
    pub rt: tokio::runtime::Runtime,
    pub queue: Queue,
    vetter: Vetter,
    wake: Arc<Notify>,
    attempts: broadcast::Sender<Attempt>,
    /// The last thing that went wrong (a failed attempt, a visit's error), for the health
    /// report.
    last_error: Arc<Mutex<Option<String>>>,
    stop: Arc<AtomicBool>,
    stop_tx: watch::Sender<bool>,
    sender: Option<tokio::task::JoinHandle<()>>,
}

fn note_error(slot: &Mutex<Option<String>>, message: &str) {
    if let Ok(mut e) = slot.lock() {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        *e = Some(format!("{now} {message}"));
    }
}

/// Frames until the booth is told to stop.
struct Stoppable<'a> {
    inner: &'a mut dyn FrameSource<image::RgbImage>,
    stop: &'a AtomicBool,
}

impl FrameSource<image::RgbImage> for Stoppable<'_> {
    fn next_frame(&mut self) -> Option<Result<crate::camera::ColourFrame, FrameError>> {
        if self.stop.load(Ordering::SeqCst) {
            return None;
        }
        let frame = self.inner.next_frame();
        if let (Some(live), Some(Ok(f))) = (LIVE.get(), &frame) {
            publish_frame(live, &f.image);
        }
        frame
    }
}

impl Booth {
    /// `health`: report the booth's health before retrying after a failure (the daemon).
    pub fn open(args: &VisitArgs, health: bool) -> Result<Booth> {
        let rt = runtime()?;
        let queue = rt.block_on(Queue::open(&args.data_dir))?;
        let models = models_dir(args.models.as_deref())?;
        let vetter = Vetter::load(&models, Profile::default())
            .with_context(|| format!("cannot load the models from {}", models.display()))?;
        if let Some(addr) = args.live {
            let (live, bound) = Live::start(addr)?;
            if LIVE.set(live).is_ok() {
                event(json!({"event": "live", "url": format!("http://{bound}/")}));
            }
        }
        let (attempts, _) = broadcast::channel(64);
        let (stop_tx, _) = watch::channel(false);
        let mut booth = Booth {
            rt,
            queue,
            vetter,
            wake: Arc::new(Notify::new()),
            attempts,
            last_error: Arc::new(Mutex::new(None)),
            stop: Arc::new(AtomicBool::new(false)),
            stop_tx,
            sender: None,
        };
        // The sender starts at once: anything left from before a restart goes out during the
        // first visit. It is the only sender, so an item is never in flight twice.
        let tx = booth.attempts.clone();
        let last_error = booth.last_error.clone();
        let report: Arc<dyn Fn(&Attempt) + Send + Sync> = Arc::new(move |a: &Attempt| {
            print_attempt(a);
            if a.result != "acknowledged" {
                note_error(
                    &last_error,
                    &format!("sending ****{}: {}", a.form_id_tail, a.detail),
                );
            }
            let _ = tx.send(a.clone());
        });
        let before_retry: Option<Arc<dyn Fn() + Send + Sync>> = health.then(|| {
            let queue = booth.queue.clone();
            let handle = booth.rt.handle().clone();
            let endpoint = args.service.endpoint();
            let last_error = booth.last_error.clone();
            Arc::new(move || {
                let last = last_error.lock().ok().and_then(|e| e.clone());
                report_health(&handle, &queue, &endpoint, last);
            }) as Arc<dyn Fn() + Send + Sync>
        });
        booth.sender = Some(booth.rt.spawn(run_sender(
            booth.queue.clone(),
            args.service.endpoint(),
            args.service.backoff(),
            booth.wake.clone(),
            booth.stop_tx.subscribe(),
            report,
            before_retry,
        )));
        Ok(booth)
    }

    pub fn frames(&self, args: &VisitArgs) -> Result<Box<dyn FrameSource<image::RgbImage>>> {
        Ok(match (&args.frames, &args.video, &args.camera) {
            (Some(dir), _, _) => match args.fps {
                Some(fps) => Box::new(
                    Paced::<image::RgbImage>::new(Box::new(EncodedFolder::open(dir)?), Some(fps))
                        .with_stop(self.stop.clone()),
                ),
                None => Box::new(ColourPrefetch::new(ColourFolder::open(dir)?)),
            },
            (None, Some(video), _) => {
                let stream = MjpegStream::open(video)
                    .with_context(|| format!("cannot open the video {}", video.display()))?;
                let fps = args.fps.unwrap_or(15.0);
                Box::new(
                    Paced::<image::RgbImage>::new(Box::new(stream), (fps > 0.0).then_some(fps))
                        .with_stop(self.stop.clone()),
                )
            }
            (None, None, Some(dev)) => Box::new(crate::v4l2::V4l2Source::open(
                dev,
                args.camera_width,
                args.camera_height,
                args.camera_format,
            )?),
            (None, None, None) => {
                anyhow::bail!("give --frames DIR, --video FILE or --camera /dev/videoN")
            }
        })
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// One person: the form's QR code, the items, payment, the photo, the queue and the
    /// receipt.
    pub fn visit(
        &self,
        args: &VisitArgs,
        frames: &mut dyn FrameSource<image::RgbImage>,
    ) -> Result<VisitEnd> {
        let mut frames = Stoppable {
            inner: frames,
            stop: &self.stop,
        };
        let today = today_jst();

        // 1. The application form's QR code.
        let mut last = QrError::NoCode;
        let mut form_id = None;
        while let Some(frame) = frames.next_frame() {
            let frame = match frame {
                Ok(f) => f,
                Err(e) => {
                    event(json!({"event": "frame_error", "message": e.to_string()}));
                    continue;
                }
            };
            match qr::find_form_id(&image::imageops::grayscale(&frame.image)) {
                Ok(id) => {
                    event(
                        json!({"event": "form_id", "frame": frame.name, "form_id_tail": tail(id.as_str())}),
                    );
                    form_id = Some(id);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let Some(form_id) = form_id else {
            event(
                json!({"event": "no_form_id", "code": last.code(), "en": last.to_string(), "ja": last.message_ja()}),
            );
            return Ok(VisitEnd::NoForm);
        };

        // The items: from the file (read per visit, so it can be edited between visits), or
        // from the person on the touch panel.
        let file_answers = match &args.answers {
            Some(path) => Some(Answers::load(path, today)?),
            None => None,
        };
        let answers = match (file_answers, args.kiosk) {
            (Some(a), _) => a,
            (None, Some(addr)) => {
                // The page is for the booth's own browser, never for the network.
                if !addr.ip().is_loopback() {
                    anyhow::bail!(
                        "--kiosk must be a loopback address (127.0.0.1:PORT), not {addr}"
                    );
                }
                let mut a = kiosk::ask(addr, &tail(form_id.as_str()), today, &mut |bound| {
                    event(json!({"event": "kiosk", "url": format!("http://{bound}/")}));
                })?;
                a.coins = args.coins.clone();
                a.after_retakes = args.after_retakes;
                a
            }
            (None, None) => anyhow::bail!("give --answers FILE or --kiosk ADDR"),
        };
        event(
            json!({"event": "answers", "certificates": answers.certificates,
            "braille": answers.braille, "exception": answers.exception_reason.is_some()}),
        );

        // 2. Payment.
        let mut coins = SimulatedCoinAcceptor::new(&answers.coins);
        let paid = match coins.collect(args.fee) {
            Ok(r) => {
                event(json!({"event": "paid", "payment": r}));
                r
            }
            Err(e) => {
                event(
                    json!({"event": "payment_failed", "en": e.to_string(), "ja": e.message_ja()}),
                );
                return Ok(VisitEnd::PaymentFailed);
            }
        };
        let cancel = |reason: &str| -> Result<VisitEnd> {
            event(json!({"event": "cancelled", "reason": reason,
                "refund_yen": paid.inserted_yen - paid.change_yen,
                "en": "Cancelled: nothing was sent and the fee was refunded.",
                "ja": "取り消しました。申請は送信されず、料金は返金しました。"}));
            Ok(VisitEnd::Cancelled)
        };

        // 3. The photo, unless the applicant is under one (no photo since 2024-12-02).
        let dob = answers.date_of_birth;
        let photo_required = eligibility(dob.date(), today, false)
            .map(|e| e.photo_required)
            .unwrap_or(true);
        let mut verdict = None;
        let photo = if photo_required {
            let guide = Guide {
                vetter: &self.vetter,
                context: VetContext {
                    date_of_birth: Some(dob.date()),
                    application_date: Some(today),
                    exception: answers.exception_reason.clone(),
                },
                max_retakes: args.max_retakes,
                retake_pause: Duration::from_millis(
                    args.retake_pause_ms
                        .unwrap_or(if args.camera.is_some() { 3000 } else { 0 }),
                ),
                countdown: Duration::from_millis(
                    args.countdown_ms
                        .unwrap_or(if args.camera.is_some() { 3000 } else { 0 }),
                ),
            };
            let outcome = guide.run(&mut frames, &mut |e: &GuideEvent| {
                if let (GuideEvent::Captured(c), Some(live)) = (e, LIVE.get()) {
                    live.capture(c.jpeg.clone());
                }
                if let Ok(v) = serde_json::to_value(e) {
                    event(v);
                }
            })?;
            let chosen = match outcome {
                GuideOutcome::Accepted(c) => Some(c),
                // Stopping mid-capture: nobody is left to choose; refund.
                GuideOutcome::PersonChooses(_) if self.stopping() => {
                    return cancel("shutdown");
                }
                GuideOutcome::PersonChooses(captures) => {
                    let choice = match (captures.is_empty(), LIVE.get()) {
                        (true, _) => AfterRetakes::Cancel,
                        // The person chooses on the live screen; the default when they do not.
                        (false, Some(live)) => {
                            event(json!({"event": "choose", "captures": captures.len()}));
                            live.wait_choice(Duration::from_secs(args.choice_secs))
                                .unwrap_or(answers.after_retakes)
                        }
                        (false, None) => answers.after_retakes,
                    };
                    event(
                        json!({"event": "person_chooses", "captures": captures.len(), "choice": choice}),
                    );
                    match choice {
                        AfterRetakes::SubmitBest => best(captures),
                        AfterRetakes::Cancel => None,
                    }
                }
            };
            let Some(capture) = chosen else {
                return cancel("person");
            };
            verdict = Some(capture.verdict.as_str().to_string());
            Some(capture.jpeg)
        } else {
            None
        };

        // 4. Into the durable queue first, then the sender.
        let app = Application {
            form_id: form_id.as_str().to_string(),
            date_of_birth: dob.to_string(),
            certificates: answers.certificates,
            braille: answers.braille,
            exception_reason: answers.exception_reason.clone(),
            photo,
        };
        // Listening before the item exists: its first attempt cannot be missed.
        let mut attempts = self.attempts.subscribe();
        let item = self.rt.block_on(self.queue.enqueue(&app))?;
        event(json!({"event": "queued", "form_id_tail": item.form_id_tail()}));
        self.wake.notify_one();
        let delivery = self.rt.block_on(async {
            let deadline =
                tokio::time::Instant::now() + Duration::from_secs(args.receipt_wait_secs);
            loop {
                match tokio::time::timeout_at(deadline, attempts.recv()).await {
                    Ok(Ok(a)) if a.id == item.id => {
                        break match a.result {
                            "acknowledged" => Delivery::Sent,
                            "failed" => Delivery::NotSent,
                            _ => Delivery::WillBeSent,
                        };
                    }
                    Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                    _ => break Delivery::WillBeSent,
                }
            }
        });
        let mut receipt = Receipt::new(item.form_id_tail(), delivery);
        receipt.paid_yen = paid.price_yen;
        receipt.photo_verdict = verdict;
        emit(&receipt.json_line());
        Ok(VisitEnd::Queued(delivery))
    }

    /// Sends a health report now, from the queue as it stands.
    pub fn report_health(&self, endpoint: &Endpoint) {
        let last_error = self.last_error.lock().ok().and_then(|e| e.clone());
        report_health(self.rt.handle(), &self.queue, endpoint, last_error);
    }

    /// Stops the sender (after the attempt in flight is recorded) and closes the queue.
    pub fn close(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.stop_tx.send(true);
        if let Some(sender) = self.sender.take() {
            let _ = self.rt.block_on(sender);
        }
        self.rt.block_on(self.queue.close());
    }
}

/// One health report from the queue as it stands (blocking: not on a runtime thread).
fn report_health(
    rt: &tokio::runtime::Handle,
    queue: &Queue,
    endpoint: &Endpoint,
    last_error: Option<String>,
) {
    let status = match rt.block_on(queue.status()) {
        Ok(s) => s,
        Err(e) => {
            event(json!({"event": "health", "error": e.to_string()}));
            return;
        }
    };
    let report = HealthReport::from_status(&status, last_error);
    match send_health(endpoint, &report) {
        Ok(code) => event(json!({"event": "health", "status": code, "pending": status.pending})),
        Err(e) => event(json!({"event": "health", "error": e, "pending": status.pending})),
    }
}

/// `Ok(true)`: the application is in the queue (sent or to be sent); `Ok(false)`: the session
/// ended without one (no form read, payment failed, the person cancelled).
pub fn run(args: RunArgs) -> Result<bool> {
    let booth = Booth::open(&args.visit, false)?;
    let mut frames = booth.frames(&args.visit)?;
    let end = booth.visit(&args.visit, &mut *frames);
    let queued = matches!(end, Ok(VisitEnd::Queued(_)));
    if let Err(e) = end {
        booth.close();
        return Err(e);
    }
    if queued {
        // Keep sending until the queue is empty (or give up for now; it survives).
        let deadline = Instant::now() + Duration::from_secs(args.drain_secs);
        loop {
            let pending = booth.rt.block_on(booth.queue.pending_count())?;
            if pending == 0 {
                event(json!({"event": "drained"}));
                break;
            }
            if Instant::now() >= deadline {
                event(json!({"event": "left_in_queue", "pending": pending}));
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    booth.close();
    Ok(queued)
}

/// Visits back to back until SIGTERM (or SIGINT): attract screen, QR, items, payment, photo,
/// receipt, and again. The sender drains the queue all along and a health report goes to the
/// service every `--health-secs`. An error in one visit is reported and the next visit starts.
/// On SIGTERM the visit in progress ends (a person who paid is refunded unless their
/// application is already queued), the sender finishes its attempt in flight, a last health
/// report is sent and the queue is closed: every queued application stays on disk.
pub fn daemon(args: DaemonArgs) -> Result<bool> {
    // A bad answers file is a setup error: refuse to start rather than fail every visit.
    if let Some(path) = &args.visit.answers {
        Answers::load(path, today_jst())?;
    }
    let booth = Booth::open(&args.visit, true)?;
    let endpoint = args.visit.service.endpoint();
    // Signals: the flag stops the visit loop at its next frame; the watch stops the sender.
    {
        let stop = booth.stop.clone();
        let stop_tx = booth.stop_tx.clone();
        booth.rt.spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                eprintln!("cannot listen for SIGTERM/SIGINT");
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            stop.store(true, Ordering::SeqCst);
            let _ = stop_tx.send(true);
        });
    }
    // Health reports on their own thread, so a long visit never delays them.
    let health = {
        let queue = booth.queue.clone();
        let last_error = booth.last_error.clone();
        let mut stop = booth.stop_tx.subscribe();
        let handle = booth.rt.handle().clone();
        let every = Duration::from_secs(args.health_secs.max(1));
        let endpoint = endpoint.clone();
        std::thread::spawn(move || loop {
            let last = last_error.lock().ok().and_then(|e| e.clone());
            report_health(&handle, &queue, &endpoint, last);
            let stopped = handle.block_on(async {
                tokio::select! {
                    _ = tokio::time::sleep(every) => false,
                    _ = stop.wait_for(|s| *s) => true,
                }
            });
            if stopped {
                return;
            }
        })
    };

    let mut frames = booth.frames(&args.visit)?;
    let mut visits = 0u64;
    while !booth.stopping() {
        visits += 1;
        event(json!({"event": "attract", "visit": visits}));
        match booth.visit(&args.visit, &mut *frames) {
            Ok(VisitEnd::NoForm) => {
                if !booth.stopping() {
                    event(json!({"event": "frames_ended"}));
                    note_error(&booth.last_error, "the frames ended");
                }
                break;
            }
            Ok(end) => event(json!({"event": "visit_end", "visit": visits, "end": end})),
            Err(e) => {
                let message = format!("{e:#}");
                event(json!({"event": "visit_error", "visit": visits, "message": message}));
                note_error(&booth.last_error, &format!("visit: {message}"));
            }
        }
    }
    drop(frames);
    // The frames ended (a recording, a camera gone): keep sending and reporting until told
    // to stop.
    while !booth.stopping() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = health.join();
    booth.report_health(&endpoint);
    let pending = booth.rt.block_on(booth.queue.pending_count()).unwrap_or(-1);
    booth.close();
    event(json!({"event": "stopped", "pending": pending}));
    Ok(true)
}

pub fn status(args: StatusArgs) -> Result<bool> {
    // Looking must not create: a mistyped folder is reported, not made.
    if !args.data_dir.join(crate::queue::DB_FILE).exists() {
        anyhow::bail!(
            "no queue in {} (nothing was ever queued there)",
            args.data_dir.display()
        );
    }
    let rt = runtime()?;
    let queue = rt.block_on(Queue::open(&args.data_dir))?;
    let s = rt.block_on(queue.status())?;
    rt.block_on(queue.close());
    if args.json {
        println!("{}", serde_json::to_string(&s)?);
        return Ok(true);
    }
    match s.oldest_age_seconds {
        Some(age) => println!(
            "queue: {} item(s): {} pending, {} failed; oldest {}",
            s.length,
            s.pending,
            s.failed,
            human_age(age)
        ),
        None => println!("queue: empty"),
    }
    for i in &s.items {
        let next = if i.state == crate::queue::ItemState::Pending {
            format!(", next attempt in {}", human_age(i.next_attempt_in_seconds))
        } else {
            String::new()
        };
        println!(
            "  #{} form ****{} {:?} age {}, {} attempt(s){}{}",
            i.id,
            i.form_id_tail,
            i.state,
            human_age(i.age_seconds),
            i.attempts,
            next,
            i.last_error
                .as_deref()
                .map(|e| format!("; last error: {e}"))
                .unwrap_or_default()
        );
    }
    println!("sent so far: {}", s.sent_total);
    Ok(true)
}

fn human_age(s: i64) -> String {
    match s {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

/// One pass: every pending item once, now. `Ok(true)` when nothing is left pending.
pub fn send(args: SendArgs) -> Result<bool> {
    let rt = runtime()?;
    let queue = rt.block_on(Queue::open(&args.data_dir))?;
    let done = rt.block_on(async {
        let attempts = drain_once(
            &queue,
            &args.service.endpoint(),
            args.service.backoff(),
            true,
            args.include_failed,
            &print_attempt,
        )
        .await?;
        let pending = queue.pending_count().await?;
        event(json!({"event": "send_done", "attempted": attempts.len(), "pending": pending}));
        queue.close().await;
        anyhow::Ok(pending == 0)
    })?;
    Ok(done)
}
