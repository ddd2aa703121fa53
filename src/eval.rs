//! `eval`: runs the engine over a labelled folder (the labels.tsv format of the dev photos) and
//! scores it: accepted share of compliant photos, caught share of the others, the expected
//! rules named, and landmark errors against hand-placed `.tem` points when present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::vetting::pixels::dist;
use crate::vetting::{Report, Status, Verdict, VetContext, Vetter};

#[derive(Debug, Clone)]
pub struct Label {
    pub file: String,
    pub expected: Expected,
    pub failing_rules: Vec<String>,
    pub source_kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    Accept,
    Reject,
    Either,
}

pub fn read_labels(path: &Path) -> Result<Vec<Label>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .context("labels file is empty")?
        .split('\t')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("labels file has no '{name}' column"))
    };
    let (cf, ce, cr, ck) = (
        col("file")?,
        col("expected")?,
        col("failing_rules")?,
        col("source_kind").unwrap_or(usize::MAX),
    );
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| cells.get(i).copied().unwrap_or("").trim();
        let expected = match get(ce) {
            "accept" => Expected::Accept,
            "reject" => Expected::Reject,
            "either" => Expected::Either,
            other => bail!(
                "line {}: expected must be accept, reject or either, not '{other}'",
                n + 2
            ),
        };
        out.push(Label {
            file: get(cf).to_string(),
            expected,
            failing_rules: get(cr)
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            source_kind: get(ck).to_string(),
        });
    }
    Ok(out)
}

/// Points of a `.tem` file (line 1: count, then "x y" lines).
pub fn read_tem(path: &Path) -> Option<Vec<[f32; 2]>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let n: usize = lines.next()?.trim().parse().ok()?;
    let pts: Vec<[f32; 2]> = lines
        .take(n)
        .filter_map(|l| {
            let mut it = l.split_whitespace().map(|v| v.parse::<f32>());
            Some([it.next()?.ok()?, it.next()?.ok()?])
        })
        .collect();
    (pts.len() == n).then_some(pts)
}

#[derive(Debug, Default, Serialize)]
pub struct RuleScore {
    pub expected: usize,
    pub named: usize,
    pub missed_in: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PhotoResult {
    pub file: String,
    pub expected: Expected,
    pub verdict: Option<Verdict>,
    pub flagged: Vec<String>,
    pub error: Option<String>,
    pub correct: Option<bool>,
}

#[derive(Debug, Default, Serialize)]
pub struct LandmarkErrors {
    pub photos: usize,
    /// Median error over inter-pupil distance.
    pub eyes_median: f32,
    pub chin_median: f32,
    pub crown_median: f32,
}

#[derive(Debug, Serialize)]
pub struct EvalSummary {
    pub compliant: usize,
    pub compliant_accepted: usize,
    pub noncompliant: usize,
    pub noncompliant_caught: usize,
    pub either: usize,
    pub accepted_share: f32,
    pub caught_share: f32,
    pub expected_rule_failures: usize,
    pub expected_rules_named: usize,
    pub rule_named_share: f32,
    pub per_rule: BTreeMap<String, RuleScore>,
    pub landmarks: LandmarkErrors,
    pub photos: Vec<PhotoResult>,
}

impl EvalSummary {
    /// The human-readable summary the CLI prints and the tests show on failure.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "compliant accepted:      {}/{} ({:.1}%)",
            self.compliant_accepted,
            self.compliant,
            100.0 * self.accepted_share
        );
        let _ = writeln!(
            o,
            "non-compliant caught:    {}/{} ({:.1}%)",
            self.noncompliant_caught,
            self.noncompliant,
            100.0 * self.caught_share
        );
        let _ = writeln!(
            o,
            "expected rules named:    {}/{} ({:.1}%)",
            self.expected_rules_named,
            self.expected_rule_failures,
            100.0 * self.rule_named_share
        );
        let _ = writeln!(o, "'either' photos (not scored): {}", self.either);
        let _ = writeln!(o, "per rule (named/expected):");
        for (rule, r) in &self.per_rule {
            let _ = writeln!(
                o,
                "  {rule:<4} {}/{}  missed: {}",
                r.named,
                r.expected,
                r.missed_in.join(", ")
            );
        }
        let l = &self.landmarks;
        let _ = writeln!(
            o,
            "landmarks vs .tem ({} photos), median error / inter-pupil distance: eyes {:.3}, chin {:.3}, crown {:.3}",
            l.photos, l.eyes_median, l.chin_median, l.crown_median
        );
        let _ = writeln!(o, "wrong verdicts:");
        for p in self.photos.iter().filter(|p| p.correct == Some(false)) {
            let _ = writeln!(
                o,
                "  {} expected {:?} got {:?} flagged {:?} {}",
                p.file,
                p.expected,
                p.verdict,
                p.flagged,
                p.error.clone().unwrap_or_default()
            );
        }
        o
    }
}

