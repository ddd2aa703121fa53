//! A real service process for end-to-end tests: its own data folder, SQLite or a fresh
//! PostgreSQL database, a booth token and a reviewer, spoken to over HTTP with ureq.
#![allow(dead_code)]

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_mynumber-photo");
pub const REVIEWER: &str = "rev-alice";
pub const REVIEWER_PASSWORD: &str = "correct horse battery staple";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use (`.ci/run` starts one and sets this); `None` after saying
/// why when there is none. Under CI a missing server is a failure, not a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("MNP_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must provide PostgreSQL: set MNP_TEST_POSTGRES_URL (see .ci/run)"
            );
            eprintln!("skipped on PostgreSQL: MNP_TEST_POSTGRES_URL is not set (.ci/run sets it)");
            None
        }
    }
}

/// The backends to run a test on: SQLite always, PostgreSQL when available.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        b.push(Backend::Postgres);
    }
    b
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn unique(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{tag}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh database on the test PostgreSQL server.
pub fn fresh_postgres(admin: &str, name: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(admin)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("create database");
        pool.close().await;
    });
    let (base, _) = admin.rsplit_once('/').expect("database URL with a /db");
    format!("{base}/{name}")
}

pub struct Service {
    pub backend: Backend,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub port: u16,
    pub base: String,
    pub booth_token: String,
    child: Option<Child>,
    extra: Vec<(String, String)>,
    /// The log file's name in the data folder (twins share the folder).
    log_name: String,
    /// Environment for every process (serve and admin), e.g. the S3 store's settings.
    env: Vec<(String, String)>,
}

impl Service {
    pub fn start(backend: Backend, tag: &str) -> Service {
        Service::start_with(backend, tag, &[])
    }

    /// Starts with extra `--flag value` pairs for `serve`.
    pub fn start_with(backend: Backend, tag: &str, extra: &[(&str, &str)]) -> Service {
        Service::start_env(backend, tag, extra, &[])
    }

