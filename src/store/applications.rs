//! Applications, photos and the audit log in SQL. Every state change goes through
//! `apply_transition`, which moves the row only from the state the caller saw (compare and set)
//! and appends the audit record in the same transaction.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::StoreError;
use crate::application::{Actor, State, Transition};

#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplicationRow {
    pub id: String,
    pub form_id: String,
    pub channel: String,
    pub booth_id: Option<String>,
    pub state: State,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub lang: String,
    pub date_of_birth: Option<String>,
    pub signature_cert: Option<bool>,
    pub user_cert: Option<bool>,
    pub braille: Option<bool>,
    pub exception_reason: Option<String>,
    pub photo_id: Option<String>,
    pub completed_at: Option<i64>,
    pub forward_batch: Option<String>,
    pub forwarded_at: Option<i64>,
    pub forward_hold: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn opt_bool(row: &AnyRow, col: &str) -> Result<Option<bool>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(|v| v != 0))
}

impl ApplicationRow {
    fn from_row(row: &AnyRow) -> Result<ApplicationRow, StoreError> {
        let state: String = row.try_get("state")?;
        Ok(ApplicationRow {
            id: row.try_get("id")?,
            form_id: row.try_get("form_id")?,
            channel: row.try_get("channel")?,
            booth_id: row.try_get("booth_id")?,
            state: state
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
            contact_name: row.try_get("contact_name")?,
            email: row.try_get("email")?,
            lang: row.try_get("lang")?,
            date_of_birth: row.try_get("date_of_birth")?,
            signature_cert: opt_bool(row, "signature_cert")?,
            user_cert: opt_bool(row, "user_cert")?,
            braille: opt_bool(row, "braille")?,
            exception_reason: row.try_get("exception_reason")?,
            photo_id: row.try_get("photo_id")?,
            completed_at: row.try_get("completed_at")?,
            forward_batch: row.try_get("forward_batch")?,
            forwarded_at: row.try_get("forwarded_at")?,
            forward_hold: row.try_get("forward_hold")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

const APP_COLUMNS: &str = "id, form_id, channel, booth_id, state, contact_name, email, lang, \
    date_of_birth, signature_cert, user_cert, braille, exception_reason, photo_id, completed_at, \
    forward_batch, forwarded_at, forward_hold, created_at, updated_at";

pub struct NewApplication<'a> {
    pub id: &'a str,
    pub form_id: &'a str,
    pub channel: &'a str,
    pub booth_id: Option<&'a str>,
    pub contact_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub lang: &'a str,
    pub at: i64,
}

/// Inserts a `registered` application and its first audit record.
pub async fn insert(conn: &mut AnyConnection, app: &NewApplication<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO applications (id, form_id, channel, booth_id, state, contact_name, email, \
         lang, created_at, updated_at) VALUES ($1, $2, $3, $4, 'registered', $5, $6, $7, $8, $8)",
    )
    .bind(app.id)
    .bind(app.form_id)
    .bind(app.channel)
    .bind(app.booth_id)
    .bind(app.contact_name)
    .bind(app.email)
    .bind(app.lang)
    .bind(app.at)
    .execute(&mut *conn)
    .await?;
    let actor = match app.booth_id {
        Some(id) => Actor::Booth { id: id.to_string() },
        None => Actor::Applicant,
    };
    append_audit(
        conn,
        app.id,
        "new",
        "registered",
        &serde_json::json!({"kind": "registered", "channel": app.channel}),
        &actor,
        app.at,
    )
    .await
}

pub async fn by_form_id(
    conn: &mut AnyConnection,
    form_id: &str,
) -> Result<Option<ApplicationRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM applications WHERE form_id = $1"
    ))
    .bind(form_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(ApplicationRow::from_row).transpose()
}

