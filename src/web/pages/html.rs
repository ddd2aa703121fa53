//! The page frame (`templates/base.html`, through `Frame`) and the pieces of HTML the pages not
//! yet moved to templates still assemble in Rust, with their escaping helper. Every word shown
//! comes from the catalogues; this file only arranges them.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;

use super::i18n::t;
use crate::mail::templates::Lang;

/// Escapes text for element content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How the header's language buttons send the choice.
pub enum Switch<'a> {
    /// Through the page's own form (`form` attribute), so what was typed travels with it and
    /// comes back in the other language.
    Form { id: &'a str, action: &'a str },
    /// A small form of its own to `/lang`, coming back to `back`.
    Own {
        back: &'a str,
        csrf: Option<&'a str>,
    },
}

pub struct Frame<'a> {
    pub lang: Lang,
    pub title: &'a str,
    pub switch: Switch<'a>,
    /// The reviewer console (another header, wider layout).
    pub console: bool,
}

impl Frame<'_> {
    /// The page's words, for the templates.
    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    pub fn brand(&self) -> &'static str {
        self.t(if self.console {
            "console.brand"
        } else {
            "site.brand"
        })
    }

    /// The header's languages: every language for applicants, Japanese and English in the
    /// console.
    pub fn languages(&self) -> &'static [Lang] {
        if self.console {
            &[Lang::Ja, Lang::En]
        } else {
            &Lang::ALL
        }
    }

    /// A language's name in itself ("Tiếng Việt"), so a person finds theirs.
    pub fn name_of(&self, l: &Lang) -> &'static str {
        t(*l, "lang.name")
    }

    /// Whether `l` is the page's language (the pressed button).
    pub fn is_current(&self, l: &Lang) -> bool {
        *l == self.lang
    }
}

/// A page whose body is still assembled in Rust, in the frame of `base.html`.
#[derive(Template)]
#[template(path = "legacy.html")]
struct Legacy<'a> {
    frame: &'a Frame<'a>,
    body: &'a str,
}

/// Renders a template; rendering only fails on a formatting error, which is logged.
pub fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template");
        String::new()
    })
}

/// A whole document: `body` (already HTML) in the page frame.
pub fn document(f: &Frame<'_>, body: &str) -> String {
    render(&Legacy { frame: f, body })
}

/// A page response: HTML, never cached (it shows personal data), strict CSP (no inline code).
pub fn respond(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(security_csp())
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Frame-Options", "DENY"))
        .body(html)
}

pub fn security_csp() -> (&'static str, &'static str) {
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
}

pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        esc(name),
        esc(value)
    )
}

/// One labelled input with its hint and error, wired for screen readers.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub value: &'a str,
    pub error: Option<&'a str>,
    /// Extra attributes: type, autocomplete, inputmode, required...
    pub attrs: &'a str,
}

pub fn field(f: &Field<'_>) -> String {
    let mut described = Vec::new();
    let hint = match f.hint {
        Some(h) => {
            described.push(format!("{}-hint", f.name));
            format!(
                "<p class=\"hint\" id=\"{}-hint\">{}</p>",
                esc(f.name),
                esc(h)
            )
        }
        None => String::new(),
    };
    let error = match f.error {
        Some(e) => {
            described.push(format!("{}-error", f.name));
            format!(
                "<p class=\"error\" id=\"{}-error\">{}</p>",
                esc(f.name),
                esc(e)
            )
        }
        None => String::new(),
    };
    let aria = if described.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{}\"", described.join(" "))
    };
    let invalid = if f.error.is_some() {
        " aria-invalid=\"true\""
    } else {
        ""
    };
    format!(
        "<div class=\"field{cls}\"><label for=\"{name}\">{label}</label>{hint}{error}\
         <input id=\"{name}\" name=\"{name}\" value=\"{value}\" {attrs}{aria}{invalid}></div>",
        cls = if f.error.is_some() { " has-error" } else { "" },
        name = esc(f.name),
        label = esc(f.label),
        value = esc(f.value),
        attrs = f.attrs,
    )
}