/// A rule counts as named when reported as failing or warning.
fn named(report: &Report, rule: &str) -> bool {
    report
        .findings
        .iter()
        .any(|f| f.rule == rule && matches!(f.status, Status::Fail | Status::Warn))
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs every labelled photo; `on_report` sees each report (the CLI prints or dumps them).
pub fn run(
    vetter: &Vetter,
    dir: &Path,
    labels: &[Label],
    mut on_report: impl FnMut(&Label, &Report),
) -> Result<EvalSummary> {
    let mut s = EvalSummary {
        compliant: 0,
        compliant_accepted: 0,
        noncompliant: 0,
        noncompliant_caught: 0,
        either: 0,
        accepted_share: 0.0,
        caught_share: 0.0,
        expected_rule_failures: 0,
        expected_rules_named: 0,
        rule_named_share: 0.0,
        per_rule: BTreeMap::new(),
        landmarks: LandmarkErrors::default(),
        photos: Vec::new(),
    };
    let (mut e_eyes, mut e_chin, mut e_crown) = (Vec::new(), Vec::new(), Vec::new());
    // Evaluate as of a fixed date near the photos' use, without dates of birth.
    let ctx = VetContext::default();
    for label in labels {
        let path: PathBuf = dir.join(&label.file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let result = vetter.vet(&bytes, &ctx);
        let (verdict, flagged, error, report) = match &result {
            Ok(v) => (
                Some(v.report.verdict),
                v.report
                    .flagged_rules()
                    .iter()
                    .map(|r| r.to_string())
                    .collect(),
                None,
                Some(&v.report),
            ),
            Err(e) => (None, vec!["F1".to_string()], Some(e.to_string()), None),
        };
        if let Some(r) = report {
            on_report(label, r);
        }
        let correct = match label.expected {
            Expected::Accept => {
                s.compliant += 1;
                let ok = verdict == Some(Verdict::Accept);
                s.compliant_accepted += ok as usize;
                Some(ok)
            }
            Expected::Reject => {
                s.noncompliant += 1;
                let ok = verdict != Some(Verdict::Accept);
                s.noncompliant_caught += ok as usize;
                for rule in &label.failing_rules {
                    s.expected_rule_failures += 1;
                    let e = s.per_rule.entry(rule.clone()).or_default();
                    e.expected += 1;
                    let hit = match report {
                        Some(r) => named(r, rule),
                        None => rule == "F1",
                    };
                    if hit {
                        e.named += 1;
                        s.expected_rules_named += 1;
                    } else {
                        e.missed_in.push(label.file.clone());
                    }
                }
                Some(ok)
            }
            Expected::Either => {
                s.either += 1;
                None
            }
        };
        if let (Some(r), Some(tem)) = (report, read_tem(&path.with_extension("tem"))) {
            if let (Some(face), true) = (&r.face, tem.len() > 151) {
                let ipd = dist(tem[0], tem[1]);
                if ipd > 1.0 {
                    let l = &face.landmarks;
                    e_eyes.push((dist(l.eyes[0], tem[0]) + dist(l.eyes[1], tem[1])) / 2.0 / ipd);
                    e_chin.push(dist(l.chin, tem[129]) / ipd);
                    e_crown.push((l.crown[1] - tem[151][1]).abs() / ipd);
                }
            }
        }
        s.photos.push(PhotoResult {
            file: label.file.clone(),
            expected: label.expected,
            verdict,
            flagged,
            error,
            correct,
        });
    }
    s.accepted_share = s.compliant_accepted as f32 / s.compliant.max(1) as f32;
    s.caught_share = s.noncompliant_caught as f32 / s.noncompliant.max(1) as f32;
    s.rule_named_share = s.expected_rules_named as f32 / s.expected_rule_failures.max(1) as f32;
    s.landmarks = LandmarkErrors {
        photos: e_eyes.len(),
        eyes_median: median(e_eyes),
        chin_median: median(e_chin),
        crown_median: median(e_crown),
    };
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_and_bad_labels_are_refused() {
        let dir = std::env::temp_dir().join(format!("mnp-labels-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("labels.tsv");
        std::fs::write(&p, "file\texpected\tfailing_rules\tsource_kind\na.jpg\treject\tP9, P10\tregistry\nb.jpg\taccept\t\tfetched\n").unwrap();
        let l = read_labels(&p).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].failing_rules, vec!["P9", "P10"]);
        assert_eq!(l[1].expected, Expected::Accept);
        std::fs::write(&p, "file\texpected\tfailing_rules\na.jpg\tmaybe\t\n").unwrap();
        assert!(read_labels(&p).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
