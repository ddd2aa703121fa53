//! People and secrets: booth tokens (random, stored as SHA-256, revocable), reviewer passwords
//! (argon2id), cookie sessions with a CSRF token, and the applicant's one-time links.
//! Only hashes of tokens are stored, so a copy of the database signs nobody in.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use serde::Serialize;
use sqlx::Row;
use thiserror::Error;

use crate::store::{now_ms, random_hex, sha256_hex, Db, StoreError};

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("a {0} named {1:?} already exists")]
    Exists(&'static str, String),
    #[error("no {0} named {1:?}")]
    Unknown(&'static str, String),
    #[error("names are 1-64 letters, digits, '-', '_' or '.'")]
    BadName,
    #[error("the password needs at least 12 characters")]
    WeakPassword,
    #[error("role must be 'reviewer' or 'admin'")]
    BadRole,
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Store(StoreError::Db(e))
    }
}

fn check_name(name: &str) -> Result<(), AuthError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(AuthError::BadName)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Booth {
    pub id: String,
    pub name: String,
    pub revoked: bool,
}

/// Registers a booth and returns its token: shown once, stored only hashed.
pub async fn add_booth(db: &Db, name: &str) -> Result<String, AuthError> {
    check_name(name)?;
    let token = format!("mnpb_{}", random_hex(32));
    let r =
        sqlx::query("INSERT INTO booths (id, name, token_sha, created_at) VALUES ($1, $2, $3, $4)")
            .bind(crate::store::new_id())
            .bind(name)
            .bind(sha256_hex(token.as_bytes()))
            .bind(now_ms())
            .execute(&db.pool)
            .await;
    match r.map_err(StoreError::from) {
        Ok(_) => Ok(token),
        Err(e) if e.is_unique_violation() => Err(AuthError::Exists("booth", name.to_string())),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_booth(db: &Db, name: &str) -> Result<(), AuthError> {
    let r = sqlx::query("UPDATE booths SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(name)
        .execute(&db.pool)
        .await?;
    if r.rows_affected() == 0 {
        return Err(AuthError::Unknown("active booth", name.to_string()));
    }
    Ok(())
}

pub async fn list_booths(db: &Db) -> Result<Vec<Booth>, AuthError> {
    let rows = sqlx::query("SELECT id, name, revoked_at FROM booths ORDER BY name")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Booth {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
            })
        })
        .collect()
}

/// The booth a bearer token belongs to, unless revoked.
pub async fn booth_by_token(db: &Db, token: &str) -> Result<Option<Booth>, AuthError> {
    let row =
        sqlx::query("SELECT id, name FROM booths WHERE token_sha = $1 AND revoked_at IS NULL")
            .bind(sha256_hex(token.as_bytes()))
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| {
        Ok(Booth {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            revoked: false,
        })
    })
    .transpose()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Reviewer,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Result<Role, AuthError> {
        match s {
            "reviewer" => Ok(Role::Reviewer),
            "admin" => Ok(Role::Admin),
            _ => Err(AuthError::BadRole),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Reviewer {
    pub id: String,
    pub name: String,
    pub role: Role,
}

fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Adds a reviewer, or sets a new password (and role) for an existing one.
pub async fn set_reviewer(
    db: &Db,
    name: &str,
    password: &str,
    role: Role,
) -> Result<(), AuthError> {
    check_name(name)?;
    if password.chars().count() < 12 {
        return Err(AuthError::WeakPassword);
    }
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AuthError::Hash(e.to_string()))??;
    let updated = sqlx::query(
        "UPDATE reviewers SET password_hash = $1, role = $2, disabled_at = NULL WHERE name = $3",
    )
    .bind(&hash)
    .bind(role.as_str())
    .bind(name)
    .execute(&db.pool)
    .await?;
    // A new password ends every session signed in with the old one.
    sqlx::query(
        "DELETE FROM sessions WHERE reviewer_id IN (SELECT id FROM reviewers WHERE name = $1)",
    )
    .bind(name)
    .execute(&db.pool)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO reviewers (id, name, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crate::store::new_id())
        .bind(name)
        .bind(&hash)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    }
    Ok(())
}

