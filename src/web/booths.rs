//! Booth health: each booth agent reports every minute (queue, oldest unsent item, refused
//! items, last error, version) with its own token; the service keeps the latest report per
//! booth, shows the fleet on the console's booths page, exports per-booth gauges in
//! `/metrics` and raises an alarm for a booth that is silent, holds an application too long,
//! or holds one the service refused (a person must act).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::api::ApiError;
use super::AppState;
use crate::store::{now_ms, Db, StoreError};

/// What a booth reports (`POST /api/v1/booth/health`).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct HealthReport {
    /// The agent's version.
    pub version: String,
    /// Items in the booth's queue, pending and failed.
    pub queue_length: i64,
    /// Items waiting to be sent (or between retries).
    pub pending: i64,
    /// Items the service refused for good; they wait for a person.
    pub failed: i64,
    /// Age of the oldest pending item, seconds.
    pub oldest_pending_age_seconds: Option<i64>,
    /// The last thing that went wrong at the booth (never personal data).
    pub last_error: Option<String>,
}

/// The answer to a health report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthAck {
    pub booth: String,
    /// The service's alarm age: a booth silent, or holding an item, longer than this alarms.
    pub alarm_after_seconds: i64,
}

/// Why a booth is in alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alarm {
    /// Not heard from for longer than the alarm age.
    Silent,
    /// Its oldest unsent application is older than the alarm age.
    Holding,
    /// It holds applications the service refused: a person must act.
    Refused,
}

/// One booth as the console and the metrics see it.
#[derive(Debug, Clone, Serialize)]
pub struct BoothStatus {
    pub name: String,
    pub revoked: bool,
    /// Unix ms of the last report; `None` when it never reported.
    pub last_heard: Option<i64>,
    pub version: Option<String>,
    pub queue_length: i64,
    pub pending: i64,
    pub failed: i64,
    /// Age of its oldest unsent item now (seconds), reckoned from the last report.
    pub oldest_pending_age_seconds: Option<i64>,
    pub last_error: Option<String>,
    pub alarms: Vec<Alarm>,
}

fn bad(code: &'static str, en: &str, ja: &str) -> ApiError {
    ApiError::domain(StatusCode::BAD_REQUEST, code, en, ja)
}

/// `POST /api/v1/booth/health`: a booth's report, with its token.
#[utoipa::path(post, path = "/api/v1/booth/health", tag = "booth",
    request_body = HealthReport,
    security(("booth_token" = [])),
    responses(
        (status = 200, description = "Stored as the booth's latest report", body = HealthAck),
        (status = 400, description = "A field out of range", body = crate::web::openapi::ErrorBody),
        (status = 401, description = "No valid booth token (a revoked one included)", body = crate::web::openapi::ErrorBody),
    ))]
pub async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<HealthReport>,
) -> Result<HttpResponse, ApiError> {
    let office = state.office_or_unavailable()?;
    let booth = super::applications::authenticated_booth(office, &req).await?;
    let r = body.into_inner();
    if [r.queue_length, r.pending, r.failed].iter().any(|n| *n < 0)
        || r.oldest_pending_age_seconds.is_some_and(|a| a < 0)
    {
        return Err(bad(
            "bad_health_report",
            "counts and ages cannot be negative",
            "件数と経過時間は負の値にできません。",
        ));
    }
    if r.version.is_empty() || r.version.len() > 64 {
        return Err(bad(
            "bad_health_report",
            "version: 1-64 characters",
            "バージョンは1〜64文字です。",
        ));
    }
    store(&office.db, &booth.id, &r, now_ms())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().json(HealthAck {
        booth: booth.name,
        alarm_after_seconds: office.config.booth_alarm_seconds,
    }))
}

