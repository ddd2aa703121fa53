//! `eval`: runs the engine over a labelled folder (the labels.tsv format of the dev photos) and
//! scores it: accepted share of compliant photos, caught share of the others, the expected
//! rules named, and landmark errors against hand-placed `.tem` points when present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::vetting::pixels::dist;
use crate::vetting::{Profile, Report, Status, Verdict, VetContext, Vetter};

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

// ---------------------------------------------------------------------------------------------
// Groups and cross-validation

/// Group memberships of a photo (`groups.tsv`: file, ethnicity, gender, age).
pub type Groups = BTreeMap<String, Vec<String>>;

/// Reads `groups.tsv`; each photo belongs to `ethnicity=..`, `gender=..` and an age band.
pub fn read_groups(path: &Path) -> Result<Groups> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .context("groups file is empty")?
        .split('\t')
        .collect();
    let mut out = Groups::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        let Some(file) = cells.first() else { continue };
        let mut gs = Vec::new();
        for (h, v) in header.iter().zip(&cells).skip(1) {
            if v.is_empty() {
                continue;
            }
            if *h == "age" {
                if let Ok(a) = v.parse::<u32>() {
                    let band = match a {
                        0..=24 => "age<25",
                        25..=34 => "age25-34",
                        _ => "age35+",
                    };
                    gs.push(band.to_string());
                }
            } else {
                gs.push(format!("{h}={v}"));
            }
        }
        out.insert(file.to_string(), gs);
    }
    Ok(out)
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct GroupScore {
    pub compliant: usize,
    pub compliant_accepted: usize,
    pub noncompliant: usize,
    pub noncompliant_caught: usize,
}

/// Accepted and caught shares per group, from the per-photo results.
pub fn group_scores(photos: &[PhotoResult], groups: &Groups) -> BTreeMap<String, GroupScore> {
    let mut out: BTreeMap<String, GroupScore> = BTreeMap::new();
    for p in photos {
        let Some(gs) = groups.get(&p.file) else {
            continue;
        };
        for g in gs.iter().map(String::as_str).chain(["all grouped"]) {
            let e = out.entry(g.to_string()).or_default();
            match (p.expected, p.correct) {
                (Expected::Accept, Some(ok)) => {
                    e.compliant += 1;
                    e.compliant_accepted += ok as usize;
                }
                (Expected::Reject, Some(ok)) => {
                    e.noncompliant += 1;
                    e.noncompliant_caught += ok as usize;
                }
                _ => {}
            }
        }
    }
    out
}

pub fn render_groups(title: &str, g: &BTreeMap<String, GroupScore>) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{title} (compliant accepted, non-compliant caught):");
    let pct = |a: usize, b: usize| {
        if b == 0 {
            "   -  ".to_string()
        } else {
            format!("{:5.1}%", 100.0 * a as f32 / b as f32)
        }
    };
    for (name, s) in g {
        let _ = writeln!(
            o,
            "  {name:<28} {:>3}/{:<3} {}   {:>3}/{:<3} {}",
            s.compliant_accepted,
            s.compliant,
            pct(s.compliant_accepted, s.compliant),
            s.noncompliant_caught,
            s.noncompliant,
            pct(s.noncompliant_caught, s.noncompliant)
        );
    }
    o
}

/// Which way a measure fails.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tail {
    /// Larger values fail (a smile score).
    Upper,
    /// Smaller values fail (sharpness). Unused by the shipped calibration set (the lid gap and
    /// sharpness depend on eye shape and camera, so they keep documented limits).
    #[allow(dead_code)]
    Lower,
}

/// Where a calibrated measure's warning starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Warn {
    /// The compliant photos' mean + 3 sd (for measures spread roughly normally: yaw, pitch).
    MeanSd,
    /// At the fail cut: no review band (for measures piled up near zero with a long tail,
    /// where mean + 3 sd lands inside the compliant photos: smile, mouth opening, blink).
    AtFail,
}

