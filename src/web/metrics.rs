//! Prometheus metrics: requests, latency, verdicts and failing rules.

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry,
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
        Metrics {
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
