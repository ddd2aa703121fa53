//! Outgoing mail: one-time links, completion notices and reviewers' decisions.
//!
//! Two transports: SMTP (lettre, configured by URL) and, when no SMTP server is configured, a
//! folder of `.eml` files, so development and tests need no mail server. Errors and `Debug`
//! output never carry a full recipient address or an SMTP password: both end up in logs.

pub mod templates;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use thiserror::Error;

/// Each SMTP command's time limit. A whole send stays well inside the outbox lease
/// (`outbox::LEASE_MS`), so no other instance takes a mail over while it is being delivered.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// One plain-text message (UTF-8; lettre picks quoted-printable or base64 for the body and
/// RFC 2047 for a non-ASCII subject).
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl fmt::Debug for Mail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mail")
            .field("to", &mask_address(&self.to))
            .field("subject", &self.subject)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Which address of a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressRole {
    Sender,
    Recipient,
}

impl fmt::Display for AddressRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressRole::Sender => "sender",
            AddressRole::Recipient => "recipient",
        })
    }
}

#[derive(Debug, Error)]
pub enum MailError {
    /// The address itself is deliberately not kept: errors are logged.
    #[error("invalid {0} address")]
    Address(AddressRole),
    #[error("could not build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("invalid SMTP configuration: {0}")]
    Config(String),
    #[error("could not create the mail folder {}: {source}", path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `detail` is lettre's message with anything address-like masked (servers often quote
    /// the refused recipient in their reply).
    #[error("SMTP delivery failed: {detail}")]
    Smtp {
        /// A 5xx reply: the same message will be refused again.
        permanent: bool,
        /// The SMTP reply code, when the server answered with one.
        code: Option<u16>,
        detail: String,
    },
    #[error("could not write the .eml file: {0}")]
    File(#[source] lettre::transport::file::Error),
}

impl MailError {
    /// True when retrying the same message cannot succeed: a 5xx SMTP reply, an invalid
    /// address, a message that cannot be built or a bad configuration. Network failures, 4xx
    /// replies and file errors (a full disk) are worth retrying.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::Address(_) | MailError::Build(_) | MailError::Config(_) => true,
            MailError::Smtp { permanent, .. } => *permanent,
            MailError::Folder { .. } | MailError::File(_) => false,
        }
    }

    /// The SMTP reply code, if the server sent one (e.g. 550, 451).
    pub fn smtp_code(&self) -> Option<u16> {
        match self {
            MailError::Smtp { code, .. } => *code,
            _ => None,
        }
    }

    fn smtp(err: lettre::transport::smtp::Error) -> MailError {
        let code = err.status().map(u16::from);
        MailError::Smtp {
            permanent: err.is_permanent(),
            code,
            detail: redact_addresses(&err.to_string()),
        }
    }
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// "smtp host:port" (no credentials), for logs.
        endpoint: String,
    },
    Eml {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Transport {
    /// SMTP when `smtp_url` is given (and not blank), else `.eml` files in `eml_dir`, which is
    /// created. URLs as lettre's `from_url` takes them: `smtp://host:port` (plain),
    /// `smtp://user:pass@host:port?tls=required` (STARTTLS), `smtps://...` (TLS from the
    /// start); `tls=starttls` is taken as `required` and `tls=none` as plain.
    pub fn from_config(smtp_url: Option<&str>, eml_dir: &Path) -> Result<Transport, MailError> {
        match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                let url = normalise_tls_param(url);
                let endpoint = describe_url(&url);
                if has_password(&url) && url.starts_with("smtp:") && !url.contains("tls=") {
                    tracing::warn!(%endpoint, "SMTP password configured without TLS: it crosses the network in clear");
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    .map_err(|e| MailError::Config(redact_addresses(&e.to_string())))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Transport::Smtp {
                    transport,
                    endpoint,
                })
            }
            None => {
                std::fs::create_dir_all(eml_dir).map_err(|source| MailError::Folder {
                    path: eml_dir.to_path_buf(),
                    source,
                })?;
                Ok(Transport::Eml {
                    transport: AsyncFileTransport::new(eml_dir),
                    dir: eml_dir.to_path_buf(),
                })
            }
        }
    }

    /// For the start-up log: "smtp host:port" or "eml files in DIR"; never a password.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { endpoint, .. } => endpoint.clone(),
            Transport::Eml { dir, .. } => format!("eml files in {}", dir.display()),
        }
    }

    /// Sends one message from `from` ("addr@host" or "Name <addr@host>").
    pub async fn send(&self, from: &str, mail: &Mail) -> Result<(), MailError> {
        let message = build_message(from, mail)?;
        match self {
            Transport::Smtp { transport, .. } => {
                transport.send(message).await.map_err(MailError::smtp)?;
            }
            Transport::Eml { transport, .. } => {
                transport.send(message).await.map_err(MailError::File)?;
            }
        }
        Ok(())
    }
}