/// A threshold pair calibrated from data: which finding's measure, and where it goes in the
/// profile.
struct Calibrated {
    name: &'static str,
    rule: &'static str,
    tail: Tail,
    warn: Warn,
    /// Whether the photos labelled with the rule say which way this measure fails (P2 labels
    /// do not say yaw or pitch; P10 labels are mostly busy backgrounds, not gradients): when
    /// false, the fail cut is the compliant maximum plus one sd.
    labelled: bool,
    measure: fn(&Report, &Profile) -> Option<f32>,
    /// Writes (warn, fail) into the profile.
    apply: fn(&mut Profile, f32, f32),
}

fn measured(report: &Report, rule: &str, key: &str) -> Option<f32> {
    let f = report.findings.iter().find(|f| f.rule == rule)?;
    let v = f.measured.get(key)?;
    match v {
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_f64())
            .map(|x| x as f32)
            .reduce(f32::min),
        _ => v.as_f64().map(|x| x as f32),
    }
}

/// Pitch as the mesh gives it, before the profile's offset is taken off.
fn raw_pitch(r: &Report, p: &Profile) -> Option<f32> {
    measured(r, "P2", "pitch_deg").map(|v| v + p.pose.pitch_offset_deg)
}

const MOUTH_OPENING: Calibrated = Calibrated {
    name: "P9 mouth opening",
    rule: "P9",
    tail: Tail::Upper,
    warn: Warn::AtFail,
    labelled: true,
    measure: |r, _| measured(r, "P9", "mouth_opening"),
    apply: |p, _, f| p.expression.mouth_open_max = f,
};

const SMILE: Calibrated = Calibrated {
    name: "P9 smile score",
    rule: "P9",
    tail: Tail::Upper,
    warn: Warn::AtFail,
    labelled: true,
    measure: |r, _| measured(r, "P9", "smile_score"),
    apply: |p, w, f| {
        p.expression.smile_warn = w;
        p.expression.smile_fail = f;
    },
};

const CALIBRATED: &[Calibrated] = &[
    Calibrated {
        name: "P8 blink",
        rule: "P8",
        tail: Tail::Upper,
        warn: Warn::AtFail,
        labelled: true,
        measure: |r, _| measured(r, "P8", "blink"),
        apply: |p, w, f| {
            p.expression.blink_warn = w;
            p.expression.blink_fail = f;
        },
    },
    Calibrated {
        name: "P2 yaw",
        rule: "P2",
        tail: Tail::Upper,
        warn: Warn::MeanSd,
        labelled: true,
        measure: |r, _| measured(r, "P2", "yaw_deg").map(f32::abs),
        apply: |p, w, f| {
            p.pose.yaw_max_deg = w;
            p.pose.yaw_fail_deg = f;
        },
    },
    Calibrated {
        name: "P10 gradient",
        rule: "P10",
        tail: Tail::Upper,
        warn: Warn::MeanSd,
        labelled: false,
        measure: |r, _| measured(r, "P10", "gradient_luma"),
        // A warning only: the warn limit is the one that matters.
        apply: |p, w, _| p.background.max_gradient_luma = w,
    },
];

/// Standard deviations beyond the compliant photos' mean where a `Warn::MeanSd` warning
/// starts: about one compliant photo in 700 sent to a person if the measure were normal.
pub const WARN_SD: f32 = 3.0;

