//! The acceptance bars on the labelled dev photos (`../shared/photos/dev`, not in the
//! repository: skipped with a message when absent).

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::*;
use mynumber_photo::eval::{self, EvalSummary, Expected, Label};
use mynumber_photo::vetting::{Report, Status};

struct DevRun {
    labels: Vec<Label>,
    summary: EvalSummary,
    reports: BTreeMap<String, Report>,
}

/// One evaluation run per test binary, shared by the tests below.
fn dev_run() -> Option<&'static DevRun> {
    static RUN: OnceLock<Option<DevRun>> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = dev_dir()?;
        let labels = eval::read_labels(&dir.join("labels.tsv")).expect("dev labels.tsv");
        let mut reports = BTreeMap::new();
        let summary = eval::run(vetter(), &dir, &labels, |label, report| {
            reports.insert(label.file.clone(), report.clone());
        })
        .expect("eval::run on the dev photos");
        Some(DevRun {
            labels,
            summary,
            reports,
        })
    })
    .as_ref()
}

#[test]
fn dev_photos_meet_the_bars() {
    let Some(run) = dev_run() else { return };
    let s = &run.summary;
    print!("{}", s.render());
    // Every labelled photo was vetted (an error counts as a rejection naming F1).
    assert_eq!(s.photos.len(), run.labels.len());
    assert!(s.compliant > 0 && s.noncompliant > 0 && s.landmarks.photos > 0);
    let l = &s.landmarks;
    let bars = [
        (
            "accepted share of compliant photos",
            s.accepted_share,
            0.95,
            true,
        ),
        (
            "caught share of non-compliant photos",
            s.caught_share,
            0.95,
            true,
        ),
        ("expected rules named", s.rule_named_share, 0.90, true),
        ("median eye error / IPD", l.eyes_median, 0.08, false),
        ("median chin error / IPD", l.chin_median, 0.12, false),
        ("median crown error / IPD", l.crown_median, 0.25, false),
    ];
    let mut missed = Vec::new();
    for (what, value, bar, at_least) in bars {
        let ok = if at_least { value >= bar } else { value <= bar };
        let sign = if at_least { ">=" } else { "<=" };
        println!(
            "{} {what}: {value:.3} (bar {sign} {bar})",
            if ok { "ok  " } else { "MISS" }
        );
        if !ok {
            missed.push(format!("{what}: {value:.3}, bar {sign} {bar}"));
        }
    }
    assert!(
        missed.is_empty(),
        "bars missed (summary printed above):\n{}",
        missed.join("\n")
    );
}

#[test]
fn neutral_passes_p9_and_smile_is_flagged_p9() {
    let Some(run) = dev_run() else { return };
    let expected: BTreeMap<&str, Expected> = run
        .labels
        .iter()
        .map(|l| (l.file.as_str(), l.expected))
        .collect();
    let mut pairs = 0;
    let mut problems = Vec::new();
    let mut missed_smiles = Vec::new();
    for (file, exp) in &expected {
        let Some(stem) = file
            .strip_prefix("london_")
            .and_then(|r| r.strip_suffix("_neutral.jpg"))
        else {
            continue;
        };
        let smile = format!("london_{stem}_smiling.jpg");
        if *exp != Expected::Accept || expected.get(smile.as_str()) != Some(&Expected::Reject) {
            continue;
        }
        pairs += 1;
        let p9 = |f: &str| {
            run.reports
                .get(f)
                .and_then(|r| r.finding("P9"))
                .map(|x| (x.status, x.measured.clone()))
        };
        match p9(file) {
            Some((Status::Fail, m)) => problems.push(format!("{file}: neutral fails P9 ({m})")),
            None => problems.push(format!("{file}: no P9 finding (no report or no face)")),
            Some((st, m)) => println!("{file}: P9 {} {m}", status_str(st)),
        }
        match p9(&smile) {
            Some((Status::Fail | Status::Warn, m)) => {
                println!("{smile}: P9 flagged {m}")
            }
            Some((st, m)) => missed_smiles.push(format!(
                "{smile}: smile not flagged, P9 {} ({m})",
                status_str(st)
            )),
            None => problems.push(format!("{smile}: no P9 finding (no report or no face)")),
        }
    }
    println!("{pairs} neutral/smiling pairs");
    for m in &missed_smiles {
        println!("missed: {m}");
    }
    assert!(pairs >= 20, "only {pairs} labelled pairs found");
    // No neutral face may fail P9; a subtle smile may slip through, but at most one in ten
    // (the bar for naming the expected rule).
    assert!(
        problems.is_empty(),
        "{} of {pairs} pairs wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        missed_smiles.len() * 10 <= pairs,
        "{} of {pairs} clear smiles not flagged:\n{}",
        missed_smiles.len(),
        missed_smiles.join("\n")
    );
}

#[test]
fn dev_reports_keep_the_contract() {
    let Some(run) = dev_run() else { return };
    for (file, report) in &run.reports {
        check_report_contract(file, report);
    }
}

/// Equal treatment: on the London set (groups.tsv), no group of at least five compliant
/// photos is accepted at a rate more than 0.10 below the whole grouped set's.
#[test]
fn no_group_is_accepted_much_less_often() {
    let Some(run) = dev_run() else { return };
    let Some(dir) = dev_dir() else { return };
    let groups = eval::read_groups(&dir.join("groups.tsv")).expect("dev groups.tsv");
    let scores = eval::group_scores(&run.summary.photos, &groups);
    print!("{}", eval::render_groups("per group", &scores));
    let all = scores.get("all grouped").expect("grouped photos");
    assert!(
        all.compliant >= 20,
        "only {} grouped compliant photos",
        all.compliant
    );
    let share = |a: usize, b: usize| a as f32 / b.max(1) as f32;
    let whole = share(all.compliant_accepted, all.compliant);
    let low: Vec<String> = scores
        .iter()
        .filter(|(_, g)| g.compliant >= 5)
        .filter(|(_, g)| share(g.compliant_accepted, g.compliant) < whole - 0.10)
        .map(|(n, g)| format!("{n}: {}/{}", g.compliant_accepted, g.compliant))
        .collect();
    assert!(
        low.is_empty(),
        "accepted much less often than {whole:.3}: {low:?}"
    );
}

/// Thresholds chosen on four folds and scored on the fifth still meet the bars, lowered by
/// the margin that unseen photos cost (the unseen-photo bars are 0.97 / 0.97 / 0.95;
/// the dev set is small, so one photo moves a share by ~0.015).
#[test]
fn cross_validated_figures_hold() {
    let Some(run) = dev_run() else { return };
    let Some(dir) = dev_dir() else { return };
    let labels = &run.labels;
    let cv =
        eval::cross_validate(vetter(), &dir, labels, 5, &run.reports).expect("cross-validation");
    let s = &cv.summary;
    print!("{}", s.render());
    for (f, chosen) in cv.chosen.iter().enumerate() {
        println!("fold {f}: {chosen:?}");
    }
    assert_eq!(s.photos.len(), labels.len(), "every photo held out once");
    assert!(s.accepted_share >= 0.90, "accepted {:.3}", s.accepted_share);
    assert!(s.caught_share >= 0.90, "caught {:.3}", s.caught_share);
    assert!(
        s.rule_named_share >= 0.85,
        "named {:.3}",
        s.rule_named_share
    );
}
