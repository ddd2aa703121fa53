//! The booth's commands: `run` (one person's session, then sending), `status` and `send`.
//!
//! `run`: frames until the form's QR code is read, the items (answers file), payment (the
//! simulated coin acceptor), guidance and capture, then the application goes into the durable
//! queue and a background sender delivers it. The person's receipt says "sent" when the
//! service acknowledged within a few seconds, "will be sent" otherwise. Everything the session
//! does is printed as one JSON line per event on stdout (tests and the kiosk read them),
//! with the receipt also as text in Japanese and English.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use mynumber_photo::application::eligibility;
use mynumber_photo::vetting::{Profile, VetContext, Vetter};
use serde_json::json;
use tokio::sync::{mpsc, Notify};

use crate::answers::{AfterRetakes, Answers};
use crate::camera::{ColourFolder, ColourPrefetch};
use crate::frames::FrameSource;
use crate::guidance::{best, Guide, GuideEvent, GuideOutcome};
use crate::kiosk;
use crate::payment::{PaymentDevice, SimulatedCoinAcceptor};
use crate::qr::{self, QrError};
use crate::queue::{tail, Application, Queue};
use crate::receipt::{Delivery, Receipt};
use crate::submit::{drain_once, run_sender, Attempt, Backoff, Endpoint};

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
    fn endpoint(&self) -> Endpoint {
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

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Folder of frames (PNG/JPEG, in name order) standing in for the camera.
    #[arg(long, required_unless_present = "camera", conflicts_with = "camera")]
    pub frames: Option<PathBuf>,
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
    /// The person's answers (TOML; see `answers.rs`), for unattended runs.
    #[arg(long, required_unless_present = "kiosk", conflicts_with = "kiosk")]
    pub answers: Option<PathBuf>,
    /// Ask on the touch panel instead: serve the kiosk page on this loopback address
    /// (e.g. 127.0.0.1:8700) once the form's QR code is read.
    #[arg(long)]
    pub kiosk: Option<std::net::SocketAddr>,
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
    #[arg(long, env = "MNP_MODELS", default_value = "models")]
    pub models: PathBuf,
    /// The booth's fee in yen.
    #[arg(long, default_value_t = 800)]
    pub fee: u32,
    #[arg(long, default_value_t = 3)]
    pub max_retakes: u32,
    /// After a rejected capture, wait this long before capturing again (the person needs a
    /// moment to follow the instruction). Default: 3000 with --camera, 0 with --frames.
    #[arg(long)]
    pub retake_pause_ms: Option<u64>,
    /// How long the receipt waits for the service's acknowledgement before saying "will be
    /// sent".
    #[arg(long, default_value_t = 15)]
    pub receipt_wait_secs: u64,
    /// After the session, keep sending until the queue is empty or this many seconds pass
    /// (a real booth runs the sender for good; the queue survives exit either way).
    #[arg(long, default_value_t = 600)]
    pub drain_secs: u64,
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

fn event(v: serde_json::Value) {
    println!("{v}");
}

fn print_attempt(a: &Attempt) {
    event(json!({"event": "attempt", "attempt": a}));
}

fn today_jst() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// `Ok(true)`: the application is in the queue (sent or to be sent); `Ok(false)`: the session
/// ended without one (no form read, payment failed, the person cancelled).
pub fn run(args: RunArgs) -> Result<bool> {
    let rt = runtime()?;
    let queue = rt.block_on(Queue::open(&args.data_dir))?;
    let today = today_jst();
    let file_answers = match &args.answers {
        Some(path) => Some(Answers::load(path, today)?),
        None => None,
    };
    let vetter = Vetter::load(&args.models, Profile::default())
        .with_context(|| format!("cannot load the models from {}", args.models.display()))?;

    // The sender starts at once: anything left from before a restart goes out during the
    // session. It is the only sender, so an item is never in flight twice.
    let wake = Arc::new(Notify::new());
    let (tx, mut attempts) = mpsc::unbounded_channel::<Attempt>();
    let report: Arc<dyn Fn(&Attempt) + Send + Sync> = Arc::new(move |a: &Attempt| {
        print_attempt(a);
        let _ = tx.send(a.clone());
    });
    let sender = rt.spawn(run_sender(
        queue.clone(),
        args.service.endpoint(),
        args.service.backoff(),
        wake.clone(),
        report,
    ));

    let mut frames: Box<dyn FrameSource<image::RgbImage>> = match (&args.frames, &args.camera) {
        (Some(dir), _) => Box::new(ColourPrefetch::new(ColourFolder::open(dir)?)),
        (None, Some(dev)) => Box::new(crate::v4l2::V4l2Source::open(
            dev,
            args.camera_width,
            args.camera_height,
            args.camera_format,
        )?),
        (None, None) => anyhow::bail!("give --frames DIR or --camera /dev/videoN"),
    };

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
        return Ok(false);
    };

    // The items: from the file, or from the person on the touch panel.
    let answers = match (file_answers, args.kiosk) {
        (Some(a), _) => a,
        (None, Some(addr)) => {
            // The page is for the booth's own browser, never for the network.
            if !addr.ip().is_loopback() {
                anyhow::bail!("--kiosk must be a loopback address (127.0.0.1:PORT), not {addr}");
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
            event(json!({"event": "payment_failed", "en": e.to_string(), "ja": e.message_ja()}));
            return Ok(false);
        }
    };

    // 3. The photo, unless the applicant is under one (no photo since 2024-12-02).
    let dob = answers.date_of_birth;
    let photo_required = eligibility(dob.date(), today, false)
        .map(|e| e.photo_required)
        .unwrap_or(true);
    let mut verdict = None;
    let photo = if photo_required {
        let guide = Guide {
            vetter: &vetter,
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
        };
        let outcome = guide.run(&mut *frames, &mut |e: &GuideEvent| {
            if let Ok(v) = serde_json::to_value(e) {
                event(v);
            }
        })?;
        let chosen = match outcome {
            GuideOutcome::Accepted(c) => Some(c),
            GuideOutcome::PersonChooses(captures) => {
                let choice = if captures.is_empty() {
                    AfterRetakes::Cancel
                } else {
                    answers.after_retakes
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
            event(
                json!({"event": "cancelled", "refund_yen": paid.inserted_yen - paid.change_yen,
                "en": "Cancelled: nothing was sent and the fee was refunded.",
                "ja": "取り消しました。申請は送信されず、料金は返金しました。"}),
            );
            return Ok(false);
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
    let item = rt.block_on(queue.enqueue(&app))?;
    event(json!({"event": "queued", "form_id_tail": item.form_id_tail()}));
    wake.notify_one();
    let delivery = rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(args.receipt_wait_secs);
        loop {
            match tokio::time::timeout_at(deadline, attempts.recv()).await {
                Ok(Some(a)) if a.id == item.id => {
                    break if a.result == "acknowledged" {
                        Delivery::Sent
                    } else {
                        Delivery::WillBeSent
                    };
                }
                Ok(Some(_)) => continue,
                _ => break Delivery::WillBeSent,
            }
        }
    });
    // Nobody waits for attempts any more: stop collecting them.
    drop(attempts);
    let mut receipt = Receipt::new(item.form_id_tail(), delivery);
    receipt.paid_yen = paid.price_yen;
    receipt.photo_verdict = verdict;
    println!("{}", receipt.json_line());
    println!("{}", receipt.text());

    // 5. Keep sending until the queue is empty (or give up for now; it survives).
    let deadline = Instant::now() + Duration::from_secs(args.drain_secs);
    loop {
        let pending = rt.block_on(queue.pending_count())?;
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
    sender.abort();
    rt.block_on(queue.close());
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
