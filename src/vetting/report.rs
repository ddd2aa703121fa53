//! The report: the contract the CLI, the API and the application flow share.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::messages::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    NotApplicable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accept,
    Reject,
    Review,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Reject => "reject",
            Verdict::Review => "review",
        }
    }
}

/// One rule's outcome: what was measured, against what, and what to do about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub status: Status,
    pub measured: Value,
    pub threshold: Value,
    pub message: Message,
    /// A warning the profile marks as informational does not send the photo to review.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub informational: bool,
    /// The rule failed or warned but a declared exception waives it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub waived: bool,
}

impl Finding {
    pub fn new(
        rule: &str,
        status: Status,
        measured: Value,
        threshold: Value,
        message: Message,
    ) -> Self {
        Finding {
            rule: rule.to_string(),
            status,
            measured,
            threshold,
            message,
            informational: false,
            waived: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Landmarks {
    /// Eye centres, the eye on the image's left first.
    pub eyes: [[f32; 2]; 2],
    pub chin: [f32; 2],
    pub crown: [f32; 2],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaceInfo {
    /// x, y, w, h in source pixels after orientation.
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    pub score: f32,
    pub landmarks: Landmarks,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CropRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timings {
    pub decode: f64,
    pub detect: f64,
    pub landmarks: f64,
    pub segment: f64,
    pub checks: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub face: Option<FaceInfo>,
    pub crop: Option<CropRect>,
    pub timings_ms: Timings,
}

impl Report {
    pub fn finding(&self, rule: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == rule)
    }

    /// Rules reported as failing or warning (what a person must look at), in report order.
    pub fn flagged_rules(&self) -> Vec<&str> {
        self.findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
            .map(|f| f.rule.as_str())
            .collect()
    }
}

/// Accept only when nothing fails and every warning is informational; an unwaived failure
/// rejects; anything else (a warning, a waived failure, a declared exception) goes to a person.
pub fn decide(findings: &[Finding], exception_declared: bool) -> Verdict {
    let failing = findings
        .iter()
        .any(|f| f.status == Status::Fail && !f.waived);
    if failing {
        return Verdict::Reject;
    }
    let needs_person = exception_declared
        || findings.iter().any(|f| {
            (f.status == Status::Warn && !f.informational) || (f.status == Status::Fail && f.waived)
        });
    if needs_person {
        Verdict::Review
    } else {
        Verdict::Accept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(status: Status) -> Finding {
        Finding::new("P1", status, json!(1), json!(1), Message::new("x", "x"))
    }

    #[test]
    fn verdict_rules() {
        assert_eq!(decide(&[f(Status::Pass)], false), Verdict::Accept);
        assert_eq!(
            decide(&[f(Status::Pass), f(Status::Fail)], false),
            Verdict::Reject
        );
        assert_eq!(decide(&[f(Status::Warn)], false), Verdict::Review);
        let mut info = f(Status::Warn);
        info.informational = true;
        assert_eq!(decide(&[info], false), Verdict::Accept);
        let mut waived = f(Status::Fail);
        waived.waived = true;
        assert_eq!(decide(&[waived], false), Verdict::Review);
        assert_eq!(decide(&[f(Status::Pass)], true), Verdict::Review);
    }
}
