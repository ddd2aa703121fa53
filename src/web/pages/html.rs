//! HTML without a template engine: an escaping helper, the page frame and form pieces. Every
//! word shown comes from `i18n` (or the rule catalogue); this file only arranges them.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

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

fn lang_buttons(lang: Lang, switch: &Switch<'_>, console: bool) -> String {
    let mut out = String::new();
    let langs: &[Lang] = if console {
        &[Lang::Ja, Lang::En]
    } else {
        &Lang::ALL
    };
    for &other in langs {
        let current = other == lang;
        let label = t(other, "lang.name");
        let pressed = if current { "true" } else { "false" };
        let attrs = match switch {
            Switch::Form { id, action } => format!(
                " form=\"{}\" formaction=\"{}\" formmethod=\"post\" formnovalidate",
                esc(id),
                esc(action)
            ),
            Switch::Own { .. } => String::new(),
        };
        out.push_str(&format!(
            "<button type=\"submit\" name=\"_lang\" value=\"{code}\" lang=\"{code}\" \
             aria-pressed=\"{pressed}\" class=\"lang\"{attrs}>{label}</button>",
            code = other.code(),
            label = esc(label),
        ));
    }
    match switch {
        Switch::Form { .. } => out,
        Switch::Own { back, csrf } => format!(
            "<form method=\"post\" action=\"/lang\" class=\"langform\">\
             <input type=\"hidden\" name=\"back\" value=\"{}\">{}{out}</form>",
            esc(back),
            csrf.map(|c| hidden("csrf_token", c)).unwrap_or_default()
        ),
    }
}

/// Enter in a field submits a form through its first submit button in document order, which
/// would be the header's language buttons (they belong to the page's form): a hidden button
/// before them makes Enter a plain submit.
fn default_button(switch: &Switch<'_>) -> String {
    match switch {
        Switch::Form { id, .. } => format!(
            "<button type=\"submit\" form=\"{}\" hidden tabindex=\"-1\" aria-hidden=\"true\"></button>",
            esc(id)
        ),
        Switch::Own { .. } => String::new(),
    }
}

/// A whole document.
pub fn document(f: &Frame<'_>, body: &str) -> String {
    let l = f.lang;
    let brand_href = if f.console { "/console" } else { "/" };
    let brand = if f.console {
        t(l, "console.brand")
    } else {
        t(l, "site.brand")
    };
    format!(
        "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} | {brand}</title>\n\
         <link rel=\"stylesheet\" href=\"/static/app.css\">\n\
         <script src=\"/static/app.js\" defer></script>\n</head>\n\
         <body class=\"{kind}\">\n{default}<a class=\"skip\" href=\"#main\">{skip}</a>\n\
         <header class=\"top\"><a class=\"brand\" href=\"{brand_href}\">{brand}</a>\
         <nav class=\"langs\" aria-label=\"{langs}\">{buttons}</nav></header>\n\
         <main id=\"main\" tabindex=\"-1\">\n{body}\n</main>\n</body>\n</html>\n",
        code = l.code(),
        title = esc(f.title),
        brand = esc(brand),
        kind = if f.console { "console" } else { "applicant" },
        skip = esc(t(l, "site.skip")),
        langs = esc(t(l, "site.language")),
        buttons = lang_buttons(l, &f.switch, f.console),
        default = default_button(&f.switch),
    )
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
}
