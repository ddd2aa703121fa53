//! mynumber-photo: vets ID photos for My Number Card applications and produces the
//! issuer-ready 35:45 crop. The CLI, the service and the booth agent share this library.

pub mod application;
pub mod eval;
pub mod vetting;
pub mod web;
