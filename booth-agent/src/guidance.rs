//! Guidance while framing, capture, and the retake path.
//!
//! Every frame gets the live pre-check ([`Vetter::precheck`]); the person sees one
//! instruction at a time, shown again only when it changes. The first frame the pre-check
//! calls ready is captured and vetted in full (background, light, glasses... which the
//! pre-check cannot see). A rejected capture is a retake; after `max_retakes` retakes, or when
//! the frames run out, the person chooses between the best capture and cancelling.

use image::RgbImage;
use mynumber_photo::vetting::messages::Message;
use mynumber_photo::vetting::{Status, Verdict, VetContext, VetError, Vetter};
use serde::Serialize;
use thiserror::Error;

use crate::camera::ColourFrame;
use crate::frames::FrameSource;

#[derive(Debug, Error)]
pub enum GuideError {
    #[error("vetting: {0}")]
    Vet(#[from] VetError),
    #[error("cannot encode the captured frame: {0}")]
    Encode(#[from] image::ImageError),
}

/// A captured and fully vetted photo.
#[derive(Debug, Clone, Serialize)]
pub struct Capture {
    pub attempt: u32,
    pub frame: String,
    pub verdict: Verdict,
    /// Failing rules of the full vet.
    pub failing: Vec<String>,
    /// What to change for the next attempt, from the first failing finding.
    pub instruction: Option<Message>,
    #[serde(skip)]
    pub jpeg: Vec<u8>,
}

impl Capture {
    /// Lower is better: an accepted photo, then one a person reviews, then the fewest
    /// failures.
    fn rank(&self) -> (u8, usize) {
        let v = match self.verdict {
            Verdict::Accept => 0,
            Verdict::Review => 1,
            Verdict::Reject => 2,
        };
        (v, self.failing.len())
    }
}

/// What the person sees and the log records, one at a time.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GuideEvent {
    Instruction {
        frame: String,
        rule: String,
        en: String,
        ja: String,
        /// The message's catalogue key (`F5.too_close`), for screens in other languages.
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        precheck_ms: f64,
    },
    Ready {
        frame: String,
        precheck_ms: f64,
    },
    /// The pre-check is ready and the capture comes when the countdown ends, if the person
    /// stays ready; shown once per second left.
    Countdown {
        frame: String,
        seconds_left: u64,
    },
    Captured(Capture),
    FrameError {
        message: String,
    },
}

#[derive(Debug)]
pub enum GuideOutcome {
    /// The full vet accepted it, or sends it to a person (the booth cannot do better).
    Accepted(Capture),
    /// The retakes ran out (or the frames did) with only rejected captures: the person
    /// chooses. Empty when nothing was ever captured.
    PersonChooses(Vec<Capture>),
}

/// The best of several captures.
pub fn best(captures: Vec<Capture>) -> Option<Capture> {
    captures.into_iter().min_by_key(Capture::rank)
}

pub fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95).encode_image(image)?;
    Ok(out)
}

pub struct Guide<'a> {
    pub vetter: &'a Vetter,
    pub context: VetContext,
    pub max_retakes: u32,
    /// After a rejected capture, frames keep being pre-checked and instructions shown, but
    /// nothing is captured for this long: a live camera would otherwise capture the same pose
    /// again before the person could react. Zero for recorded frames.
    pub retake_pause: std::time::Duration,
    /// How long the person must stay ready before the capture (a live screen shows the count).
    /// Zero: the first ready frame is captured.
    pub countdown: std::time::Duration,
}

impl Guide<'_> {
    /// Vets a captured frame in full, as the service will.
    pub fn capture(&self, frame: &ColourFrame, attempt: u32) -> Result<Capture, GuideError> {
        let jpeg = encode_jpeg(&frame.image)?;
        let vetted = self.vetter.vet(&jpeg, &self.context)?;
        let report = vetted.report;
        let failing: Vec<&mynumber_photo::vetting::Finding> = report
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail && !f.waived)
            .collect();
        Ok(Capture {
            attempt,
            frame: frame.name.clone(),
            verdict: report.verdict,
            failing: failing.iter().map(|f| f.rule.clone()).collect(),
            instruction: failing.first().map(|f| f.message.clone()),
            jpeg,
        })
    }

    pub fn run(
        &self,
        frames: &mut dyn FrameSource<image::RgbImage>,
        on_event: &mut dyn FnMut(&GuideEvent),
    ) -> Result<GuideOutcome, GuideError> {
        let mut captures: Vec<Capture> = Vec::new();
        let mut shown: Option<String> = None;
        let mut hold_until = std::time::Instant::now();
        // When the person first became ready (the countdown's start), and the last count shown.
        let mut ready_since: Option<(std::time::Instant, u64)> = None;
        while let Some(frame) = frames.next_frame() {
            let frame = match frame {
                Ok(f) => f,
                Err(e) => {
                    on_event(&GuideEvent::FrameError {
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let pre = self
                .vetter
                .precheck(&frame.image)
                .map_err(|e| GuideError::Vet(e.into()))?;
            let Some(instruction) = pre.instruction.filter(|_| !pre.ready) else {
                if std::time::Instant::now() < hold_until {
                    continue;
                }
                if !self.countdown.is_zero() {
                    let now = std::time::Instant::now();
                    let (since, shown_left) = *ready_since.get_or_insert((now, u64::MAX));
                    let left = self.countdown.saturating_sub(now - since);
                    if !left.is_zero() {
                        let secs = left.as_secs_f64().ceil() as u64;
                        if secs != shown_left {
                            on_event(&GuideEvent::Countdown {
                                frame: frame.name.clone(),
                                seconds_left: secs,
                            });
                            ready_since = Some((since, secs));
                        }
                        continue;
                    }
                }
                ready_since = None;
                on_event(&GuideEvent::Ready {
                    frame: frame.name.clone(),
                    precheck_ms: pre.ms,
                });
                let capture = self.capture(&frame, captures.len() as u32 + 1)?;
                on_event(&GuideEvent::Captured(capture.clone()));
                if capture.verdict != Verdict::Reject {
                    return Ok(GuideOutcome::Accepted(capture));
                }
                shown = None;
                hold_until = std::time::Instant::now() + self.retake_pause;
                captures.push(capture);
                if captures.len() as u32 > self.max_retakes {
                    return Ok(GuideOutcome::PersonChooses(captures));
                }
                continue;
            };
            // Not ready any more: the countdown starts again next time.
            ready_since = None;
            // One instruction at a time, and only when it changes.
            let key = format!("{}:{}", instruction.rule, instruction.message.en);
            if shown.as_deref() != Some(&key) {
                on_event(&GuideEvent::Instruction {
                    frame: frame.name.clone(),
                    rule: instruction.rule.clone(),
                    en: instruction.message.en.clone(),
                    ja: instruction.message.ja.clone(),
                    key: instruction.message.key.clone(),
                    precheck_ms: pre.ms,
                });
                shown = Some(key);
            }
        }
        Ok(GuideOutcome::PersonChooses(captures))
    }
}