/// Takes the row for a change that must not race with forwarding: true while no batch has
/// claimed it. On PostgreSQL the update holds the row lock until the transaction ends, so a
/// batch claim waits for it (and then sees the new state); SQLite's write transactions are
/// serial anyway.
pub async fn lock_unclaimed(conn: &mut AnyConnection, id: &str) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE applications SET updated_at = updated_at WHERE id = $1 AND forward_batch IS NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn by_id(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ApplicationRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM applications WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(ApplicationRow::from_row).transpose()
}

/// The items of step 3 (or of a booth's single request).
pub struct Details<'a> {
    pub date_of_birth: &'a str,
    pub user_cert: bool,
    pub signature_cert: bool,
    pub braille: bool,
    pub exception_reason: Option<&'a str>,
    pub completed_at: i64,
}

pub async fn set_details(
    conn: &mut AnyConnection,
    id: &str,
    d: &Details<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE applications SET date_of_birth = $1, user_cert = $2, signature_cert = $3, \
         braille = $4, exception_reason = COALESCE($5, exception_reason), \
         completed_at = COALESCE(completed_at, $6), updated_at = $6 WHERE id = $7",
    )
    .bind(d.date_of_birth)
    .bind(d.user_cert as i64)
    .bind(d.signature_cert as i64)
    .bind(d.braille as i64)
    .bind(d.exception_reason)
    .bind(d.completed_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_lang(conn: &mut AnyConnection, id: &str, lang: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE applications SET lang = $1 WHERE id = $2")
        .bind(lang)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The reason an applicant declared for a head covering or bandage on the web photo step
/// (None: declared none), so reviewers see it.
pub async fn set_exception_reason(
    conn: &mut AnyConnection,
    id: &str,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE applications SET exception_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn append_audit(
    conn: &mut AnyConnection,
    app_id: &str,
    from: &str,
    to: &str,
    event: &serde_json::Value,
    actor: &Actor,
    at: i64,
) -> Result<(), StoreError> {
    let actor_id = match actor {
        Actor::Booth { id } | Actor::Reviewer { id } => Some(id.as_str()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO audit_log (application_id, from_state, to_state, event, actor_kind, \
         actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(app_id)
    .bind(from)
    .bind(to)
    .bind(event.to_string())
    .bind(actor.kind())
    .bind(actor_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the application changed meanwhile (now {0})")]
    Stale(State),
    #[error("no such application")]
    Missing,
}

impl From<sqlx::Error> for MoveError {
    fn from(e: sqlx::Error) -> Self {
        MoveError::Store(StoreError::Db(e))
    }
}

/// Moves the application along `t` if it is still in `t.from`, and records why.
pub async fn apply_transition(
    conn: &mut AnyConnection,
    app_id: &str,
    t: &Transition,
) -> Result<(), MoveError> {
    let at = t.at.timestamp_millis();
    let done = sqlx::query(
        "UPDATE applications SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
    )
    .bind(t.to.as_str())
    .bind(at)
    .bind(app_id)
    .bind(t.from.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(match by_id(conn, app_id).await? {
            Some(row) => MoveError::Stale(row.state),
            None => MoveError::Missing,
        });
    }
    let event = serde_json::to_value(&t.event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    append_audit(
        conn,
        app_id,
        t.from.as_str(),
        t.to.as_str(),
        &event,
        &t.actor,
        at,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PhotoRow {
    pub id: String,
    pub application_id: String,
    pub original_sha: Option<String>,
    pub crop_sha: Option<String>,
    pub verdict: String,
    pub failing_rules: Vec<String>,
    pub report: serde_json::Value,
    pub created_at: i64,
}

pub struct NewPhoto<'a> {
    pub id: &'a str,
    pub application_id: &'a str,
    pub original_sha: &'a str,
    pub crop_sha: Option<&'a str>,
    pub verdict: &'a str,
    pub failing_rules: &'a [String],
    pub report: &'a serde_json::Value,
    pub at: i64,
}

pub async fn insert_photo(conn: &mut AnyConnection, p: &NewPhoto<'_>) -> Result<(), StoreError> {
    let rules = if p.failing_rules.is_empty() {
        String::new()
    } else {
        format!(",{},", p.failing_rules.join(","))
    };
    sqlx::query(
        "INSERT INTO photos (id, application_id, original_sha, crop_sha, verdict, failing_rules, \
         report, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(p.id)
    .bind(p.application_id)
    .bind(p.original_sha)
    .bind(p.crop_sha)
    .bind(p.verdict)
    .bind(rules)
    .bind(p.report.to_string())
    .bind(p.at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE applications SET photo_id = $1, updated_at = $2, forward_hold = NULL WHERE id = $3",
    )
    .bind(p.id)
    .bind(p.at)
    .bind(p.application_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn photo_from_row(row: &AnyRow) -> Result<PhotoRow, StoreError> {
    let rules: String = row.try_get("failing_rules")?;
    let report: String = row.try_get("report")?;
    Ok(PhotoRow {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        original_sha: row.try_get("original_sha")?,
        crop_sha: row.try_get("crop_sha")?,
        verdict: row.try_get("verdict")?,
        failing_rules: rules
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        report: serde_json::from_str(&report).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn photo(conn: &mut AnyConnection, id: &str) -> Result<Option<PhotoRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id, application_id, original_sha, crop_sha, verdict, failing_rules, report, \
         created_at FROM photos WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(photo_from_row).transpose()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub from: String,
    pub to: String,
    pub event: serde_json::Value,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub at: i64,
}

pub async fn history(conn: &mut AnyConnection, app_id: &str) -> Result<Vec<AuditRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, from_state, to_state, event, actor_kind, actor_id, at FROM audit_log \
         WHERE application_id = $1 ORDER BY seq",
    )
    .bind(app_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let event: String = r.try_get("event")?;
            Ok(AuditRow {
                seq: r.try_get("seq")?,
                from: r.try_get("from_state")?,
                to: r.try_get("to_state")?,
                event: serde_json::from_str(&event)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                actor_kind: r.try_get("actor_kind")?,
                actor_id: r.try_get("actor_id")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueItem {
    pub id: String,
    pub form_id_tail: String,
    pub channel: String,
    pub state: String,
    pub verdict: Option<String>,
    pub failing_rules: Vec<String>,
    pub exception_reason: Option<String>,
    pub waiting_since: i64,
}

/// Rejected and in-review applications, oldest first.
pub async fn review_queue(
    conn: &mut AnyConnection,
    rule: Option<&str>,
    channel: Option<&str>,
    limit: i64,
) -> Result<Vec<QueueItem>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.form_id, a.channel, a.state, a.exception_reason, a.updated_at, \
         p.verdict, p.failing_rules FROM applications a LEFT JOIN photos p ON p.id = a.photo_id \
         WHERE a.state IN ('auto_rejected', 'in_review') \
         AND ($1 = '' OR p.failing_rules LIKE $2) AND ($3 = '' OR a.channel = $3) \
         ORDER BY a.updated_at, a.id LIMIT $4",
    )
    .bind(rule.unwrap_or(""))
    .bind(format!("%,{},%", rule.unwrap_or("")))
    .bind(channel.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let form_id: String = r.try_get("form_id")?;
            let rules: Option<String> = r.try_get("failing_rules")?;
            Ok(QueueItem {
                id: r.try_get("id")?,
                form_id_tail: mask_form_id(&form_id),
                channel: r.try_get("channel")?,
                state: r.try_get("state")?,
                verdict: r.try_get("verdict")?,
                failing_rules: rules
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                exception_reason: r.try_get("exception_reason")?,
                waiting_since: r.try_get("updated_at")?,
            })
        })
        .collect()
}

/// Form IDs are shown to reviewers and in mail by their last four digits only.
pub fn mask_form_id(form_id: &str) -> String {
    let tail: String = form_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}
