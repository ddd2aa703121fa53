//! One configuration for the service and the admin commands: flags, with environment
//! variables of the same meaning (`MNP_*`), over embedded defaults (SQLite and folders in the
//! data directory).

use std::path::PathBuf;

use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Folder for the SQLite database, photos, mail (.eml) and the issuer outbox.
    #[arg(long, env = "MNP_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// postgres://user:pass@host/db for PostgreSQL; default: SQLite in the data directory.
    #[arg(long, env = "MNP_DATABASE_URL")]
    pub database_url: Option<String>,
    /// smtp://host:port (or smtps://user:pass@host) to send mail; default: .eml files in
    /// DATA_DIR/mail.
    #[arg(long, env = "MNP_SMTP_URL")]
    pub smtp_url: Option<String>,
    #[arg(
        long,
        env = "MNP_MAIL_FROM",
        default_value = "mynumber-photo@localhost"
    )]
    pub mail_from: String,
    /// The address applicants reach the pages at, for the links in mail.
    #[arg(long, env = "MNP_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// Minutes a one-time link stays valid.
    #[arg(long, env = "MNP_LINK_MINUTES", default_value_t = 30)]
    pub link_minutes: i64,
    /// Days after forwarding when the original photo is purged (the crop went to the issuer).
    #[arg(long, env = "MNP_RETENTION_DAYS", default_value_t = 30)]
    pub retention_days: i64,
    /// Seconds between forwarding runs.
    #[arg(long, env = "MNP_FORWARD_SECONDS", default_value_t = 60)]
    pub forward_seconds: u64,
    /// Most applications in one forwarding batch.
    #[arg(long, env = "MNP_FORWARD_BATCH", default_value_t = 500)]
    pub forward_batch: i64,
    /// Where forwarded batches are written for the issuer; default DATA_DIR/outbox.
    #[arg(long, env = "MNP_OUTBOX_DIR")]
    pub outbox_dir: Option<PathBuf>,
    /// Status lookups per client per minute.
    #[arg(long, env = "MNP_STATUS_PER_MINUTE", default_value_t = 10)]
    pub status_per_minute: u32,
    /// An S3-compatible endpoint for photos (several machines); default: DATA_DIR/photos.
    /// Credentials from MNP_S3_ACCESS_KEY and MNP_S3_SECRET_KEY.
    #[arg(long, env = "MNP_S3_ENDPOINT", requires = "s3_bucket")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "MNP_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    #[arg(long, env = "MNP_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    #[arg(
        long,
        env = "MNP_S3_ACCESS_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub s3_access_key: String,
    #[arg(
        long,
        env = "MNP_S3_SECRET_KEY",
        default_value = "",
        hide_env_values = true
    )]
    pub s3_secret_key: String,
    /// Booth alarm: a booth not heard from for this long, or holding an unsent application
    /// this long, or holding one the service refused, is shown in alarm (console, /metrics).
    #[arg(long, env = "MNP_BOOTH_ALARM_SECONDS", default_value_t = 3600)]
    pub booth_alarm_seconds: i64,
    /// Send cookies without the Secure flag (only for plain-HTTP development setups).
    #[arg(long, env = "MNP_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| crate::store::Db::sqlite_url(&self.data_dir))
    }
    pub fn photos_dir(&self) -> PathBuf {
        self.data_dir.join("photos")
    }
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }
}
