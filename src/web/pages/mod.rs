//! Server-rendered pages: the applicant's steps, the status lookup and the reviewer console.

use actix_web::web;

/// Page routes (everything outside `/api`).
pub fn configure(_cfg: &mut web::ServiceConfig) {}
