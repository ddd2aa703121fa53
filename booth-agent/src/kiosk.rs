//! The touch panel: a minimal page the agent serves on localhost for the items the QR code
//! does not carry, in Japanese and English, with touch-sized controls. The booth's browser
//! (kiosk mode) shows it; the answers are checked as the service checks them and the page
//! asks again until they are valid.
//!
//! Deliberately tiny (std only, one connection at a time): it listens on a loopback address
//! for one local browser, not on a network.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use chrono::NaiveDate;

use crate::answers::Answers;

/// The form values, kept to refill the page after an error.
#[derive(Debug, Default, Clone)]
struct Form {
    date_of_birth: String,
    certificates: String,
    braille: String,
    exception_reason: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(form: &Form, error: Option<(&str, &str)>, tail: &str) -> String {
    let checked = |v: &str, want: &str| if v == want { "checked" } else { "" };
    let yes_no = |name: &str, value: &str, ja: &str, en: &str| {
        format!(
            r#"<fieldset><legend>{ja}<br><small>{en}</small></legend>
<label><input type="radio" name="{name}" value="yes" {y} required> はい / Yes</label>
<label><input type="radio" name="{name}" value="no" {n}> いいえ / No</label></fieldset>"#,
            y = checked(value, "yes"),
            n = checked(value, "no"),
        )
    };
    let error = error
        .map(|(ja, en)| {
            format!(
                r#"<p class="err" role="alert">{}<br>{}</p>"#,
                esc(ja),
                esc(en)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>マイナンバーカード申請 / My Number Card application</title>
<style>
body {{ font: 28px/1.4 sans-serif; margin: 24px; }}
input, button {{ font-size: 32px; min-height: 64px; }}
input[type=radio] {{ width: 48px; height: 48px; vertical-align: middle; }}
label {{ display: inline-block; padding: 12px 32px 12px 0; }}
fieldset {{ margin: 16px 0; border: 2px solid #888; }}
button {{ width: 100%; min-height: 96px; background: #0b5; color: #fff; border: 0; }}
.err {{ color: #b00; font-weight: bold; }}
small {{ font-size: 22px; color: #444; }}
</style></head><body>
<h1>マイナンバーカード交付申請<br><small>My Number Card application</small></h1>
<p>申請書ID / Form ID: ****{tail}</p>
{error}
<form method="post" action="/answers">
<fieldset><legend>生年月日<br><small>Date of birth</small></legend>
<input type="date" name="date_of_birth" value="{dob}" required></fieldset>
{cert}
{braille}
<fieldset><legend>写真の例外事由（医療上・宗教上の理由など。なければ空欄）<br>
<small>Photo exception reason (medical, religious...; leave empty if none)</small></legend>
<input type="text" name="exception_reason" value="{reason}" style="width:100%"></fieldset>
<button type="submit">次へ / Next</button>
</form></body></html>"#,
        tail = esc(tail),
        dob = esc(&form.date_of_birth),
        cert = yes_no(
            "certificates",
            &form.certificates,
            "電子証明書を搭載しますか",
            "Include the electronic certificates?"
        ),
        braille = yes_no(
            "braille",
            &form.braille,
            "点字表記を希望しますか",
            "Braille on the card?"
        ),
        reason = esc(&form.exception_reason),
    )
}

const DONE: &str = r#"<!doctype html><html lang="ja"><head><meta charset="utf-8">
<style>body { font: 36px/1.4 sans-serif; margin: 24px; }</style></head><body>
<h1>ありがとうございます。カメラを見てください。</h1>
<p>Thank you. Please look at the camera.</p></body></html>"#;

/// `application/x-www-form-urlencoded` decoding; a malformed escape is kept as typed.
fn url_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_form(body: &str) -> Form {
    let mut f = Form::default();
    for pair in body.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = url_decode(v);
        match url_decode(k).as_str() {
            "date_of_birth" => f.date_of_birth = v,
            "certificates" => f.certificates = v,
            "braille" => f.braille = v,
            "exception_reason" => f.exception_reason = v,
            _ => {}
        }
    }
    f
}

fn check(form: &Form, today: NaiveDate) -> Result<Answers, (String, String)> {
    let yes = |v: &str, ja: &str, en: &str| match v {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err((format!("{ja}を選んでください。"), format!("Choose {en}."))),
    };
    let certificates = yes(
        &form.certificates,
        "電子証明書の搭載",
        "whether to include the certificates",
    )?;
    let braille = yes(&form.braille, "点字表記", "whether to have braille")?;
    Answers::from_parts(
        &form.date_of_birth,
        certificates,
        braille,
        Some(form.exception_reason.clone()),
        today,
    )
    .map_err(|e| match e {
        crate::answers::AnswersError::DateOfBirth(d) => (d.message_ja(), d.to_string()),
        other => (other.to_string(), other.to_string()),
    })
}

struct Request {
    method: String,
    path: String,
    body: String,
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    // The form is a few fields: anything larger is not ours.
    let mut body = vec![0u8; length.min(16 * 1024)];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn respond(stream: &mut TcpStream, status: &str, html: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{html}",
        html.len()
    );
}

/// Serves the page on `addr` until valid answers arrive; `on_listening` gets the bound
/// address (the port may be 0).
pub fn ask(
    addr: SocketAddr,
    form_id_tail: &str,
    today: NaiveDate,
    on_listening: &mut dyn FnMut(SocketAddr),
) -> std::io::Result<Answers> {
    let listener = TcpListener::bind(addr)?;
    on_listening(listener.local_addr()?);
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let Some(req) = read_request(&mut stream) else {
            continue;
        };
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/answers") => {
                let form = parse_form(&req.body);
                match check(&form, today) {
                    Ok(answers) => {
                        respond(&mut stream, "200 OK", DONE);
                        return Ok(answers);
                    }
                    Err((ja, en)) => respond(
                        &mut stream,
                        "422 Unprocessable Entity",
                        &page(&form, Some((&ja, &en)), form_id_tail),
                    ),
                }
            }
            ("GET", "/") => respond(
                &mut stream,
                "200 OK",
                &page(&Form::default(), None, form_id_tail),
            ),
            _ => respond(&mut stream, "404 Not Found", "<p>not found</p>"),
        }
    }
    Err(std::io::Error::other("the kiosk listener closed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_decodes_and_is_checked_like_the_service_checks_it() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
        let f = parse_form(
            "date_of_birth=1990-04-01&certificates=yes&braille=no&exception_reason=%E5%AE%97%E6%95%99+head",
        );
        assert_eq!(f.exception_reason, "宗教 head");
        let a = check(&f, today).expect("valid");
        assert!(a.certificates && !a.braille);
        let bad = parse_form("date_of_birth=2030-01-01&certificates=yes&braille=no");
        let (ja, en) = check(&bad, today).expect_err("future");
        assert!(!ja.is_empty() && !en.is_empty());
        let missing = parse_form("date_of_birth=1990-01-01&certificates=yes");
        assert!(check(&missing, today).is_err());
        // The page refills what was typed, escaped.
        let html = page(
            &Form {
                exception_reason: "<b>".into(),
                ..bad
            },
            Some(("誤り", "wrong")),
            "0123",
        );
        assert!(html.contains("&lt;b&gt;") && html.contains("****0123") && html.contains("誤り"));
    }
}
