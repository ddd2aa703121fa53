//! Prometheus metrics: requests, latency, verdicts and failing rules.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub verdicts: IntCounterVec,
    pub failing_rules: IntCounterVec,
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
