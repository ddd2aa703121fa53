//! The pages' words come from the Fluent catalogues (`crate::i18n`, `locales/<lang>/pages.ftl`),
//! keyed by a stable id, so a page never holds text of its own and no language is second
//! class. Per-rule instructions come from `vetting::messages`.

use crate::i18n::{self, Lang};
pub use crate::i18n::{next_step_text, t, tf};

/// A domain message (an entry error) for a page: Japanese and English pages show the domain's
/// own detailed text, the other languages the catalogue's `err-<code>` (English when the code
/// is not there). The domain's English is written as clauses ("enter the date of birth"); a
/// page shows sentences.
pub fn tr(lang: Lang, code: &str, en: String, ja: String) -> String {
    let key = format!("err.{code}");
    match lang {
        Lang::Ja => ja,
        Lang::En => sentence(en),
        _ if i18n::has(lang, &key) => t(lang, &key).to_string(),
        _ => sentence(en),
    }
}

fn sentence(en: String) -> String {
    let mut chars = en.chars();
    let mut s: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => return en,
    };
    if !s.ends_with(['.', '!', '?', ':']) {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_messages_in_each_language() {
        assert_eq!(
            tr(
                Lang::En,
                "dob_empty",
                "enter the date of birth".into(),
                "x".into()
            ),
            "Enter the date of birth."
        );
        assert_eq!(
            tr(Lang::Ja, "dob_empty", "x".into(), "生年月日".into()),
            "生年月日"
        );
        assert_eq!(
            tr(Lang::Vi, "dob_empty", "x".into(), "y".into()),
            t(Lang::Vi, "err.dob_empty")
        );
        assert_eq!(
            tr(Lang::Vi, "no_such_code", "abc".into(), "y".into()),
            "Abc."
        );
    }

    #[test]
    fn every_key_the_pages_use_exists() {
        let sources = [
            include_str!("apply.rs"),
            include_str!("console.rs"),
            include_str!("html.rs"),
            include_str!("mod.rs"),
            include_str!("../../../templates/base.html"),
            include_str!("../../../templates/home.html"),
            include_str!("../../../templates/error.html"),
        ];
        for src in sources {
            // Literal keys: "area.name" passed to t/tf or listed in arrays.
            for part in src.split('"').skip(1).step_by(2) {
                let (area, rest) = part.split_once('.').unwrap_or(("", ""));
                let looks_like_key = !area.is_empty()
                    && !rest.is_empty()
                    && area.bytes().all(|b| b.is_ascii_lowercase())
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                let known_area = [
                    "lang", "site", "console", "common", "form", "home", "steps", "apply", "sent",
                    "link", "session", "photo", "details", "confirm", "done", "status", "state",
                    "error", "channel", "next",
                ]
                .contains(&area);
                // Template file names (`home.html`) look like keys but are not.
                if looks_like_key && known_area && rest != "html" {
                    assert!(
                        i18n::has(Lang::Ja, part),
                        "UI text {part} missing from the catalogue"
                    );
                }
            }
        }
        for s in crate::application::State::ALL {
            for l in Lang::ALL {
                assert_ne!(t(l, &format!("state.{}", s.as_str())), "?", "{s}");
            }
        }
        for c in crate::application::Channel::ALL {
            assert_ne!(
                t(Lang::En, &format!("channel.{}", c.as_str())),
                "?",
                "{c:?}"
            );
        }
    }
}
