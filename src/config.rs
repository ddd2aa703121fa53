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
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (repeatable). The
    /// client is the right-most address in that header not itself a trusted proxy; without
    /// this flag the TCP peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "MNP_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `/metrics` answers only with `Authorization: Bearer TOKEN`; without a token it answers
    /// only to loopback clients.
    #[arg(long, env = "MNP_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Web starts per minute per form ID and per e-mail address (each sends a mail).
    #[arg(long, env = "MNP_START_PER_MINUTE", default_value_t = 5)]
    pub start_per_minute: u32,
    /// Web starts per minute per client address (several people may share one, e.g. a
    /// municipal office's network).
    #[arg(long, env = "MNP_START_PER_MINUTE_PER_ADDRESS", default_value_t = 30)]
    pub start_per_minute_per_address: u32,
    /// Seconds a job's worker may go without a heartbeat before another instance takes it over.
    #[arg(long, env = "MNP_JOB_LEASE_SECONDS", default_value_t = 60)]
    pub job_lease_seconds: u64,
    /// Minutes between retention (purge) runs and orphan-blob cleanups.
    #[arg(long, env = "MNP_RETENTION_MINUTES", default_value_t = 60)]
    pub retention_minutes: i64,
    /// Hours an unreferenced photo blob is left alone before the cleanup job removes it: far
    /// longer than any upload, so a blob whose row is about to commit is never touched.
    #[arg(long, env = "MNP_ORPHAN_GRACE_HOURS", default_value_t = 24)]
    pub orphan_grace_hours: i64,
    #[command(flatten)]
    pub retention: Retention,
}

/// How long each kind of personal data is kept (days unless said otherwise). Every table and
/// folder with personal data has a rule here; `admin purge` and the retention job apply them.
#[derive(Args, Debug, Clone)]
pub struct Retention {
    /// Applications never completed (no photo or details sent): withdrawn and their personal
    /// fields and photos removed.
    #[arg(long, env = "MNP_KEEP_UNFINISHED_DAYS", default_value_t = 30)]
    pub keep_unfinished_days: i64,
    /// Sent (or given-up) mail: body and recipient blanked in `mail_outbox`. Link mails (and
    /// every `.eml` file) go sooner: once a link written then has expired (`--link-minutes`).
    #[arg(long, env = "MNP_KEEP_MAIL_DAYS", default_value_t = 7)]
    pub keep_mail_days: i64,
    /// Ended or expired sessions and one-time links: rows deleted this long after expiry.
    #[arg(long, env = "MNP_KEEP_SESSIONS_DAYS", default_value_t = 1)]
    pub keep_sessions_days: i64,
    /// Booth idempotency records (they hold the answer body with the date of birth).
    #[arg(long, env = "MNP_KEEP_IDEMPOTENCY_DAYS", default_value_t = 7)]
    pub keep_idempotency_days: i64,
    /// Drafts typed on the pages without JavaScript (hours).
    #[arg(long, env = "MNP_KEEP_DRAFTS_HOURS", default_value_t = 24)]
    pub keep_drafts_hours: i64,
    /// Forwarded batch folders in the issuer outbox, once the issuer has had them.
    #[arg(long, env = "MNP_KEEP_BATCHES_DAYS", default_value_t = 30)]
    pub keep_batches_days: i64,
    /// Crops of forwarded applications (the issuer has its copy); 0 keeps them for reviewers'
    /// history indefinitely.
    #[arg(long, env = "MNP_KEEP_CROPS_DAYS", default_value_t = 365)]
    pub keep_crops_days: i64,
    /// Finished one-off jobs (done or failed): rows deleted.
    #[arg(long, env = "MNP_KEEP_JOBS_DAYS", default_value_t = 7)]
    pub keep_jobs_days: i64,
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
    pub fn job_lease_ms(&self) -> i64 {
        self.job_lease_seconds.max(1) as i64 * 1000
    }
    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }
}
