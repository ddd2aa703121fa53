//! The kiosk's live screen: the camera view (an MJPEG stream the browser shows in an `<img>`),
//! the one current instruction over it, the captured photo with its verdict, the choice after
//! the last retake, and the receipt, served on a loopback address for the booth's own browser.
//! Events reach the page as server-sent events (the same JSON lines as stdout).
//!
//! std only, a thread per connection: one local browser holds a stream and an event source.
//! Frames are published newest-only: a slow browser skips frames, it never queues them.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use std::sync::OnceLock;

use mynumber_photo::i18n::{self, Lang};
use serde_json::{json, Map, Value};

use crate::answers::AfterRetakes;

#[derive(Default)]
struct State {
    frame: Option<Arc<Vec<u8>>>,
    frame_seq: u64,
    events: Vec<String>,
    capture: Option<Arc<Vec<u8>>>,
    choice: Option<AfterRetakes>,
}

#[derive(Clone)]
pub struct Live {
    shared: Arc<(Mutex<State>, Condvar)>,
}

impl Live {
    /// Listens on `addr` (loopback only) and serves the screen on its own threads.
    pub fn start(addr: SocketAddr) -> std::io::Result<(Live, SocketAddr)> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("--live must be a loopback address (127.0.0.1:PORT), not {addr}"),
            ));
        }
        let listener = TcpListener::bind(addr)?;
        let bound = listener.local_addr()?;
        let live = Live {
            shared: Arc::new((Mutex::new(State::default()), Condvar::new())),
        };
        let server = live.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let l = server.clone();
                std::thread::spawn(move || {
                    let _ = l.serve(stream);
                });
            }
        });
        Ok((live, bound))
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        if let Ok(mut s) = self.shared.0.lock() {
            f(&mut s);
            self.shared.1.notify_all();
        }
    }

    /// The newest camera frame (JPEG).
    pub fn frame(&self, jpeg: Vec<u8>) {
        self.update(|s| {
            s.frame = Some(Arc::new(jpeg));
            s.frame_seq += 1;
        });
    }

    /// One event (a stdout JSON line) for the page.
    pub fn event(&self, line: &str) {
        let line = with_translations(line);
        self.update(|s| {
            // A day's events stay small (a few hundred bytes each); keep the last thousand.
            if s.events.len() >= 1000 {
                s.events.drain(..500);
            }
            s.events.push(line);
        });
    }

    /// The captured photo (JPEG) shown with its verdict.
    pub fn capture(&self, jpeg: Vec<u8>) {
        self.update(|s| s.capture = Some(Arc::new(jpeg)));
    }

    /// Waits for the person's choice on the page, at most `timeout`.
    pub fn wait_choice(&self, timeout: Duration) -> Option<AfterRetakes> {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().ok()?;
        s.choice = None;
        loop {
            if let Some(c) = s.choice.take() {
                return Some(c);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            s = cv
                .wait_timeout(s, left.min(Duration::from_millis(500)))
                .ok()?
                .0;
        }
    }

    fn serve(&self, mut stream: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut request = String::new();
        reader.read_line(&mut request)?;
        // Headers are not needed: read past them.
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
                break;
            }
        }
        let mut parts = request.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split('?').next().unwrap_or("");
        match (method, path) {
            ("GET", "/") => respond(
                &mut stream,
                "200 OK",
                "text/html; charset=utf-8",
                page().as_bytes(),
            ),
            ("GET", "/stream.mjpeg") => self.stream_frames(&mut stream),
            ("GET", "/events") => self.stream_events(&mut stream),
            ("GET", "/capture.jpg") => {
                let jpeg = self.shared.0.lock().ok().and_then(|s| s.capture.clone());
                match jpeg {
                    Some(j) => respond(&mut stream, "200 OK", "image/jpeg", &j),
                    None => respond(&mut stream, "404 Not Found", "text/plain", b"no capture"),
                }
            }
            ("POST", "/choice") => {
                let choice = match target.split_once("c=").map(|(_, c)| c) {
                    Some("submit_best") => Some(AfterRetakes::SubmitBest),
                    Some("cancel") => Some(AfterRetakes::Cancel),
                    _ => None,
                };
                match choice {
                    Some(c) => {
                        self.update(|s| s.choice = Some(c));
                        respond(&mut stream, "204 No Content", "text/plain", b"")
                    }
                    None => respond(
                        &mut stream,
                        "400 Bad Request",
                        "text/plain",
                        b"c=submit_best|cancel",
                    ),
                }
            }
            _ => respond(&mut stream, "404 Not Found", "text/plain", b"not found"),
        }
    }

    fn stream_frames(&self, stream: &mut TcpStream) -> std::io::Result<()> {
        stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n\
              Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        )?;
        let (lock, cv) = &*self.shared;
        let mut seen = 0u64;
        loop {
            let jpeg = {
                let mut s = lock.lock().map_err(|_| std::io::ErrorKind::Other)?;
                while s.frame_seq == seen {
                    s = cv
                        .wait_timeout(s, Duration::from_secs(1))
                        .map_err(|_| std::io::ErrorKind::Other)?
                        .0;
                }
                seen = s.frame_seq;
                s.frame.clone()
            };
            if let Some(j) = jpeg {
                write!(
                    stream,
                    "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
                    j.len()
                )?;
                stream.write_all(&j)?;
                stream.write_all(b"\r\n")?;
            }
        }
    }

    fn stream_events(&self, stream: &mut TcpStream) -> std::io::Result<()> {
        stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
              Connection: close\r\n\r\n",
        )?;
        let (lock, cv) = &*self.shared;
        // A page opened mid-visit starts from now: older events belong to earlier visits.
        let mut next = lock.lock().map(|s| s.events.len()).unwrap_or(0);
        loop {
            let batch: Vec<String> = {
                let mut s = lock.lock().map_err(|_| std::io::ErrorKind::Other)?;
                while s.events.len() == next {
                    let (g, t) = cv
                        .wait_timeout(s, Duration::from_secs(15))
                        .map_err(|_| std::io::ErrorKind::Other)?;
                    s = g;
                    if t.timed_out() {
                        break;
                    }
                }
                next = next.min(s.events.len());
                let b = s.events[next..].to_vec();
                next = s.events.len();
                b
            };
            if batch.is_empty() {
                // Keeps the connection alive through idle minutes.
                stream.write_all(b": idle\n\n")?;
            }
            for line in batch {
                write!(stream, "data: {line}\n\n")?;
            }
            stream.flush()?;
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

/// An event line with the text of its instruction (a catalogue key) in every language, so
/// the screen can show the person's language. Lines without one pass unchanged.
fn with_translations(line: &str) -> String {
    let Ok(Value::Object(mut v)) = serde_json::from_str::<Value>(line) else {
        return line.to_string();
    };
    let key = v
        .get("key")
        .or_else(|| v.get("instruction").and_then(|i| i.get("key")))
        .and_then(Value::as_str)
        .filter(|k| i18n::has(Lang::Ja, k))
        .map(str::to_string);
    let Some(key) = key else {
        return line.to_string();
    };
    let texts: Map<String, Value> = Lang::ALL
        .into_iter()
        .map(|l| (l.code().to_string(), json!(i18n::t(l, &key))))
        .collect();
    v.insert("texts".into(), Value::Object(texts));
    Value::Object(v).to_string()
}

/// The screen's words in every language (`locales/<lang>/kiosk.ftl`) and each language's
/// name in itself, as JSON for the page.
fn words_json() -> String {
    const KEYS: [&str; 11] = [
        "title", "language", "attract", "form", "accept", "review", "reject", "hold", "choose",
        "submit", "cancel",
    ];
    let all: Map<String, Value> = Lang::ALL
        .into_iter()
        .map(|l| {
            let mut w: Map<String, Value> = KEYS
                .iter()
                .map(|k| (k.to_string(), json!(i18n::t(l, &format!("kiosk.{k}")))))
                .collect();
            w.insert("name".into(), json!(i18n::t(l, "lang.name")));
            (l.code().to_string(), Value::Object(w))
        })
        .collect();
    // Inside a <script>: no "</" can close it early.
    Value::Object(all).to_string().replace("</", "<\\/")
}

fn page() -> &'static str {
    static PAGE_HTML: OnceLock<String> = OnceLock::new();
    // The buttons in the web pages' order (Japanese first); the words object is sorted by code.
    PAGE_HTML.get_or_init(|| {
        PAGE.replace("__WORDS__", &words_json())
            .replace("__LANGS__", &json!(Lang::ALL.map(Lang::code)).to_string())
    })
}

