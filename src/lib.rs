//! mynumber-photo: vets ID photos for My Number Card applications, produces the issuer-ready
//! 35:45 crop, and takes whole applications. The CLI, the service and the booth agent share
//! this library.
//!
//! Data flows one way: bytes -> `vetting` (report, crop) -> `office` (durable application,
//! audit log, mail outbox) -> `review` (people overrule the machine) -> `forwarding` (batches
//! for the issuer). `web` is the HTTP face of all of it.

pub mod application;
pub mod auth;
pub mod config;
pub mod eval;
pub mod forwarding;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod office;
pub mod outbox;
pub mod retention;
pub mod review;
pub mod store;
pub mod vetting;
pub mod web;
