//! The HTTP service (actix-web). Thin: parse, call the library, render.

pub mod api;
pub mod applications;
pub mod booths;
pub mod metrics;
pub mod openapi;
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
    /// Web starts (each sends a mail): per client address, per form ID and per e-mail.
    pub start_limit: ratelimit::RateLimiter,
    pub start_addr_limit: ratelimit::RateLimiter,
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
            status_limit: ratelimit::RateLimiter::named("status", 10, MINUTE),
            login_limit: ratelimit::RateLimiter::named("login", 10, MINUTE),
            start_limit: ratelimit::RateLimiter::named("start", 5, MINUTE),
            start_addr_limit: ratelimit::RateLimiter::named("start:addr", 30, MINUTE),
        }
    }

    pub fn with_office(mut self, office: Arc<Office>) -> AppState {
        self.status_limit =
            ratelimit::RateLimiter::named("status", office.config.status_per_minute, MINUTE);
        self.start_limit =
            ratelimit::RateLimiter::named("start", office.config.start_per_minute, MINUTE);
        self.start_addr_limit = ratelimit::RateLimiter::named(
            "start:addr",
            office.config.start_per_minute_per_address,
            MINUTE,
        );
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

/// The `/api/v1` routes from one table: registered by `api_v1` and listed in `API_V1_ROUTES`,
/// which `tests/openapi.rs` compares with the OpenAPI document (`openapi.rs`).
macro_rules! api_v1_routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        fn api_v1(scope: actix_web::Scope) -> actix_web::Scope {
            scope $(.route($path, web::$method().to($handler)))*
        }
        /// (method, path under `/api/v1`) of every registered API route.
        pub const API_V1_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];
    };
}

api_v1_routes! {
    post "/vet" => api::vet,
    post "/crop" => api::crop,
    post "/overlay" => api::overlay,
    post "/applications" => applications::submit_booth,
    post "/booth/health" => booths::report,
    post "/web/start" => applications::web_start,
    post "/web/session" => applications::web_session,
    get "/web/application" => applications::web_application,
    post "/web/photo" => applications::web_photo,
    post "/web/details" => applications::web_details,
    get "/status" => applications::status,
    post "/status" => applications::status_post,
    post "/review/login" => review::login,
    post "/review/logout" => review::logout,
    get "/review/me" => review::me,
    get "/review/queue" => review::queue,
    get "/review/items/{id}" => review::item,
    get "/review/items/{id}/photo/{kind}" => review::photo,
    post "/review/items/{id}/decision" => review::decide,
    get "/openapi.json" => openapi::document,
}

/// Routes, shared by `serve` and the tests' in-process server.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(api::healthz))
        .route("/metrics", web::get().to(api::metrics))
        .service(api_v1(web::scope("/api/v1")))
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

/// The jobs beside the HTTP server: one job runner (mail, forwarding, retention, the orphan
/// cleanup), sharing the `jobs` table with every other instance. A mail transport that cannot
/// be built fails only the mail job (retried, its error in `jobs.last_error`); the others run.
pub fn start_background(office: Arc<Office>) {
    let transport = match crate::mail::Transport::from_config(
        office.config.smtp_url.as_deref(),
        &office.config.mail_dir(),
    ) {
        Ok(t) => {
            tracing::info!(mail = %t.describe(), "mail");
            Some(Arc::new(t))
        }
        Err(e) => {
            tracing::error!(error = %e, "mail transport not usable; mail stays in the outbox");
            None
        }
    };
    let wake = office.mail_wakeup.clone();
    let runner = Arc::new(crate::jobs::Runner {
        office,
        transport,
        worker: crate::jobs::worker_name(),
        handlers: Default::default(),
    });
    tokio::spawn(runner.run(wake));
}
