//! The HTTP service (actix-web). Thin: parse, call the library, render.

pub mod api;
pub mod applications;
pub mod metrics;
pub mod pages;
pub mod ratelimit;
pub mod review;
pub mod session;

use std::sync::Arc;

use actix_web::{web, App, HttpServer};
use tokio::sync::Semaphore;

use crate::office::Office;
use crate::vetting::Vetter;

pub struct AppState {
    pub vetter: Arc<Vetter>,
    /// Vetting jobs admitted at once (running or waiting for a core); beyond this the service
    /// answers 503 with Retry-After instead of queueing without bound.
    pub permits: Arc<Semaphore>,
    /// Vetting jobs running at once. Each uses up to two threads; running more than the cores
    /// allow only adds latency and memory (a decoded 12 MP photo per job).
    pub running: Arc<Semaphore>,
    pub metrics: metrics::Metrics,
    /// Applications, reviewers and mail; `None` for a vetting-only service.
    pub office: Option<Arc<Office>>,
    pub status_limit: ratelimit::RateLimiter,
    pub login_limit: ratelimit::RateLimiter,
}

impl AppState {
    pub fn new(vetter: Arc<Vetter>, max_inflight: usize) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState::with_limits(vetter, max_inflight, cores.div_ceil(2).max(1))
    }

    pub fn with_limits(vetter: Arc<Vetter>, max_inflight: usize, max_running: usize) -> AppState {
        AppState {
            vetter,
            permits: Arc::new(Semaphore::new(max_inflight.max(1))),
            running: Arc::new(Semaphore::new(max_running.max(1))),
            metrics: metrics::Metrics::new(),
            office: None,
            status_limit: ratelimit::RateLimiter::new(10, MINUTE),
            login_limit: ratelimit::RateLimiter::new(10, MINUTE),
        }
    }

    pub fn with_office(mut self, office: Arc<Office>) -> AppState {
        self.status_limit = ratelimit::RateLimiter::new(office.config.status_per_minute, MINUTE);
        self.office = Some(office);
        self
    }

    pub fn office(&self) -> Option<&Office> {
        self.office.as_deref()
    }

    pub fn office_or_unavailable(&self) -> Result<&Office, api::ApiError> {
        self.office().ok_or_else(|| {
            api::ApiError::domain(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "applications_disabled",
                "this service only vets photos",
                "このサービスでは申請を受け付けていません。",
            )
        })
    }
}

const MINUTE: std::time::Duration = std::time::Duration::from_secs(60);

/// Routes, shared by `serve` and the tests' in-process server.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(api::healthz))
        .route("/metrics", web::get().to(api::metrics))
        .service(
            web::scope("/api/v1")
                .route("/vet", web::post().to(api::vet))
                .route("/crop", web::post().to(api::crop))
                .route("/overlay", web::post().to(api::overlay))
                .route("/applications", web::post().to(applications::submit_booth))
                .route("/web/start", web::post().to(applications::web_start))
                .route("/web/session", web::post().to(applications::web_session))
                .route(
                    "/web/application",
                    web::get().to(applications::web_application),
                )
                .route("/web/photo", web::post().to(applications::web_photo))
                .route("/web/details", web::post().to(applications::web_details))
                .route("/status", web::get().to(applications::status))
                .route("/review/login", web::post().to(review::login))
                .route("/review/logout", web::post().to(review::logout))
                .route("/review/me", web::get().to(review::me))
                .route("/review/queue", web::get().to(review::queue))
                .route("/review/items/{id}", web::get().to(review::item))
                .route(
                    "/review/items/{id}/photo/{kind}",
                    web::get().to(review::photo),
                )
                .route(
                    "/review/items/{id}/decision",
                    web::post().to(review::decide),
                ),
        )
        .configure(pages::configure)
        .default_service(web::to(pages::not_found));
}

pub async fn serve(state: AppState, listen: &str, workers: usize) -> std::io::Result<()> {
    if let Some(office) = state.office.clone() {
        start_background(office);
    }
    let data = web::Data::new(state);
    tracing::info!(%listen, "serving");
    HttpServer::new(move || App::new().app_data(data.clone()).configure(configure))
        .workers(workers.max(1))
        .bind(listen)?
        .run()
        .await
}

/// The jobs beside the HTTP server: the mail sender, forwarding and retention.
fn start_background(office: Arc<Office>) {
    let transport = match crate::mail::Transport::from_config(
        office.config.smtp_url.as_deref(),
        &office.config.mail_dir(),
    ) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            tracing::error!(error = %e, "mail transport not usable; mail stays in the outbox");
            return;
        }
    };
    tracing::info!(mail = %transport.describe(), "mail");
    tokio::spawn(crate::outbox::run(
        office.db.clone(),
        transport,
        office.config.mail_from.clone(),
        office.mail_wakeup.clone(),
    ));
    let o = office.clone();
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(o.config.forward_seconds.max(1));
        loop {
            match crate::forwarding::run_once(&o).await {
                Ok(r) if r.forwarded > 0 => tracing::info!(?r, "forwarding"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "forwarding failed; will retry"),
            }
            tokio::time::sleep(every).await;
        }
    });
    tokio::spawn(async move {
        loop {
            match crate::forwarding::purge_originals(&office).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "retention"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "retention failed; will retry"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}