    /// Starts with extra `serve` flags and environment variables for every process.
    pub fn start_env(
        backend: Backend,
        tag: &str,
        extra: &[(&str, &str)],
        env: &[(&str, &str)],
    ) -> Service {
        let name = unique(tag);
        let data_dir = std::env::temp_dir().join(format!("mnp-e2e-{name}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres(
                &postgres_admin_url().expect("PostgreSQL URL"),
                &name.to_lowercase(),
            )),
        };
        let port = free_port();
        let mut s = Service {
            backend,
            data_dir,
            database_url,
            port,
            base: format!("http://127.0.0.1:{port}"),
            booth_token: String::new(),
            child: None,
            extra: extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            log_name: "service.log".into(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        s.booth_token = s
            .admin(&["booth", "add", "booth-1"], None)
            .trim()
            .to_string();
        s.admin(&["reviewer", "add", REVIEWER], Some(REVIEWER_PASSWORD));
        s.spawn();
        s
    }

    fn common_args(&self, cmd: &mut Command) {
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.arg("--data-dir").arg(&self.data_dir);
        if let Some(url) = &self.database_url {
            cmd.arg("--database-url").arg(url);
        }
    }

    /// Runs `mynumber-photo admin ARGS` against this service's storage; returns stdout.
    pub fn admin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut cmd = Command::new(BIN);
        cmd.arg("admin");
        self.common_args(&mut cmd);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("admin command");
        if let Some(input) = stdin {
            use std::io::Write;
            let mut i = child.stdin.take().expect("stdin");
            writeln!(i, "{input}").expect("write stdin");
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().expect("admin output");
        assert!(
            out.status.success(),
            "admin {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Starts `mynumber-photo admin ARGS` against this service's storage and returns the
    /// process (to be killed by the test).
    pub fn admin_spawn(&self, args: &[&str]) -> Child {
        let mut cmd = Command::new(BIN);
        cmd.arg("admin");
        self.common_args(&mut cmd);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd.spawn().expect("admin command")
    }

    /// A second instance of the same deployment: the same database, photo store, data folder
    /// (mail, issuer outbox) and flags, on its own port; started.
    pub fn twin(&self, n: u32) -> Service {
        let port = free_port();
        let mut t = Service {
            backend: self.backend,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            port,
            base: format!("http://127.0.0.1:{port}"),
            booth_token: self.booth_token.clone(),
            child: None,
            extra: self.extra.clone(),
            log_name: format!("service-{n}.log"),
            env: self.env.clone(),
        };
        t.spawn();
        t
    }

    /// Stops the process (SIGKILL) without removing the shared data folder.
    pub fn stop(&mut self) {
        self.kill9();
    }

    /// (Re)starts the server process and waits until it answers.
    pub fn spawn(&mut self) {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve");
        self.common_args(&mut cmd);
        cmd.arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--models")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("models"))
            .arg("--insecure-cookies");
        // Forwarding every second unless the test chose its own period.
        if !self.extra.iter().any(|(k, _)| k == "--forward-seconds") {
            cmd.arg("--forward-seconds").arg("1");
        }
        cmd.arg("--public-url").arg(&self.base);
        for (k, v) in &self.extra {
            cmd.arg(k).arg(v);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join(&self.log_name))
            .expect("log");
        cmd.stdout(Stdio::null())
            .stderr(log)
            .env("RUST_LOG", "info");
        self.child = Some(cmd.spawn().expect("spawn the service"));
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = agent().get(format!("{}/healthz", self.base)).call() {
                if r.status() == 200 {
                    return;
                }
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("service exited at start ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "service did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// kill -9: no chance to flush or clean up.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join(&self.log_name)).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The .eml files written so far (the default mail transport), oldest first.
    pub fn mails(&self) -> Vec<String> {
        let dir = self.data_dir.join("mail");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .map(|p| decode_mail(&std::fs::read(p).unwrap_or_default()))
            .collect()
    }

    /// Waits until `n` mails exist.
    pub fn wait_mails(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let m = self.mails();
            if m.len() >= n {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} mails, have {}",
                m.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `f` on a pool connected to this service's database (test inspection only).
    fn with_pool<T>(&self, f: impl AsyncFnOnce(&sqlx::AnyPool) -> T) -> T {
        let url = self
            .database_url
            .clone()
            .unwrap_or_else(|| mynumber_photo::store::Db::sqlite_url(&self.data_dir));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
            let v = f(&pool).await;
            pool.close().await;
            v
        })
    }

    /// One number from the database.
    pub fn sql_i64(&self, sql: &str) -> i64 {
        self.with_pool(async |pool| sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql))
    }

    /// A column of strings.
    pub fn sql_strings(&self, sql: &str) -> Vec<String> {
        self.with_pool(async |pool| sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql))
    }

    /// Runs a statement; returns the database's error message if it failed.
    pub fn sql_exec(&self, sql: &str) -> Result<u64, String> {
        self.with_pool(async |pool| {
            sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
                .map_err(|e| e.to_string())
        })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.data_dir);
        } else {
            eprintln!("service data and log kept in {}", self.data_dir.display());
        }
    }
}

/// Decodes a mail enough for assertions: quoted-printable and base64 bodies, RFC 2047 subjects,
/// via Python's email package (always on the machine).
pub fn decode_mail(raw: &[u8]) -> String {
    let script = "import sys,email,email.policy\n\
m=email.message_from_bytes(sys.stdin.buffer.read(),policy=email.policy.default)\n\
print('Subject:',m['subject']);print('To:',m['to'])\n\
b=m.get_body(preferencelist=('plain',));print(b.get_content() if b else '')";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    {
        use std::io::Write;
        let mut i = child.stdin.take().expect("stdin");
        i.write_all(raw).expect("write");
    }
    let out = child.wait_with_output().expect("python output");
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// `name=value` of a Set-Cookie header, for the next request's Cookie header.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_string())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
    pub fn set_cookie_line(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .find(|v| v.starts_with(&format!("{name}=")))
    }
}

fn into_resp(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
    try_resp(r).expect("HTTP request")
}

fn try_resp(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Resp, String> {
    let mut r = r.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut body = Vec::new();
    r.body_mut()
        .as_reader()
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a [u8]),
}

/// A multipart/form-data body.
pub fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "mnp-test-boundary-7d3f9a";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"photo\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A request with optional headers and body.
pub fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Resp {
    try_call(method, url, headers, body).expect("HTTP request")
}

/// Like `call`, but a dead server is an `Err`, not a panic.
pub fn try_call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Result<Resp, String> {
    try_call_with(&agent(), method, url, headers, body)
}

/// `try_call` through a given agent (e.g. one that does not follow redirects).
pub fn try_call_with(
    a: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Result<Resp, String> {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some((ct, _)) = &body {
        req = req.header("Content-Type", *ct);
    }
    let req = req
        .body(body.map(|(_, b)| b).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    try_resp(a.run(req))
}

pub fn get(url: &str, headers: &[(&str, &str)]) -> Resp {
    call("GET", url, headers, None)
}

pub fn post_json(url: &str, headers: &[(&str, &str)], json: &Value) -> Resp {
    call(
        "POST",
        url,
        headers,
        Some(("application/json", json.to_string().into_bytes())),
    )
}

pub fn post_multipart(url: &str, headers: &[(&str, &str)], parts: &[Part]) -> Resp {
    let (ct, body) = multipart(parts);
    call("POST", url, headers, Some((&ct, body)))
}

/// A booth submission.
pub fn submit_booth(
    s: &Service,
    key: &str,
    form_id: &str,
    dob: &str,
    photo: Option<&[u8]>,
) -> Resp {
    try_submit_booth(&s.base, &s.booth_token, key, form_id, dob, photo).expect("HTTP request")
}

pub fn try_submit_booth(
    base: &str,
    token: &str,
    key: &str,
    form_id: &str,
    dob: &str,
    photo: Option<&[u8]>,
) -> Result<Resp, String> {
    let auth = format!("Bearer {token}");
    let mut parts = vec![
        Part::Text("form_id", form_id),
        Part::Text("date_of_birth", dob),
        Part::Text("certificates", "yes"),
        Part::Text("braille", "no"),
    ];
    if let Some(p) = photo {
        parts.push(Part::File("photo", p));
    }
    let (ct, body) = multipart(&parts);
    try_call(
        "POST",
        &format!("{base}/api/v1/applications"),
        &[("Authorization", &auth), ("Idempotency-Key", key)],
        Some((&ct, body)),
    )
}

/// A 23-digit form ID from a number.
pub fn form_id(n: u64) -> String {
    format!("{:023}", 10_000_000_000_000_000_000_000u128 + n as u128)
}