fn build_message(from: &str, mail: &Mail) -> Result<Message, MailError> {
    let from: Mailbox = from
        .trim()
        .parse()
        .map_err(|_| MailError::Address(AddressRole::Sender))?;
    let to: Mailbox = mail
        .to
        .trim()
        .parse()
        .map_err(|_| MailError::Address(AddressRole::Recipient))?;
    let mut builder = Message::builder()
        // A line break in a subject would end the header early.
        .subject(mail.subject.replace(['\r', '\n'], " "))
        .header(ContentType::TEXT_PLAIN)
        .date_now();
    if let Some(id) = message_id(from.email.domain()) {
        builder = builder.message_id(Some(id));
    } else {
        // lettre's own random ID, on localhost.
        builder = builder.message_id(None);
    }
    Ok(builder.from(from).to(to).body(mail.body.clone())?)
}

/// `<random.time@sender-domain>`: the sender's domain keeps the ID unique to us and looks
/// less like spam than lettre's `@localhost`. None if the OS has no randomness to give.
fn message_id(domain: &str) -> Option<String> {
    let mut random = [0u8; 12];
    getrandom::fill(&mut random).ok()?;
    let millis = chrono::Utc::now().timestamp_millis();
    Some(format!("<{}.{millis}@{domain}>", hex::encode(random)))
}

/// lettre knows `tls=required|opportunistic`; people also write `starttls` and `none`.
fn normalise_tls_param(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| match p.split_once('=') {
            Some(("tls", v)) if v.eq_ignore_ascii_case("none") => None,
            Some(("tls", v)) if v.eq_ignore_ascii_case("starttls") => {
                Some("tls=required".to_string())
            }
            _ => Some(p.to_string()),
        })
        .collect();
    if params.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// "smtp host:port" plus the TLS mode, from a (normalised) URL; user and password dropped.
fn describe_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("smtp", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let tls = url
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("tls=")));
    let has_port = if host_port.starts_with('[') {
        host_port.contains("]:")
    } else {
        host_port.contains(':')
    };
    let (default_port, mode) = match (scheme, tls) {
        ("smtps", _) => (465, " (TLS)"),
        (_, Some("required")) => (587, " (STARTTLS)"),
        (_, Some(_)) => (587, " (STARTTLS if offered)"),
        _ => (25, ""),
    };
    if has_port {
        format!("{scheme} {host_port}{mode}")
    } else {
        format!("{scheme} {host_port}:{default_port}{mode}")
    }
}

fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// "t***@example.com": enough for a log line to tell mails apart by domain.
pub fn mask_address(address: &str) -> String {
    match address.trim().rsplit_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// Masks every whitespace-separated word that contains '@'.
fn redact_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains('@') {
                "[address]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_param_spellings() {
        assert_eq!(
            normalise_tls_param("smtp://h:25?tls=starttls"),
            "smtp://h:25?tls=required"
        );
        assert_eq!(normalise_tls_param("smtp://h:25?tls=none"), "smtp://h:25");
        assert_eq!(normalise_tls_param("smtp://h?tls=none&x=1"), "smtp://h?x=1");
        assert_eq!(normalise_tls_param("smtp://h:25"), "smtp://h:25");
    }

    #[test]
    fn describe_hides_credentials() {
        assert_eq!(describe_url("smtp://127.0.0.1:2525"), "smtp 127.0.0.1:2525");
        assert_eq!(
            describe_url("smtp://u%40x:s3cret@mail.example.jp?tls=required"),
            "smtp mail.example.jp:587 (STARTTLS)"
        );
        assert_eq!(describe_url("smtps://u:p@[::1]"), "smtps [::1]:465 (TLS)");
        let t = Transport::from_config(
            Some("smtp://user:s3cret@mail.example.jp:2525"),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(t.describe(), "smtp mail.example.jp:2525");
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn bad_scheme_is_config_error() {
        let err =
            Transport::from_config(Some("http://mail.example.jp"), Path::new(".")).unwrap_err();
        assert!(matches!(err, MailError::Config(_)), "{err:?}");
        assert!(err.is_permanent());
    }

    #[test]
    fn address_errors_do_not_echo() {
        let mail = Mail {
            to: "taro yamada@@example.jp".into(),
            subject: "s".into(),
            body: "b".into(),
        };
        let err = build_message("noreply@example.jp", &mail).unwrap_err();
        assert!(matches!(err, MailError::Address(AddressRole::Recipient)));
        assert_eq!(err.to_string(), "invalid recipient address");
        assert!(!format!("{err:?}").contains("yamada"));
        assert!(!format!("{mail:?}").contains("yamada"));
        let err = build_message(
            "not an address",
            &Mail {
                to: "a@example.jp".into(),
                ..mail
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid sender address");
    }

    #[test]
    fn masks() {
        assert_eq!(mask_address("taro@example.jp"), "t***@example.jp");
        assert_eq!(mask_address("nothing"), "***");
        assert_eq!(
            redact_addresses("550 5.1.1 <reject@example.jp>: no such user"),
            "550 5.1.1 [address] no such user"
        );
    }

    #[test]
    fn message_headers() {
        let mail = Mail {
            to: "hanako@example.jp".into(),
            subject: "件名\r\nBcc: x@evil.example".into(),
            body: "本文です。\nSecond line.".into(),
        };
        let msg = build_message("サービス <noreply@photo.example.jp>", &mail).unwrap();
        let raw = String::from_utf8(msg.formatted()).unwrap();
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("Message-ID: <"), "{raw}");
        assert!(raw.contains("@photo.example.jp>"), "{raw}");
        assert!(raw.contains("Date: "), "{raw}");
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }
}
