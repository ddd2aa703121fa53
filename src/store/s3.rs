//! The photo store on an S3-compatible service (AWS S3, MinIO, Ceph...), for deployments on
//! several machines: the same four calls as the local folder. rusty-s3 signs each request
//! (sans-IO); ureq sends it. A PUT answered 200 is durable by S3's contract, so the write
//! order (blob, then row) holds as for the local store.

use std::io::{self, Read};
use std::time::{Duration, SystemTime};

use rusty_s3::actions::ListObjectsV2;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use super::photos::PhotoStore;

/// Signed URLs live only as long as one request needs.
const SIGNED_FOR: Duration = Duration::from_secs(300);

pub struct S3PhotoStore {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
}

impl std::fmt::Debug for S3PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "S3PhotoStore({} {})",
            self.bucket.base_url(),
            self.bucket.name()
        )
    }
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn key(sha: &str) -> io::Result<String> {
    let ok = sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(format!("{}/{sha}", &sha[..2]))
    } else {
        Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"))
    }
}

impl S3PhotoStore {
    /// `endpoint` like `https://s3.ap-northeast-1.amazonaws.com` or `http://127.0.0.1:9000`;
    /// path-style addressing, which every S3-compatible server understands.
    pub fn new(
        endpoint: &str,
        bucket: &str,
        region: &str,
        access_key: &str,
        secret_key: &str,
    ) -> io::Result<S3PhotoStore> {
        let url = endpoint.parse().map_err(other)?;
        let bucket = Bucket::new(url, UrlStyle::Path, bucket.to_string(), region.to_string())
            .map_err(other)?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Ok(S3PhotoStore {
            bucket,
            credentials: Credentials::new(access_key.to_string(), secret_key.to_string()),
            agent,
        })
    }

    /// Creates the bucket if it does not exist yet (for first starts and tests).
    pub fn ensure_bucket(&self) -> io::Result<()> {
        let head = self
            .bucket
            .head_bucket(Some(&self.credentials))
            .sign(SIGNED_FOR);
        let r = self.agent.head(head.as_str()).call().map_err(other)?;
        if r.status().is_success() {
            return Ok(());
        }
        let create = self
            .bucket
            .create_bucket(&self.credentials)
            .sign(SIGNED_FOR);
        let r = self
            .agent
            .put(create.as_str())
            .send_empty()
            .map_err(other)?;
        if r.status().is_success() || r.status().as_u16() == 409 {
            Ok(())
        } else {
            Err(other(format!("creating the bucket: HTTP {}", r.status())))
        }
    }
}

fn check(r: &ureq::http::Response<ureq::Body>, what: &str) -> io::Result<()> {
    match r.status().as_u16() {
        200..=299 => Ok(()),
        404 => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{what}: not found"),
        )),
        s => Err(other(format!("{what}: HTTP {s}"))),
    }
}

impl PhotoStore for S3PhotoStore {
    fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = super::sha256_hex(bytes);
        let url = self
            .bucket
            .put_object(Some(&self.credentials), &key(&sha)?)
            .sign(SIGNED_FOR);
        let r = self.agent.put(url.as_str()).send(bytes).map_err(other)?;
        check(&r, "S3 PUT")?;
        Ok(sha)
    }

    fn get(&self, sha: &str) -> io::Result<Vec<u8>> {
        let url = self
            .bucket
            .get_object(Some(&self.credentials), &key(sha)?)
            .sign(SIGNED_FOR);
        let mut r = self.agent.get(url.as_str()).call().map_err(other)?;
        check(&r, "S3 GET")?;
        let mut out = Vec::new();
        r.body_mut()
            .as_reader()
            .read_to_end(&mut out)
            .map_err(other)?;
        Ok(out)
    }

    fn delete(&self, sha: &str) -> io::Result<()> {
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), &key(sha)?)
            .sign(SIGNED_FOR);
        let r = self.agent.delete(url.as_str()).call().map_err(other)?;
        match check(&r, "S3 DELETE") {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }

    fn describe(&self) -> String {
        format!(
            "S3 bucket {} at {}",
            self.bucket.name(),
            self.bucket.base_url()
        )
    }

    fn list(&self) -> io::Result<Vec<(String, SystemTime)>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            if let Some(t) = &token {
                action.with_continuation_token(t.clone());
            }
            let url = action.sign(SIGNED_FOR);
            let mut r = self.agent.get(url.as_str()).call().map_err(other)?;
            check(&r, "S3 LIST")?;
            let text = r.body_mut().read_to_string().map_err(other)?;
            let page = ListObjectsV2::parse_response(&text).map_err(other)?;
            for obj in page.contents {
                let Some(sha) = obj.key.rsplit('/').next().filter(|s| s.len() == 64) else {
                    continue;
                };
                let modified = obj
                    .last_modified
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(SystemTime::from)
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                out.push((sha.to_string(), modified));
            }
            match page.next_continuation_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(out)
    }
}
