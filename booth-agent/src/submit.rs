//! Sending queued applications to the service: one multipart request per application, with
//! the booth's token and the item's Idempotency-Key, and what to do with each kind of answer.
//!
//! 2xx: acknowledged, the item leaves the queue. 408, 429, 5xx and network errors: transient,
//! retried with exponential backoff and full jitter (never sooner than a Retry-After). Any
//! other 4xx: permanent, the item stays in the queue marked failed.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{watch, Notify};

use crate::queue::{now_ms, Item, Queue, QueueError};

/// Where and as whom to send.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// e.g. `http://127.0.0.1:8080`, without a trailing slash.
    pub base: String,
    pub token: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base_ms: 2_000,
            max_ms: 300_000,
        }
    }
}

impl Backoff {
    /// Delay before attempt `attempts + 1`: full jitter over an exponentially growing window,
    /// so many booths coming back online at once do not retry in lockstep; at least half the
    /// window, so a retry is never immediate.
    pub fn delay_ms(&self, attempts: u32, retry_after_ms: Option<u64>) -> u64 {
        let window = self
            .base_ms
            .saturating_mul(1u64 << attempts.min(20))
            .min(self.max_ms)
            .max(1);
        let jittered = window / 2 + random_u64() % (window / 2 + 1);
        jittered.max(retry_after_ms.unwrap_or(0))
    }
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // Without randomness the delay is merely not jittered: still a correct retry.
    let _ = getrandom::fill(&mut b);
    u64::from_le_bytes(b)
}