/// Keeps the report as the booth's latest.
pub async fn store(db: &Db, booth_id: &str, r: &HealthReport, now: i64) -> Result<(), StoreError> {
    // A last error is a log line, not a document: bounded, on a character boundary.
    let last_error: Option<String> = r
        .last_error
        .as_deref()
        .map(|e| e.chars().take(500).collect());
    sqlx::query(
        "INSERT INTO booth_health (booth_id, reported_at, version, queue_length, pending, failed,
            oldest_pending_since, last_error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (booth_id) DO UPDATE SET reported_at = excluded.reported_at,
            version = excluded.version, queue_length = excluded.queue_length,
            pending = excluded.pending, failed = excluded.failed,
            oldest_pending_since = excluded.oldest_pending_since,
            last_error = excluded.last_error",
    )
    .bind(booth_id)
    .bind(now)
    .bind(&r.version)
    .bind(r.queue_length)
    .bind(r.pending)
    .bind(r.failed)
    .bind(
        r.oldest_pending_age_seconds
            .map(|a| now - a.saturating_mul(1000)),
    )
    .bind(last_error)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Every booth with its latest report and alarms, by name. `alarm_after_ms`: the alarm age.
pub async fn fleet(db: &Db, now: i64, alarm_after_ms: i64) -> Result<Vec<BoothStatus>, StoreError> {
    let rows = sqlx::query(
        "SELECT b.name AS name, b.revoked_at AS revoked_at, h.reported_at AS reported_at,
            h.version AS version, h.queue_length AS queue_length, h.pending AS pending,
            h.failed AS failed, h.oldest_pending_since AS oldest_pending_since,
            h.last_error AS last_error
         FROM booths b LEFT JOIN booth_health h ON h.booth_id = b.id ORDER BY b.name",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let revoked = row.try_get::<Option<i64>, _>("revoked_at")?.is_some();
        let last_heard: Option<i64> = row.try_get("reported_at")?;
        let since: Option<i64> = row.try_get("oldest_pending_since")?;
        let pending = row.try_get::<Option<i64>, _>("pending")?.unwrap_or(0);
        let failed = row.try_get::<Option<i64>, _>("failed")?.unwrap_or(0);
        let oldest_ms = since.filter(|_| pending > 0).map(|s| (now - s).max(0));
        let mut alarms = Vec::new();
        // A revoked booth is retired, and one that never reported has no agent that reports
        // yet: neither alarms (the page shows both as such).
        if let (false, Some(heard)) = (revoked, last_heard) {
            if now - heard > alarm_after_ms {
                alarms.push(Alarm::Silent);
            }
            if oldest_ms.is_some_and(|a| a > alarm_after_ms) {
                alarms.push(Alarm::Holding);
            }
            if failed > 0 {
                alarms.push(Alarm::Refused);
            }
        }
        out.push(BoothStatus {
            name: row.try_get("name")?,
            revoked,
            last_heard,
            version: row.try_get("version")?,
            queue_length: row.try_get::<Option<i64>, _>("queue_length")?.unwrap_or(0),
            pending,
            failed,
            oldest_pending_age_seconds: oldest_ms.map(|ms| ms / 1000),
            last_error: row.try_get("last_error")?,
            alarms,
        });
    }
    Ok(out)
}

/// Sets the per-booth gauges at scrape time (ages keep growing while a booth is silent).
/// Revoked booths are left out, so a retired booth never alerts.
pub async fn refresh_metrics(state: &AppState) {
    let Some(office) = state.office() else {
        return;
    };
    let alarm_ms = office.config.booth_alarm_seconds.saturating_mul(1000);
    match fleet(&office.db, now_ms(), alarm_ms).await {
        Ok(booths) => state.metrics.set_booths(&booths),
        Err(e) => tracing::error!(error = %e, "metrics: booths"),
    }
}

/// The alarm, for the console: booths in alarm, by name.
pub async fn in_alarm(state: &AppState) -> Result<Vec<BoothStatus>, StoreError> {
    let Some(office) = state.office() else {
        return Ok(Vec::new());
    };
    let alarm_ms = office.config.booth_alarm_seconds.saturating_mul(1000);
    Ok(fleet(&office.db, now_ms(), alarm_ms)
        .await?
        .into_iter()
        .filter(|b| !b.alarms.is_empty())
        .collect())
}
