//! A fixed-window limit per client and purpose (status lookups, sign-ins), in memory: enough
//! to stop enumeration from one address; a deployment behind several instances would keep the
//! counters in a shared store.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_window: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            per_window: per_window.max(1),
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `client`; false when over the limit.
    pub fn allow(&self, client: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(client.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_client_and_window() {
        let rl = RateLimiter::new(3, Duration::from_millis(200));
        assert!((0..3).all(|_| rl.allow("a")));
        assert!(!rl.allow("a"));
        assert!(rl.allow("b"));
        std::thread::sleep(Duration::from_millis(220));
        assert!(rl.allow("a"));
    }
}
