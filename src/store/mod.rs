//! Durable state: the database (SQLite by default, PostgreSQL at scale, one code path through
//! sqlx's Any driver) and the content-addressed photo store. Nothing here knows HTTP.

pub mod applications;
pub mod dashboard;
pub mod db;
pub mod photos;
pub mod s3;

pub use db::{Backend, Db};
pub use photos::{LocalPhotoStore, PhotoStore};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("photo store: {0}")]
    Io(#[from] std::io::Error),
    #[error("unsupported database URL (use sqlite://PATH or postgres://...)")]
    UnsupportedUrl,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A UNIQUE or PRIMARY KEY violation: someone else wrote the same thing first.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(e.kind(), sqlx::error::ErrorKind::UniqueViolation)
                    // Any's SQLite errors may not map the kind; fall back to the codes.
                    || matches!(e.code().as_deref(), Some("2067" | "1555" | "23505"))
            }
            _ => false,
        }
    }
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A random identifier (128 bits, hex): rows, batches, mails.
pub fn new_id() -> String {
    random_hex(16)
}

/// `n` random bytes from the OS, hex-encoded. Tokens use 32.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS generator failing is not something the service can work around.
    getrandom::fill(&mut buf).expect("the OS random number generator failed");
    hex::encode(buf)
}

/// SHA-256 hex of a secret (booth tokens, session and link tokens): only hashes are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}