/// The answer to one attempt.
#[derive(Debug, Clone)]
pub enum Outcome {
    Acknowledged {
        status: u16,
        replayed: bool,
        body: Value,
    },
    Transient {
        reason: String,
        retry_after_ms: Option<u64>,
    },
    Permanent {
        status: u16,
        reason: String,
    },
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        // The service vets the photo before answering: allow for a busy server.
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

const BOUNDARY: &str = "booth-agent-7f1c2e9a4b";

fn multipart(item: &Item) -> Vec<u8> {
    let a = &item.app;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut fields = vec![
        ("form_id", a.form_id.as_str()),
        ("date_of_birth", a.date_of_birth.as_str()),
        ("certificates", yes_no(a.certificates)),
        ("braille", yes_no(a.braille)),
    ];
    if let Some(r) = &a.exception_reason {
        fields.push(("exception_reason", r.as_str()));
    }
    let mut body = Vec::with_capacity(a.photo.as_ref().map_or(0, Vec::len) + 1024);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(photo) = &a.photo {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(photo);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// One attempt, blocking.
pub fn send_once(endpoint: &Endpoint, item: &Item) -> Outcome {
    let url = format!(
        "{}/api/v1/applications",
        endpoint.base.trim_end_matches('/')
    );
    let result = agent()
        .post(&url)
        .header("Authorization", &format!("Bearer {}", endpoint.token))
        .header("Idempotency-Key", &item.key)
        .header(
            "Content-Type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .send(&multipart(item)[..]);
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Transient {
                reason: format!("network: {e}"),
                retry_after_ms: None,
            }
        }
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let replayed = header("Idempotent-Replayed").is_some_and(|v| v == "true");
    let retry_after_ms = header("Retry-After")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.saturating_mul(1000));
    let mut text = String::new();
    if let Err(e) = resp
        .body_mut()
        .as_reader()
        .take(1 << 20)
        .read_to_string(&mut text)
    {
        // The request was answered but the answer was lost: the key makes a retry safe.
        return Outcome::Transient {
            reason: format!("reading the answer ({status}): {e}"),
            retry_after_ms: None,
        };
    }
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match status {
        200..=299 => Outcome::Acknowledged {
            status,
            replayed,
            body,
        },
        408 | 429 | 500..=599 => Outcome::Transient {
            reason: format!("HTTP {status}{}", error_code(&body)),
            retry_after_ms,
        },
        _ => Outcome::Permanent {
            status,
            reason: format!("HTTP {status}{}", error_code(&body)),
        },
    }
}

fn error_code(body: &Value) -> String {
    match body["error"]["code"].as_str() {
        Some(c) => format!(" {c}"),
        None => String::new(),
    }
}

/// What happened to one item in a pass, for logs and tests.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Attempt {
    /// The queue item.
    pub id: i64,
    pub form_id_tail: String,
    pub result: &'static str,
    pub detail: String,
    pub attempts: u32,
    pub retry_in_ms: Option<u64>,
}

/// Sends one item and records the outcome in the queue.
pub async fn attempt(
    queue: &Queue,
    endpoint: &Endpoint,
    backoff: Backoff,
    item: Item,
) -> Result<Attempt, QueueError> {
    let ep = endpoint.clone();
    let sent = item.clone();
    let outcome = tokio::task::spawn_blocking(move || send_once(&ep, &sent))
        .await
        .unwrap_or_else(|e| Outcome::Transient {
            reason: format!("sender task: {e}"),
            retry_after_ms: None,
        });
    let attempts = item.attempts + 1;
    let tail = item.form_id_tail();
    Ok(match outcome {
        Outcome::Acknowledged {
            status,
            replayed,
            body,
        } => {
            fault_point("after_response");
            queue
                .acknowledge(&item, status, body["application_id"].as_str())
                .await?;
            Attempt {
                id: item.id,
                form_id_tail: tail,
                result: "acknowledged",
                detail: format!("HTTP {status}{}", if replayed { " (replayed)" } else { "" }),
                attempts,
                retry_in_ms: None,
            }
        }
        Outcome::Transient {
            reason,
            retry_after_ms,
        } => {
            let delay = backoff.delay_ms(item.attempts, retry_after_ms);
            queue
                .retry_later(&item, now_ms() + delay as i64, &reason)
                .await?;
            Attempt {
                id: item.id,
                form_id_tail: tail,
                result: "transient",
                detail: reason,
                attempts,
                retry_in_ms: Some(delay),
            }
        }
        Outcome::Permanent { reason, .. } => {
            queue.mark_failed(&item, &reason).await?;
            Attempt {
                id: item.id,
                form_id_tail: tail,
                result: "failed",
                detail: reason,
                attempts,
                retry_in_ms: None,
            }
        }
    })
}

/// Fault injection for the crash tests: `BOOTH_AGENT_FAULT=after_response` makes the process
/// die after the service answered and before the queue recorded it, the worst moment for a
/// crash (the application arrived; the booth does not know).
fn fault_point(name: &str) {
    if std::env::var("BOOTH_AGENT_FAULT").is_ok_and(|v| v == name) {
        eprintln!("fault injected: exiting at {name}");
        std::process::exit(99);
    }
}

/// One pass over the queue: every due item once (every pending item with `ignore_schedule`).
pub async fn drain_once(
    queue: &Queue,
    endpoint: &Endpoint,
    backoff: Backoff,
    ignore_schedule: bool,
    include_failed: bool,
    report: &(dyn Fn(&Attempt) + Send + Sync),
) -> Result<Vec<Attempt>, QueueError> {
    let mut out = Vec::new();
    for item in queue.due(now_ms(), ignore_schedule, include_failed).await? {
        let a = attempt(queue, endpoint, backoff, item).await?;
        report(&a);
        out.push(a);
    }
    Ok(out)
}

/// The background sender: drains due items, then sleeps until the next one is due, something
/// new is enqueued (`wake`) or `stop` turns true. On stop it returns after the attempt in
/// flight has been recorded, so the queue is never closed under it and nothing is lost (an
/// item not attempted stays pending; one whose answer was lost is replayed by its key).
///
/// `before_retry` (blocking) runs before a pass that retries after a transient failure: the
/// daemon sends its health report there, so when the service comes back it hears first what
/// the booth holds, then receives it.
pub async fn run_sender(
    queue: Queue,
    endpoint: Endpoint,
    backoff: Backoff,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
    report: Arc<dyn Fn(&Attempt) + Send + Sync>,
    before_retry: Option<Arc<dyn Fn() + Send + Sync>>,
) {
    let mut retrying = false;
    loop {
        match queue.due(now_ms(), false, false).await {
            Ok(items) => {
                if let (true, false, Some(hook)) = (retrying, items.is_empty(), &before_retry) {
                    let hook = hook.clone();
                    let _ = tokio::task::spawn_blocking(move || hook()).await;
                }
                for item in items {
                    if *stop.borrow() {
                        return;
                    }
                    match attempt(&queue, &endpoint, backoff, item).await {
                        Ok(a) => {
                            retrying = a.result == "transient";
                            report(&a);
                        }
                        Err(e) => eprintln!("sender: {e}"),
                    }
                }
            }
            Err(e) => eprintln!("sender: {e}"),
        }
        if *stop.borrow() {
            return;
        }
        let sleep_ms = match queue.next_due().await {
            Ok(Some(at)) => (at - now_ms()).clamp(10, 60_000) as u64,
            Ok(None) => 60_000,
            Err(e) => {
                eprintln!("sender: {e}");
                5_000
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(sleep_ms)) => {}
            _ = wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

/// What a booth tells the service about itself (`POST /api/v1/booth/health`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HealthReport {
    pub version: String,
    /// Items in the booth's queue, pending and failed.
    pub queue_length: i64,
    pub pending: i64,
    pub failed: i64,
    /// Age of the oldest item still to be sent (pending), seconds.
    pub oldest_pending_age_seconds: Option<i64>,
    pub last_error: Option<String>,
}

impl HealthReport {
    pub fn from_status(s: &crate::queue::QueueStatus, last_error: Option<String>) -> HealthReport {
        HealthReport {
            version: env!("CARGO_PKG_VERSION").to_string(),
            queue_length: s.length as i64,
            pending: s.pending as i64,
            failed: s.failed as i64,
            oldest_pending_age_seconds: s
                .items
                .iter()
                .filter(|i| i.state == crate::queue::ItemState::Pending)
                .map(|i| i.age_seconds)
                .max(),
            last_error,
        }
    }
}

/// Sends one health report, blocking. `Ok(status)` when the service answered.
pub fn send_health(endpoint: &Endpoint, report: &HealthReport) -> Result<u16, String> {
    let url = format!(
        "{}/api/v1/booth/health",
        endpoint.base.trim_end_matches('/')
    );
    let body = serde_json::to_vec(report).map_err(|e| e.to_string())?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    agent
        .post(&url)
        .header("Authorization", &format!("Bearer {}", endpoint.token))
        .header("Content-Type", "application/json")
        .send(&body[..])
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("network: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let b = Backoff {
            base_ms: 1000,
            max_ms: 8000,
        };
        for _ in 0..50 {
            let d0 = b.delay_ms(0, None);
            assert!((500..=1000).contains(&d0), "{d0}");
            let d2 = b.delay_ms(2, None);
            assert!((2000..=4000).contains(&d2), "{d2}");
            let d9 = b.delay_ms(9, None);
            assert!((4000..=8000).contains(&d9), "{d9}");
            assert!(b.delay_ms(0, Some(30_000)) >= 30_000);
        }
    }
}
