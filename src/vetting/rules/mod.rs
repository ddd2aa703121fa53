//! One module per rule family; each has one entry point that reads the shared `Face` and
//! `Scene` and returns findings. Thresholds come from the profile only.

pub mod appearance;
pub mod background;
pub mod expression;
pub mod file;
pub mod geometry;
pub mod pose;
pub mod presence;
pub mod quality;

use serde_json::{json, Value};

use super::messages::msg;
use super::report::{Finding, Status};

/// A finding whose message comes from the catalogue under `key`.
pub fn finding(
    rule: &str,
    status: Status,
    measured: Value,
    threshold: Value,
    key: &str,
) -> Finding {
    Finding::new(rule, status, measured, threshold, msg(key))
}

/// A rule the engine could not judge on this photo: said so, never a silent pass.
pub fn not_assessed(rule: &str, why_key: &str) -> Finding {
    finding(
        rule,
        Status::NotApplicable,
        Value::Null,
        Value::Null,
        why_key,
    )
}

/// Rounds for reports (3 significant decimals are plenty for a reviewer).
pub fn r3(v: f32) -> Value {
    json!((v as f64 * 1000.0).round() / 1000.0)
}

/// Rules a declared exception may waive (spec: never F4, F5, P12, P13).
pub const WAIVABLE: [&str; 7] = ["P2", "P8", "P9", "P16", "P17", "P19", "P20"];
/// Rules relaxed for infants (spec section 2, infant column): a failure becomes a warning.
pub const INFANT_RELAXED: [&str; 3] = ["P3", "P9", "P10"];

pub fn apply_exceptions(findings: &mut [Finding], exception: bool, infant: bool) {
    for f in findings.iter_mut() {
        if f.status != Status::Fail && f.status != Status::Warn {
            continue;
        }
        if exception && WAIVABLE.contains(&f.rule.as_str()) {
            f.waived = true;
        } else if infant && f.status == Status::Fail && INFANT_RELAXED.contains(&f.rule.as_str()) {
            f.status = Status::Warn;
        }
    }
}

/// Report order: F rules, then P rules, by number.
pub fn sort(findings: &mut [Finding]) {
    fn key(rule: &str) -> (u8, u32) {
        let (family, n) = rule.split_at(1);
        let fam = match family {
            "F" => 0,
            "P" => 1,
            _ => 2,
        };
        (fam, n.parse().unwrap_or(0))
    }
    findings.sort_by_key(|f| key(&f.rule));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vetting::report::{decide, Verdict};

    fn f(rule: &str, status: Status) -> Finding {
        finding(rule, status, Value::Null, Value::Null, "P1.ok")
    }

    #[test]
    fn an_exception_waives_only_the_listed_rules_and_sends_to_review() {
        let mut v = vec![
            f("P9", Status::Fail),
            f("P17", Status::Warn),
            f("P2", Status::Pass),
        ];
        apply_exceptions(&mut v, true, false);
        assert!(v[0].waived && v[1].waived && !v[2].waived);
        assert_eq!(decide(&v, true), Verdict::Review);

        // Never F4, F5, P12, P13.
        let mut v = vec![
            f("P12", Status::Fail),
            f("F4", Status::Fail),
            f("P9", Status::Fail),
        ];
        apply_exceptions(&mut v, true, false);
        assert!(!v[0].waived && !v[1].waived && v[2].waived);
        assert_eq!(decide(&v, true), Verdict::Reject);
    }

    #[test]
    fn infants_get_warnings_instead_of_failures_on_relaxed_rules() {
        let mut v = vec![f("P9", Status::Fail), f("P12", Status::Fail)];
        apply_exceptions(&mut v, false, true);
        assert_eq!(v[0].status, Status::Warn);
        assert_eq!(v[1].status, Status::Fail);
    }

    #[test]
    fn findings_sort_by_family_then_number() {
        let mut v = vec![
            f("P10", Status::Pass),
            f("F3", Status::Pass),
            f("P2", Status::Pass),
        ];
        sort(&mut v);
        let order: Vec<&str> = v.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(order, ["F3", "P2", "P10"]);
    }
}