/// Disables a reviewer account and ends its sessions at once (on every instance: sessions are
/// rows). `set_reviewer` with a new password enables it again.
pub async fn disable_reviewer(db: &Db, name: &str) -> Result<(), AuthError> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("UPDATE reviewers SET disabled_at = $1 WHERE name = $2")
        .bind(now_ms())
        .bind(name)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(AuthError::Unknown("reviewer", name.to_string()));
    }
    sqlx::query(
        "DELETE FROM sessions WHERE reviewer_id IN (SELECT id FROM reviewers WHERE name = $1)",
    )
    .bind(name)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Failed sign-ins an account takes before it backs off; then 2, 4, 8... seconds up to 15
/// minutes between tries, whatever address they come from.
const FREE_FAILURES: i64 = 5;

fn lockout_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let exp = (failures - FREE_FAILURES + 1).clamp(1, 20) as u32;
    (1000i64 << exp).min(15 * 60_000)
}

/// Every reviewer's name by id, for showing who did what (disabled ones included: history
/// outlives accounts).
pub async fn reviewer_names(
    db: &Db,
) -> Result<std::collections::HashMap<String, String>, AuthError> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM reviewers")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Checks a reviewer's password. Unknown names cost the same argon2 work as known ones, so the
/// timing does not tell which names exist.
pub async fn verify_reviewer(
    db: &Db,
    name: &str,
    password: &str,
) -> Result<Option<Reviewer>, AuthError> {
    let row = sqlx::query(
        "SELECT id, name, password_hash, role, locked_until FROM reviewers WHERE name = $1 \
         AND disabled_at IS NULL",
    )
    .bind(name)
    .fetch_optional(&db.pool)
    .await?;
    // An account backing off answers as a wrong password would, after the same work.
    let locked = match &row {
        Some(r) => r
            .try_get::<Option<i64>, _>("locked_until")?
            .is_some_and(|t| t > now_ms()),
        None => false,
    };
    let (reviewer, hash) = match row.filter(|_| !locked) {
        Some(r) => {
            let role: String = r.try_get("role")?;
            (
                Some(Reviewer {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    role: Role::parse(&role)?,
                }),
                r.try_get::<String, _>("password_hash")?,
            )
        }
        None => (None, dummy_hash()?),
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AuthError::Hash(e.to_string()))?;
    if ok {
        sqlx::query("UPDATE reviewers SET failed_logins = 0, locked_until = NULL WHERE name = $1")
            .bind(name)
            .execute(&db.pool)
            .await?;
        return Ok(reviewer);
    }
    if !locked {
        let failures: Option<i64> = sqlx::query(
            "UPDATE reviewers SET failed_logins = failed_logins + 1 WHERE name = $1 \
             RETURNING failed_logins",
        )
        .bind(name)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.try_get("failed_logins"))
        .transpose()?;
        if let Some(n) = failures.filter(|n| lockout_ms(*n) > 0) {
            sqlx::query("UPDATE reviewers SET locked_until = $1 WHERE name = $2")
                .bind(now_ms() + lockout_ms(n))
                .bind(name)
                .execute(&db.pool)
                .await?;
        }
    }
    Ok(None)
}

/// argon2id of a random password nobody knows, checked for unknown names.
fn dummy_hash() -> Result<String, AuthError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = hash_password(&random_hex(16))?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

#[derive(Debug, Clone)]
pub enum SessionOwner {
    Reviewer(String),
    Applicant(String),
}

#[derive(Debug, Clone)]
pub struct Session {
    pub reviewer: Option<Reviewer>,
    pub application_id: Option<String>,
    pub csrf: String,
}