/// The documented calibration rule, for every calibrated measure:
/// - fail at the cut between the compliant photos and the photos labelled as failing this
///   rule that makes the fewest errors (the middle of the widest such gap); with no labelled
///   photos, at the compliant maximum plus one sd;
/// - warn at the compliant photos' mean + 3 sd (`Warn::MeanSd`, mean - 3 sd for a lower
///   tail) or at the fail cut (`Warn::AtFail`), never beyond the fail cut.
///
/// Returns (warn, fail), or None when there are too few compliant photos.
fn calibrate_one(neg: &[f32], pos: &[f32], tail: Tail, warn_rule: Warn) -> Option<(f32, f32)> {
    if neg.len() < 5 {
        return None;
    }
    // Work on an upper tail throughout.
    let sgn = if tail == Tail::Upper { 1.0 } else { -1.0 };
    let neg: Vec<f32> = neg.iter().map(|v| v * sgn).collect();
    let pos: Vec<f32> = pos.iter().map(|v| v * sgn).collect();
    let n = neg.len() as f32;
    let mean = neg.iter().sum::<f32>() / n;
    let sd = (neg.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / (n - 1.0)).sqrt();
    let neg_max = neg.iter().copied().fold(f32::MIN, f32::max);
    let fail = if pos.is_empty() {
        neg_max + sd
    } else {
        let mut all: Vec<f32> = neg.iter().chain(&pos).copied().collect();
        all.sort_by(|a, b| a.total_cmp(b));
        all.dedup();
        let errors = |t: f32| {
            neg.iter().filter(|&&v| v >= t).count() + pos.iter().filter(|&&v| v < t).count()
        };
        // Candidate cuts: midpoints between neighbouring values; the fewest errors wins,
        // then the widest gap.
        let mut best: Option<(usize, f32, f32)> = None;
        for w in all.windows(2) {
            let t = (w[0] + w[1]) / 2.0;
            let e = errors(t);
            let gap = w[1] - w[0];
            if best.is_none_or(|(be, _, bg)| e < be || (e == be && gap > bg)) {
                best = Some((e, t, gap));
            }
        }
        best.map_or(neg_max + sd, |(_, t, _)| t)
    };
    let warn = match warn_rule {
        Warn::MeanSd => (mean + WARN_SD * sd).min(fail),
        Warn::AtFail => fail,
    };
    Some((warn * sgn, fail * sgn))
}

