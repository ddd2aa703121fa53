//! Figures for the reviewers' dashboard: the queue, and per rule how often the machine rejected
//! and how often a person overruled it. A rule reviewers overrule often has a wrong threshold.
//!
//! `photos.failing_rules` is a ",P9,P2," string, so counting by rule joins a small list of rule
//! ids (passed in, as bound parameters) with a LIKE: the same SQL on SQLite and PostgreSQL.

use sqlx::{AnyConnection, Row};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub count: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Dashboard {
    /// Applications waiting for a person (rejected by the machine or sent to review).
    pub queue_length: i64,
    /// When the oldest of them last changed (Unix ms).
    pub oldest_waiting_since: Option<i64>,
    /// Machine-rejected photos flagging each rule, most first.
    pub rejections: Vec<RuleCount>,
    /// Reviewer acceptances of photos flagging each rule, most first.
    pub overrides: Vec<RuleCount>,
    pub overrides_total: i64,
    pub retakes_total: i64,
}

/// `SELECT CAST($1 AS TEXT) AS rule UNION ALL ...`: the rule list as a derived table. The cast
/// tells PostgreSQL the parameters' type.
fn rules_table(n: usize) -> String {
    (1..=n)
        .map(|i| format!("SELECT CAST(${i} AS TEXT) AS rule"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

async fn by_rule(
    conn: &mut AnyConnection,
    rules: &[&str],
    join_and_filter: &str,
) -> Result<Vec<RuleCount>, StoreError> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.rule AS rule, COUNT(*) AS n FROM ({}) r \
         JOIN photos p ON p.failing_rules LIKE '%,' || r.rule || ',%' {join_and_filter} \
         GROUP BY r.rule",
        rules_table(rules.len())
    );
    let mut q = sqlx::query(&sql);
    for r in rules {
        q = q.bind(*r);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(RuleCount {
                rule: r.try_get("rule")?,
                count: r.try_get("n")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
    Ok(out)
}

/// Reviewer decisions are audit rows whose event JSON names the kind.
const OVERRIDE: &str = "l.actor_kind = 'reviewer' AND l.event LIKE '%\"reviewer_accepted\"%'";

/// Applications waiting for a person, and when the oldest of them last changed (Unix ms).
pub async fn waiting(conn: &mut AnyConnection) -> Result<(i64, Option<i64>), StoreError> {
    let q = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(updated_at) AS oldest FROM applications \
         WHERE state IN ('auto_rejected', 'in_review')",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((q.try_get("n")?, q.try_get("oldest")?))
}

pub async fn summary(conn: &mut AnyConnection, rules: &[&str]) -> Result<Dashboard, StoreError> {
    let (queue_length, oldest_waiting_since) = waiting(conn).await?;
    let rejections = by_rule(conn, rules, "WHERE p.verdict = 'reject'").await?;
    // The photo a reviewer accepted is the application's current one: an accepted application
    // takes no new photo.
    let overrides = by_rule(
        conn,
        rules,
        &format!(
            "JOIN applications a ON a.photo_id = p.id \
             JOIN audit_log l ON l.application_id = a.id WHERE {OVERRIDE}"
        ),
    )
    .await?;
    let count = |sql: &'static str| sqlx::query(sql);
    let overrides_total: i64 = count(
        "SELECT COUNT(*) AS n FROM audit_log l WHERE l.actor_kind = 'reviewer' \
         AND l.event LIKE '%\"reviewer_accepted\"%'",
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let retakes_total: i64 = count(
        "SELECT COUNT(*) AS n FROM audit_log l WHERE l.actor_kind = 'reviewer' \
         AND l.event LIKE '%\"retake_requested\"%'",
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok(Dashboard {
        queue_length,
        oldest_waiting_since,
        rejections,
        overrides,
        overrides_total,
        retakes_total,
    })
}