/// The page. Its words come from the catalogues (`__WORDS__`); text from events is set with
/// `textContent`, never as HTML. The person picks a language on the screen; the next person's
/// form brings the screen back to Japanese.
const PAGE: &str = r#"<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>マイナンバーカード写真</title>
<style>
body { margin: 0; font: 28px/1.4 sans-serif; background: #111; color: #fff; }
#view { position: relative; width: 100vw; height: 75vh; background: #000; }
#live { width: 100%; height: 100%; object-fit: contain; }
#count { position: absolute; top: 16px; right: 32px; font-size: 160px; font-weight: bold;
  text-shadow: 0 0 12px #000; }
#instruction { position: absolute; left: 0; right: 0; bottom: 0; padding: 16px 24px;
  background: rgba(0,0,0,.65); font-size: 36px; }
small { display: block; font-size: 22px; color: #ccc; } button small { color: #333; }
#panel { padding: 16px 24px; }
#result img { max-height: 30vh; border: 4px solid #888; }
#result.reject img { border-color: #d33; } #result.accept img { border-color: #3b3; }
button { font-size: 32px; min-height: 96px; margin: 8px 16px 8px 0; padding: 0 32px; }
pre { white-space: pre-wrap; font-size: 22px; }
#langs { display: flex; flex-wrap: wrap; gap: 8px; padding: 8px 24px; }
#langs button { font-size: 22px; min-height: 56px; margin: 0; padding: 0 16px; }
#langs button[aria-pressed="true"] { outline: 4px solid #3b3; }
</style></head><body>
<nav id="langs"></nav>
<div id="view"><img id="live" src="/stream.mjpeg" alt=""><div id="count" aria-live="assertive" hidden></div><div id="instruction" role="status" aria-live="polite"></div></div>
<div id="panel">
<div id="result" hidden><img id="capture" alt=""><p id="verdict"></p></div>
<div id="choice" hidden><p id="choice-text"></p>
<button id="submit" data-c="submit_best"></button><button id="cancel" data-c="cancel"></button></div>
<pre id="receipt" hidden></pre>
</div>
<script>
const WORDS = __WORDS__, LANGS = __LANGS__;
const $ = id => document.getElementById(id);
let lang = "ja", visitDone = false;
// What each element shows, to draw it again in another language.
const shown = new Map();
// The main line in the person's language; a small line in Japanese for the staff (English
// under Japanese).
function second() { return lang.startsWith("ja") ? "en" : "ja"; }
function put(el, main, small) {
  el.textContent = main;
  if (small && small !== main) {
    const s = document.createElement("small"); s.textContent = small; el.appendChild(s);
  }
}
function say(el, key) {
  shown.set(el, () => say(el, key));
  put(el, WORDS[lang][key], WORDS[second()][key]);
}
function instruct(v) {
  shown.set($("instruction"), () => instruct(v));
  const t = v.texts || {};
  put($("instruction"), t[lang] || (lang === "en" ? v.en : v.ja), t[second()] || (second() === "en" ? v.en : v.ja));
}
function choose(code) {
  lang = code;
  document.documentElement.lang = code;
  document.title = WORDS[code].title;
  $("langs").setAttribute("aria-label", WORDS[code].language);
  for (const b of $("langs").children) b.setAttribute("aria-pressed", String(b.dataset.lang === code));
  // Redraw what is on the screen in the new language.
  for (const draw of [...shown.values()]) draw();
}
for (const code of LANGS) {
  const b = document.createElement("button");
  b.dataset.lang = code; b.lang = code; b.textContent = WORDS[code].name;
  b.onclick = () => choose(code);
  $("langs").appendChild(b);
}
function show(id, on) { $(id).hidden = !on; }
say($("instruction"), "attract");
say($("submit"), "submit"); say($("cancel"), "cancel");
choose("ja");
for (const b of [$("submit"), $("cancel")]) b.onclick = () => {
  fetch("/choice?c=" + b.dataset.c, { method: "POST" }); show("choice", false);
};
const es = new EventSource("/events");
es.onmessage = m => {
  const v = JSON.parse(m.data);
  switch (v.event) {
    // The last receipt stays on the screen until the next person's form is read.
    case "attract":
      delete $("instruction").dataset.rule; say($("instruction"), "attract");
      // The next person starts in Japanese.
      if (visitDone) { visitDone = false; choose("ja"); }
      break;
    case "form_id": say($("instruction"), "form"); show("result", false); show("choice", false); show("receipt", false); break;
    case "instruction": show("count", false); {
      const i = $("instruction"); i.dataset.rule = v.rule; instruct(v); break;
    }
    case "countdown": say($("instruction"), "hold"); $("count").textContent = v.seconds_left; show("count", true); break;
    case "ready": say($("instruction"), "hold"); show("count", false); break;
    case "captured": {
      if (v.instruction) instruct({ ...v.instruction, texts: v.texts });
      $("capture").src = "/capture.jpg?" + v.attempt;
      $("result").className = v.verdict; $("result").dataset.verdict = v.verdict;
      say($("verdict"), v.verdict); show("result", true); break;
    }
    case "choose": say($("choice-text"), "choose"); show("choice", true); break;
    case "receipt": visitDone = true; $("receipt").textContent = v.text; show("receipt", true); show("choice", false); break;
  }
};
</script></body></html>"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_carry_every_language_and_the_page_every_word() {
        let line = r#"{"event":"instruction","rule":"F5","en":"x","ja":"y","key":"F5.too_close"}"#;
        let v: Value = serde_json::from_str(&with_translations(line)).expect("json");
        assert_eq!(v["texts"]["vi"], json!(i18n::t(Lang::Vi, "F5.too_close")));
        assert_eq!(v["texts"]["ja"], json!(i18n::t(Lang::Ja, "F5.too_close")));
        assert_ne!(v["texts"]["vi"], v["texts"]["ja"]);
        assert_eq!(v["rule"], "F5");
        let plain = r#"{"event":"countdown","seconds_left":2}"#;
        assert_eq!(with_translations(plain), plain);
        let page = page();
        assert!(!page.contains("__WORDS__") && page.contains(r#"LANGS = ["ja","ja-x-easy","en","#));
        assert!(page.contains(i18n::t(Lang::Th, "kiosk.attract")));
        assert!(page.contains(i18n::t(Lang::My, "lang.name")));
    }
}
