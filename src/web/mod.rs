//! The HTTP service (actix-web). Thin: parse, call the library, render.

pub mod api;
pub mod metrics;

use std::sync::Arc;

use actix_web::{web, App, HttpServer};
use tokio::sync::Semaphore;

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
        }
    }
}

/// Routes, shared by `serve` and the tests' in-process server.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(api::healthz))
        .route("/metrics", web::get().to(api::metrics))
        .service(
            web::scope("/api/v1")
                .route("/vet", web::post().to(api::vet))
                .route("/crop", web::post().to(api::crop))
                .route("/overlay", web::post().to(api::overlay)),
        )
        .default_service(web::to(api::not_found));
}

pub async fn serve(state: AppState, listen: &str, workers: usize) -> std::io::Result<()> {
    let data = web::Data::new(state);
    tracing::info!(%listen, "serving");
    HttpServer::new(move || App::new().app_data(data.clone()).configure(configure))
        .workers(workers.max(1))
        .bind(listen)?
        .run()
        .await
}
