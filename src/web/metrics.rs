//! Prometheus metrics: requests, latency, verdicts and failing rules.

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub verdicts: IntCounterVec,
    pub failing_rules: IntCounterVec,
    /// Age of the oldest accepted application not yet forwarded: the alarm for "held back".
    pub oldest_unforwarded: Gauge,
    pub review_queue: IntGauge,
    pub mail_pending: IntGauge,
    /// Per booth (label `booth`), set at scrape time from the booths' health reports.
    pub booths: BoothGauges,
}

/// Per-booth gauges: enough for an alert on a silent booth
/// (`time() - mnp_booth_last_heard_timestamp_seconds > 3600`) or one holding applications
/// (`mnp_booth_oldest_pending_seconds > 3600`), or on the service's own verdict
/// (`mnp_booth_alarm == 1`, the console's alarm age).
pub struct BoothGauges {
    pub last_heard: GaugeVec,
    pub queue_length: GaugeVec,
    pub pending: GaugeVec,
    pub failed: GaugeVec,
    pub oldest_pending: GaugeVec,
    pub alarm: GaugeVec,
}

impl BoothGauges {
    fn new(registry: &Registry) -> BoothGauges {
        let g = |name: &str, help: &str| {
            let v = GaugeVec::new(Opts::new(name, help), &["booth"]).expect("valid metric");
            registry
                .register(Box::new(v.clone()))
                .expect("unique metric");
            v
        };
        BoothGauges {
            last_heard: g(
                "mnp_booth_last_heard_timestamp_seconds",
                "When the booth last reported its health (Unix seconds)",
            ),
            queue_length: g(
                "mnp_booth_queue_length",
                "Applications in the booth's queue (pending and refused), as last reported",
            ),
            pending: g(
                "mnp_booth_pending",
                "Applications the booth has not yet sent, as last reported",
            ),
            failed: g(
                "mnp_booth_failed",
                "Applications the service refused that wait at the booth for a person",
            ),
            oldest_pending: g(
                "mnp_booth_oldest_pending_seconds",
                "Age of the booth's oldest unsent application (0 when none), growing while silent",
            ),
            alarm: g(
                "mnp_booth_alarm",
                "1 when the booth is silent, holds an application or a refused one beyond the alarm age",
            ),
        }
    }
}

impl Metrics {
    /// Replaces the per-booth gauges: booths revoked or never heard from are left out.
    pub fn set_booths(&self, booths: &[crate::web::booths::BoothStatus]) {
        let b = &self.booths;
        for v in [
            &b.last_heard,
            &b.queue_length,
            &b.pending,
            &b.failed,
            &b.oldest_pending,
            &b.alarm,
        ] {
            v.reset();
        }
        for s in booths.iter().filter(|s| !s.revoked) {
            let Some(heard) = s.last_heard else { continue };
            let l = &[s.name.as_str()];
            b.last_heard.with_label_values(l).set(heard as f64 / 1000.0);
            b.queue_length
                .with_label_values(l)
                .set(s.queue_length as f64);
            b.pending.with_label_values(l).set(s.pending as f64);
            b.failed.with_label_values(l).set(s.failed as f64);
            b.oldest_pending
                .with_label_values(l)
                .set(s.oldest_pending_age_seconds.unwrap_or(0) as f64);
            b.alarm
                .with_label_values(l)
                .set(if s.alarms.is_empty() { 0.0 } else { 1.0 });
        }
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "mnp_http_requests_total",
                "HTTP requests by endpoint and status",
            ),
            &["endpoint", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("mnp_vet_seconds", "Time to vet one photo, by endpoint").buckets(
                vec![
                    0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["endpoint"],
        )
        .expect("valid metric");
        let verdicts = IntCounterVec::new(
            Opts::new("mnp_verdicts_total", "Verdicts given"),
            &["verdict"],
        )
        .expect("valid metric");
        let failing_rules = IntCounterVec::new(
            Opts::new(
                "mnp_rule_findings_total",
                "Rules reported failing or warning",
            ),
            &["rule", "status"],
        )
        .expect("valid metric");
        let oldest_unforwarded = Gauge::new(
            "mnp_oldest_unforwarded_seconds",
            "Age of the oldest accepted, complete application not yet forwarded to the issuer",
        )
        .expect("valid metric");
        let review_queue = IntGauge::new(
            "mnp_review_queue_length",
            "Applications waiting for a reviewer",
        )
        .expect("valid metric");
        let mail_pending =
            IntGauge::new("mnp_mail_pending", "Mails not yet sent").expect("valid metric");
        registry
            .register(Box::new(oldest_unforwarded.clone()))
            .expect("unique metric");
        for g in [&review_queue, &mail_pending] {
            registry
                .register(Box::new(g.clone()))
                .expect("unique metric");
        }
        for c in [&requests, &verdicts, &failing_rules] {
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
        }
        registry
            .register(Box::new(latency.clone()))
            .expect("unique metric");
        let booths = BoothGauges::new(&registry);
        Metrics {
            booths,
            registry,
            requests,
            latency,
            verdicts,
            failing_rules,
            oldest_unforwarded,
            review_queue,
            mail_pending,
        }
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
