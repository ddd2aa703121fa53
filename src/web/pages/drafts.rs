//! Forms not yet submitted, kept on the server when the person switches the language mid-way
//! (the switch submits the form): keyed by a random cookie and the page, for two hours. In
//! memory on purpose: a draft is a convenience, not a record, and a restart may drop it.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponseBuilder};

pub const DRAFT_COOKIE: &str = "mnp_draft";
const TTL: Duration = Duration::from_secs(2 * 3600);
/// Bounded, so a flood of drafts cannot exhaust memory; beyond it new drafts are not kept.
const MAX_DRAFTS: usize = 20_000;

type Fields = Vec<(String, String)>;

static DRAFTS: LazyLock<Mutex<HashMap<String, (Instant, Fields)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Fields never kept: secrets and buttons.
fn keep(name: &str) -> bool {
    !matches!(name, "csrf_token" | "_lang" | "password")
}

fn key(id: &str, page: &str) -> String {
    format!("{id}:{page}")
}

/// The draft id of this browser, and whether the cookie must be set.
pub fn id(req: &HttpRequest) -> (String, bool) {
    match req.cookie(DRAFT_COOKIE) {
        Some(c) if c.value().len() == 32 && c.value().bytes().all(|b| b.is_ascii_hexdigit()) => {
            (c.value().to_string(), false)
        }
        _ => (crate::store::random_hex(16), true),
    }
}

pub fn set_cookie(resp: &mut HttpResponseBuilder, id: &str, secure: bool) {
    resp.cookie(
        Cookie::build(DRAFT_COOKIE, id.to_string())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish(),
    );
}

pub fn save(id: &str, page: &str, fields: &[(String, String)]) {
    let kept: Fields = fields
        .iter()
        .filter(|(k, v)| keep(k) && v.len() <= 1024)
        .take(32)
        .cloned()
        .collect();
    let Ok(mut map) = DRAFTS.lock() else { return };
    let now = Instant::now();
    if map.len() >= MAX_DRAFTS {
        map.retain(|_, (at, _)| now.duration_since(*at) < TTL);
        if map.len() >= MAX_DRAFTS {
            return;
        }
    }
    map.insert(key(id, page), (now, kept));
}

pub fn load(req: &HttpRequest, page: &str) -> Option<Fields> {
    let c = req.cookie(DRAFT_COOKIE)?;
    let map = DRAFTS.lock().ok()?;
    map.get(&key(c.value(), page))
        .filter(|(at, _)| at.elapsed() < TTL)
        .map(|(_, f)| f.clone())
}

pub fn clear(req: &HttpRequest, page: &str) {
    if let (Some(c), Ok(mut map)) = (req.cookie(DRAFT_COOKIE), DRAFTS.lock()) {
        map.remove(&key(c.value(), page));
    }
}

/// The same drafts in the database, shared by every instance (the confirm step may land on
/// another instance than the form), bounded per row and removed by the retention job after
/// `--keep-drafts-hours`. Without a database (vetting-only service) the in-memory store above.
pub async fn save_shared(
    state: &crate::web::AppState,
    id: &str,
    page: &str,
    fields: &[(String, String)],
) {
    let Some(office) = state.office() else {
        return save(id, page, fields);
    };
    let kept: Fields = fields
        .iter()
        .filter(|(k, v)| keep(k) && v.len() <= 1024)
        .take(32)
        .cloned()
        .collect();
    let Ok(text) = serde_json::to_string(&kept) else {
        return;
    };
    let r = sqlx::query(
        "INSERT INTO drafts (id, page, fields, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id, page) DO UPDATE SET fields = $3, updated_at = $4",
    )
    .bind(id)
    .bind(page)
    .bind(text)
    .bind(crate::store::now_ms())
    .execute(&office.db.pool)
    .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "draft not saved");
    }
}

pub async fn load_shared(
    state: &crate::web::AppState,
    req: &HttpRequest,
    page: &str,
) -> Option<Fields> {
    let Some(office) = state.office() else {
        return load(req, page);
    };
    let c = req.cookie(DRAFT_COOKIE)?;
    let row: String = sqlx::query_scalar::<_, String>(
        "SELECT fields FROM drafts WHERE id = $1 AND page = $2 AND updated_at > $3",
    )
    .bind(c.value())
    .bind(page)
    .bind(crate::store::now_ms() - TTL.as_millis() as i64)
    .fetch_optional(&office.db.pool)
    .await
    .ok()??;
    serde_json::from_str(&row).ok()
}

pub async fn clear_shared(state: &crate::web::AppState, req: &HttpRequest, page: &str) {
    let (Some(office), Some(c)) = (state.office(), req.cookie(DRAFT_COOKIE)) else {
        return clear(req, page);
    };
    let _ = sqlx::query("DELETE FROM drafts WHERE id = $1 AND page = $2")
        .bind(c.value())
        .bind(page)
        .execute(&office.db.pool)
        .await;
}