/// Yes/no radio buttons.
pub fn yes_no(lang: Lang, name: &str, legend: &str, hint: Option<&str>, value: bool) -> String {
    let hint = hint
        .map(|h| format!("<p class=\"hint\">{}</p>", esc(h)))
        .unwrap_or_default();
    let radio = |v: &str, checked: bool, label: &str| {
        format!(
            "<label class=\"choice\"><input type=\"radio\" name=\"{n}\" value=\"{v}\"{c}> {l}</label>",
            n = esc(name),
            c = if checked { " checked" } else { "" },
            l = esc(label)
        )
    };
    format!(
        "<fieldset class=\"field\"><legend>{}</legend>{hint}{}{}</fieldset>",
        esc(legend),
        radio("yes", value, t(lang, "common.yes")),
        radio("no", !value, t(lang, "common.no")),
    )
}

/// A notice box; `kind` is ok, warn, error or info.
pub fn notice(kind: &str, heading: &str, body: &str) -> String {
    let role = if kind == "error" {
        " role=\"alert\""
    } else {
        ""
    };
    format!(
        "<div class=\"notice {kind}\"{role}><p class=\"notice-title\">{}</p>{body}</div>",
        esc(heading)
    )
}

/// The applicant's progress: 1 contact, 2 photo, 3 details, 4 confirm.
pub fn steps(lang: Lang, current: usize) -> String {
    let names = [
        "steps.contact",
        "steps.photo",
        "steps.details",
        "steps.confirm",
    ];
    let items: String = names
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let n = i + 1;
            let (cls, aria) = match n.cmp(&current) {
                std::cmp::Ordering::Less => ("done", ""),
                std::cmp::Ordering::Equal => ("current", " aria-current=\"step\""),
                std::cmp::Ordering::Greater => ("todo", ""),
            };
            format!(
                "<li class=\"{cls}\"{aria}><span class=\"n\">{n}</span> {}</li>",
                esc(t(lang, k))
            )
        })
        .collect();
    format!(
        "<ol class=\"steps\" aria-label=\"{}\">{items}</ol>",
        esc(t(lang, "steps.label"))
    )
}

/// Unix milliseconds as Japan time, "2026-11-21 13:05".
pub fn jst(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| {
            (d + chrono::Duration::hours(9))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_frame_template_escapes_and_names_every_language() {
        let frame = Frame {
            lang: Lang::Vi,
            title: "<script>x</script>",
            switch: Switch::Form {
                id: "main-form",
                action: "/apply?a=1&b=\"2\"",
            },
            console: false,
        };
        let page = document(&frame, "<p id=body>kept</p>");
        assert!(page.contains("<html lang=\"vi\">"), "{page}");
        assert!(
            page.contains("<title>&#60;script&#62;x&#60;/script&#62; |"),
            "{page}"
        );
        assert!(!page.contains("<script>x"), "{page}");
        assert!(
            page.contains("<p id=body>kept</p>"),
            "body as given: {page}"
        );
        assert!(
            page.contains("formaction=\"/apply?a=1&#38;b=&#34;2&#34;\""),
            "{page}"
        );
        assert_eq!(page.matches("name=\"_lang\"").count(), Lang::ALL.len());
        assert_eq!(page.matches("aria-pressed=\"true\"").count(), 1);
        assert!(page.contains("aria-pressed=\"true\" class=\"lang\" form=\"main-form\""));
        assert!(page.contains(">Tiếng Việt</button>") && page.contains(">မြန်မာ</button>"));
        // The hidden default button comes before the language buttons.
        let default = page.find("hidden tabindex=\"-1\"").expect("default button");
        assert!(default < page.find("name=\"_lang\"").unwrap_or(0));
        let console = Frame {
            lang: Lang::Ja,
            title: "t",
            switch: Switch::Own {
                back: "/console",
                csrf: Some("tok"),
            },
            console: true,
        };
        let page = document(&console, "");
        assert_eq!(page.matches("name=\"_lang\"").count(), 2, "{page}");
        assert!(page.contains("name=\"csrf_token\" value=\"tok\""), "{page}");
        assert!(page.contains("<body class=\"console\">"), "{page}");
    }
}