/// Starts a session; returns (cookie token, CSRF token).
pub async fn create_session(
    db: &Db,
    owner: SessionOwner,
    ttl_ms: i64,
) -> Result<(String, String), AuthError> {
    let token = random_hex(32);
    let csrf = random_hex(16);
    let now = now_ms();
    let (reviewer, app) = match &owner {
        SessionOwner::Reviewer(id) => (Some(id.as_str()), None),
        SessionOwner::Applicant(id) => (None, Some(id.as_str())),
    };
    sqlx::query(
        "INSERT INTO sessions (token_sha, reviewer_id, application_id, csrf, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(reviewer)
    .bind(app)
    .bind(&csrf)
    .bind(now)
    .bind(now + ttl_ms)
    .execute(&db.pool)
    .await?;
    Ok((token, csrf))
}

/// A session ends after this long without a request, whatever its lifetime.
pub const IDLE_TIMEOUT_MS: i64 = 30 * 60_000;

pub async fn session(db: &Db, token: &str) -> Result<Option<Session>, AuthError> {
    let now = now_ms();
    let sha = sha256_hex(token.as_bytes());
    // Seen now, if still alive and not idle for too long: one statement, any instance.
    let alive = sqlx::query(
        "UPDATE sessions SET last_seen_at = $1 WHERE token_sha = $2 AND expires_at > $1 \
         AND COALESCE(last_seen_at, created_at) > $3",
    )
    .bind(now)
    .bind(&sha)
    .bind(now - IDLE_TIMEOUT_MS)
    .execute(&db.pool)
    .await?;
    if alive.rows_affected() == 0 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT s.application_id, s.csrf, r.id AS rid, r.name AS rname, r.role AS rrole \
         FROM sessions s LEFT JOIN reviewers r ON r.id = s.reviewer_id AND r.disabled_at IS NULL \
         WHERE s.token_sha = $1",
    )
    .bind(&sha)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let reviewer = match r.try_get::<Option<String>, _>("rid")? {
        Some(id) => Some(Reviewer {
            id,
            name: r.try_get("rname")?,
            role: Role::parse(&r.try_get::<String, _>("rrole")?)?,
        }),
        None => None,
    };
    let application_id: Option<String> = r.try_get("application_id")?;
    if reviewer.is_none() && application_id.is_none() {
        // A reviewer since disabled.
        return Ok(None);
    }
    Ok(Some(Session {
        reviewer,
        application_id,
        csrf: r.try_get("csrf")?,
    }))
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AuthError> {
    sqlx::query("DELETE FROM sessions WHERE token_sha = $1")
        .bind(sha256_hex(token.as_bytes()))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A one-time link for an application; returns the token for the URL.
pub async fn create_link(
    conn: &mut sqlx::AnyConnection,
    application_id: &str,
    ttl_ms: i64,
) -> Result<String, AuthError> {
    let token = random_hex(32);
    let now = now_ms();
    sqlx::query(
        "INSERT INTO links (token_sha, application_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(application_id)
    .bind(now)
    .bind(now + ttl_ms)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("this link is not valid")]
    Unknown,
    #[error("this link has already been used")]
    Used,
    #[error("this link has expired")]
    Expired,
}

/// Uses a one-time link: works once, before it expires. Returns the application id.
pub async fn consume_link(db: &Db, token: &str) -> Result<Result<String, LinkError>, AuthError> {
    let sha = sha256_hex(token.as_bytes());
    let now = now_ms();
    let used = sqlx::query(
        "UPDATE links SET used_at = $1 WHERE token_sha = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(&sha)
    .execute(&db.pool)
    .await?;
    let row =
        sqlx::query("SELECT application_id, used_at, expires_at FROM links WHERE token_sha = $1")
            .bind(&sha)
            .fetch_optional(&db.pool)
            .await?;
    let Some(row) = row else {
        return Ok(Err(LinkError::Unknown));
    };
    if used.rows_affected() == 1 {
        return Ok(Ok(row.try_get("application_id")?));
    }
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        Ok(Err(LinkError::Used))
    } else {
        Ok(Err(LinkError::Expired))
    }
}
