//! Cookie sessions for reviewers and applicants: HttpOnly, Secure, SameSite=Strict cookies that
//! carry only a random token; state-changing requests also need the session's CSRF token in
//! `X-CSRF-Token` (or a `csrf_token` form field) and must not come from another site.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponseBuilder};

use super::api::ApiError;
use super::AppState;
use crate::auth::{self, Reviewer, Session};

pub const REVIEWER_COOKIE: &str = "mnp_reviewer";
pub const APPLICANT_COOKIE: &str = "mnp_applicant";

pub fn set_cookie(state: &AppState, resp: &mut HttpResponseBuilder, name: &str, token: &str) {
    let secure = state
        .office()
        .map(|o| !o.config.insecure_cookies)
        .unwrap_or(true);
    resp.cookie(
        Cookie::build(name.to_string(), token.to_string())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish(),
    );
}

pub fn clear_cookie(resp: &mut HttpResponseBuilder, name: &str) {
    let mut c = Cookie::build(name.to_string(), "").path("/").finish();
    c.make_removal();
    resp.cookie(c);
}

pub fn unauthenticated() -> ApiError {
    ApiError::domain(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "sign in first",
        "ログインしてください。",
    )
}

fn forbidden(code: &'static str, en: &str, ja: &str) -> ApiError {
    ApiError::domain(StatusCode::FORBIDDEN, code, en, ja)
}

/// Refuses requests a browser marks as coming from another site.
fn same_site_only(req: &HttpRequest) -> Result<(), ApiError> {
    let cross = |s: &str| s == "cross-site";
    if let Some(site) = req
        .headers()
        .get("Sec-Fetch-Site")
        .and_then(|v| v.to_str().ok())
    {
        if cross(site) {
            return Err(forbidden(
                "cross_site",
                "cross-site request refused",
                "他のサイトからの操作は受け付けません。",
            ));
        }
    }
    if let Some(origin) = req.headers().get("Origin").and_then(|v| v.to_str().ok()) {
        let host = req.connection_info().host().to_string();
        let origin_host = origin
            .split_once("://")
            .map(|(_, h)| h)
            .unwrap_or(origin)
            .trim_end_matches('/');
        if origin != "null" && origin_host != host {
            return Err(forbidden(
                "cross_site",
                "cross-site request refused",
                "他のサイトからの操作は受け付けません。",
            ));
        }
    }
    Ok(())
}

async fn load(state: &AppState, req: &HttpRequest, cookie: &str) -> Result<Session, ApiError> {
    let office = state.office_or_unavailable()?;
    let token = req.cookie(cookie).ok_or_else(unauthenticated)?;
    auth::session(&office.db, token.value())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(unauthenticated)
}

/// For state-changing requests: same site, and the CSRF token matches the session's.
pub fn check_csrf(
    req: &HttpRequest,
    session: &Session,
    form_token: Option<&str>,
) -> Result<(), ApiError> {
    same_site_only(req)?;
    let given = req
        .headers()
        .get("X-CSRF-Token")
        .and_then(|v| v.to_str().ok())
        .or(form_token);
    match given {
        Some(t) if constant_eq(t.as_bytes(), session.csrf.as_bytes()) => Ok(()),
        _ => Err(forbidden(
            "csrf",
            "missing or wrong CSRF token",
            "不正な操作です。ページを再読み込みしてください。",
        )),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn reviewer(
    state: &AppState,
    req: &HttpRequest,
) -> Result<(Reviewer, Session), ApiError> {
    let s = load(state, req, REVIEWER_COOKIE).await?;
    match s.reviewer.clone() {
        Some(r) => Ok((r, s)),
        None => Err(unauthenticated()),
    }
}

/// The applicant's session: the one application its one-time link opened.
pub async fn applicant(state: &AppState, req: &HttpRequest) -> Result<(String, Session), ApiError> {
    let s = load(state, req, APPLICANT_COOKIE).await?;
    match s.application_id.clone() {
        Some(id) => Ok((id, s)),
        None => Err(unauthenticated()),
    }
}

/// The client address for rate limits: the TCP peer, unless the peer is a configured trusted
/// proxy (`--trusted-proxy`); then the right-most `X-Forwarded-For` address that is not itself
/// a trusted proxy (what a client puts further left is not believed).
pub fn client_key(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let trusted: &[std::net::IpAddr] = req
        .app_data::<actix_web::web::Data<AppState>>()
        .and_then(|s| s.office())
        .map(|o| o.config.trusted_proxies.as_slice())
        .unwrap_or(&[]);
    client_address(
        peer,
        trusted,
        req.headers()
            .get("X-Forwarded-For")
            .and_then(|v| v.to_str().ok()),
    )
    .to_string()
}

fn client_address(
    peer: std::net::IpAddr,
    trusted: &[std::net::IpAddr],
    forwarded_for: Option<&str>,
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::client_address;

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let proxy = "10.0.0.1".parse().unwrap();
        let client = "203.0.113.7".parse().unwrap();
        let h = Some("198.51.100.1, 203.0.113.7");
        // Untrusted peer: its header is ignored.
        assert_eq!(client_address(client, &[proxy], h), client);
        // Trusted proxy: the right-most address it saw; the spoofable left part is ignored.
        assert_eq!(client_address(proxy, &[proxy], h), client);
        assert_eq!(client_address(proxy, &[proxy], None), proxy);
    }
}