/// Thresholds chosen on the given photos by the documented rule, written into a copy of
/// `base`. `reports` pairs each label with its report (photos that failed to decode are left
/// out). Returns the profile and the chosen values, for printing.
pub fn calibrate(
    base: &Profile,
    reports: &[(&Label, &Report)],
) -> (Profile, Vec<(&'static str, f32, f32)>) {
    let mut p = base.clone();
    let mut chosen = Vec::new();
    // Pitch: its offset is the compliant photos' mean, and the limits are on the distance
    // from it. P2 labels do not say pitch, so no labelled cut.
    let pitches: Vec<f32> = reports
        .iter()
        .filter(|(l, _)| l.expected == Expected::Accept)
        .filter_map(|(_, r)| raw_pitch(r, base))
        .collect();
    if pitches.len() >= 5 {
        let offset = pitches.iter().sum::<f32>() / pitches.len() as f32;
        let dev = |r: &Report| raw_pitch(r, base).map(|v| (v - offset).abs());
        let (neg, _) = split(reports, "P2", &dev);
        if let Some((w, f)) = calibrate_one(&neg, &[], Tail::Upper, Warn::MeanSd) {
            p.pose.pitch_offset_deg = offset;
            p.pose.pitch_max_deg = w;
            p.pose.pitch_fail_deg = f;
            chosen.push(("P2 pitch offset", offset, offset));
            chosen.push(("P2 |pitch - offset|", w, f));
        }
    }
    // P9: the mouth-opening cut first; the smile cut then separates the compliant photos
    // from the smiles the opening does not already catch (closed-mouth smiles).
    let opening = |r: &Report| (MOUTH_OPENING.measure)(r, base);
    let (neg, pos) = split(reports, "P9", &opening);
    if let Some((w, f)) = calibrate_one(&neg, &pos, Tail::Upper, MOUTH_OPENING.warn) {
        (MOUTH_OPENING.apply)(&mut p, w, f);
        chosen.push((MOUTH_OPENING.name, w, f));
        let smile = |r: &Report| (SMILE.measure)(r, base);
        let closed: Vec<(&Label, &Report)> = reports
            .iter()
            .filter(|(l, r)| l.expected != Expected::Reject || opening(r).is_some_and(|o| o <= f))
            .copied()
            .collect();
        let (neg, pos) = split(&closed, "P9", &smile);
        if let Some((w, f)) = calibrate_one(&neg, &pos, Tail::Upper, SMILE.warn) {
            (SMILE.apply)(&mut p, w, f);
            chosen.push((SMILE.name, w, f));
        }
    }
    for c in CALIBRATED {
        let m = |r: &Report| (c.measure)(r, base);
        let (neg, pos) = split(reports, c.rule, &m);
        let pos = if c.labelled { pos } else { Vec::new() };
        if let Some((w, f)) = calibrate_one(&neg, &pos, c.tail, c.warn) {
            (c.apply)(&mut p, w, f);
            chosen.push((c.name, w, f));
        }
    }
    (p, chosen)
}

/// Values of a measure on the compliant photos and on those labelled as failing `rule`.
fn split(
    reports: &[(&Label, &Report)],
    rule: &str,
    m: &dyn Fn(&Report) -> Option<f32>,
) -> (Vec<f32>, Vec<f32>) {
    let mut neg = Vec::new();
    let mut pos = Vec::new();
    for (l, r) in reports {
        let Some(v) = m(r) else { continue };
        match l.expected {
            Expected::Accept => neg.push(v),
            Expected::Reject if l.failing_rules.iter().any(|x| x == rule) => pos.push(v),
            _ => {}
        }
    }
    (neg, pos)
}

/// The fold (0..k) of each label: stratified by expected verdict, deterministic (by file
/// name within each class, dealt round-robin).
pub fn folds(labels: &[Label], k: usize) -> Vec<usize> {
    let k = k.max(2);
    let mut out = vec![0; labels.len()];
    for class in [Expected::Accept, Expected::Reject, Expected::Either] {
        let mut idx: Vec<usize> = (0..labels.len())
            .filter(|&i| labels[i].expected == class)
            .collect();
        idx.sort_by(|&a, &b| labels[a].file.cmp(&labels[b].file));
        for (n, i) in idx.into_iter().enumerate() {
            out[i] = n % k;
        }
    }
    out
}

/// k-fold cross-validation: for each fold, thresholds chosen on the other k-1 folds (from
/// the in-sample run's measures, which do not depend on thresholds), then the held-out
/// photos vetted again by the whole engine with those thresholds.
pub struct CrossValidation {
    pub k: usize,
    pub summary: EvalSummary,
    /// Per fold, the thresholds it chose.
    pub chosen: Vec<Vec<(&'static str, f32, f32)>>,
}

pub fn cross_validate(
    vetter: &Vetter,
    dir: &Path,
    labels: &[Label],
    k: usize,
    reports: &BTreeMap<String, Report>,
) -> Result<CrossValidation> {
    // Measures from the run with the shipped profile (`reports`, by file).
    let reports: Vec<Option<&Report>> = labels.iter().map(|l| reports.get(&l.file)).collect();
    let fold_of = folds(labels, k);
    let k = k.max(2);
    let mut results: Vec<(usize, EvalSummary)> = Vec::new();
    let mut chosen = Vec::new();
    for f in 0..k {
        let train: Vec<(&Label, &Report)> = labels
            .iter()
            .zip(&reports)
            .zip(&fold_of)
            .filter(|(_, &fo)| fo != f)
            .filter_map(|((l, r), _)| r.map(|r| (l, r)))
            .collect();
        let (profile, c) = calibrate(&vetter.profile, &train);
        chosen.push(c);
        let v = vetter.with_profile(profile);
        let test: Vec<Label> = labels
            .iter()
            .zip(&fold_of)
            .filter(|(_, &fo)| fo == f)
            .map(|(l, _)| l.clone())
            .collect();
        results.push((f, run(&v, dir, &test, |_, _| {})?));
    }
    Ok(CrossValidation {
        k,
        summary: merge(results.into_iter().map(|(_, s)| s).collect()),
        chosen,
    })
}

/// Adds up the folds' summaries into one.
fn merge(parts: Vec<EvalSummary>) -> EvalSummary {
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
    for p in parts {
        s.compliant += p.compliant;
        s.compliant_accepted += p.compliant_accepted;
        s.noncompliant += p.noncompliant;
        s.noncompliant_caught += p.noncompliant_caught;
        s.either += p.either;
        s.expected_rule_failures += p.expected_rule_failures;
        s.expected_rules_named += p.expected_rules_named;
        for (rule, r) in p.per_rule {
            let e = s.per_rule.entry(rule).or_default();
            e.expected += r.expected;
            e.named += r.named;
            e.missed_in.extend(r.missed_in);
        }
        s.photos.extend(p.photos);
    }
    s.photos.sort_by(|a, b| a.file.cmp(&b.file));
    s.accepted_share = s.compliant_accepted as f32 / s.compliant.max(1) as f32;
    s.caught_share = s.noncompliant_caught as f32 / s.noncompliant.max(1) as f32;
    s.rule_named_share = s.expected_rules_named as f32 / s.expected_rule_failures.max(1) as f32;
    s
}

#[cfg(test)]
mod cv_tests {
    use super::*;

    fn label(file: &str, e: Expected) -> Label {
        Label {
            file: file.into(),
            expected: e,
            failing_rules: vec![],
            source_kind: String::new(),
        }
    }

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let mut labels = Vec::new();
        for i in 0..10 {
            labels.push(label(&format!("a{i}"), Expected::Accept));
        }
        for i in 0..5 {
            labels.push(label(&format!("r{i}"), Expected::Reject));
        }
        let f = folds(&labels, 5);
        assert_eq!(f, folds(&labels, 5));
        for fold in 0..5 {
            let acc = (0..10).filter(|&i| f[i] == fold).count();
            let rej = (10..15).filter(|&i| f[i] == fold).count();
            assert_eq!((acc, rej), (2, 1), "fold {fold}");
        }
    }

    #[test]
    fn calibration_warns_at_mean_plus_3_sd_and_fails_in_the_class_gap() {
        let neg: Vec<f32> = (0..20).map(|i| 0.1 + 0.01 * (i % 5) as f32).collect();
        let pos = [0.6, 0.7, 0.8];
        let (w, f) = calibrate_one(&neg, &pos, Tail::Upper, Warn::MeanSd).unwrap();
        let mean = neg.iter().sum::<f32>() / 20.0;
        assert!(w > mean && w < 0.3, "warn {w}");
        // The widest gap with no errors lies between 0.14 and 0.6.
        assert!((f - 0.37).abs() < 1e-4, "fail {f}");
        // Lower tail: mirrored.
        let negl: Vec<f32> = neg.iter().map(|v| 1.0 - v).collect();
        let posl: Vec<f32> = pos.iter().map(|v| 1.0 - v).collect();
        let (wl, fl) = calibrate_one(&negl, &posl, Tail::Lower, Warn::MeanSd).unwrap();
        assert!((wl - (1.0 - w)).abs() < 1e-4 && (fl - (1.0 - f)).abs() < 1e-4);
        // Overlapping classes: the cut with the fewest errors; warn never beyond fail.
        let (w2, f2) = calibrate_one(&neg, &[0.12, 0.5], Tail::Upper, Warn::MeanSd).unwrap();
        assert!(w2 <= f2 && f2 > 0.14 && f2 < 0.5, "{w2} {f2}");
        // No review band: warn at the cut.
        let (w3, f3) = calibrate_one(&neg, &pos, Tail::Upper, Warn::AtFail).unwrap();
        assert_eq!(w3, f3);
        // Nothing labelled: the compliant maximum plus one sd.
        let (_, f4) = calibrate_one(&neg, &[], Tail::Upper, Warn::AtFail).unwrap();
        assert!(f4 > 0.14 && f4 < 0.2, "{f4}");
    }
}

/// The thresholds the calibration rule picks on every labelled photo (what profile.toml
/// should hold), from the shipped profile's reports.
pub fn calibrate_all(
    profile: &Profile,
    labels: &[Label],
    reports: &BTreeMap<String, Report>,
) -> Vec<(&'static str, f32, f32)> {
    let pairs: Vec<(&Label, &Report)> = labels
        .iter()
        .filter_map(|l| reports.get(&l.file).map(|r| (l, r)))
        .collect();
    calibrate(profile, &pairs).1
}
