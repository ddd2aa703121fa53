//! Applicant-facing messages, keyed by rule id and case (`P9.open`). The words live in the
//! Fluent catalogues (`locales/<lang>/rules.ftl`, id `P9-open`; a rule's plain instruction for
//! reviewers' reasons is `rule-P9`). Reports, pages and the CLI all take their words from here.

use serde::{Deserialize, Serialize};

use crate::i18n::{self, Lang};

/// A message in Japanese and English (stored in reports and returned by the API), with the
/// catalogue key it came from so a page can show it in any language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub en: String,
    pub ja: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl Message {
    pub fn new(en: &str, ja: &str) -> Message {
        Message {
            en: en.to_string(),
            ja: ja.to_string(),
            key: None,
        }
    }

    /// The message in `lang`: from the catalogue when the key is known, else the stored text
    /// (Japanese for Japanese readers, English for everyone else).
    pub fn text(&self, lang: Lang) -> String {
        match &self.key {
            Some(key) if i18n::has(Lang::Ja, key) => i18n::t(lang, key).to_string(),
            _ if lang.is_japanese() => self.ja.clone(),
            _ => self.en.clone(),
        }
    }
}

fn keyed(key: &str) -> Message {
    Message {
        en: i18n::t(Lang::En, key).to_string(),
        ja: i18n::t(Lang::Ja, key).to_string(),
        key: Some(key.to_string()),
    }
}

/// The message for `key`; an unknown key is a programming error shown as the key itself so
/// that a test catches it rather than a user seeing nothing.
pub fn msg(key: &str) -> Message {
    if has(key) {
        keyed(key)
    } else {
        Message::new(key, key)
    }
}

pub fn has(key: &str) -> bool {
    // Rule instructions (`rule-P9`) are not case messages.
    !key.starts_with("rule.") && i18n::has(Lang::Ja, key)
}

/// Every rule a reviewer can name as a reason, in the order the console lists them.
const REASON_RULES: &[&str] = &[
    "F4", "F5", "F6", "F7", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11",
    "P12", "P13", "P14", "P15", "P16", "P17", "P18", "P19", "P20",
];

/// The plain instruction for a rule id (`P9`), for reviewers' reasons.
pub fn rule_title(rule: &str) -> Option<Message> {
    REASON_RULES
        .contains(&rule)
        .then(|| keyed(&format!("rule.{rule}")))
}

/// Every rule a reviewer can name as a reason.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    REASON_RULES.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_rule_has_an_instruction_and_messages_carry_their_key() {
        for r in rule_ids() {
            let m = rule_title(r).expect(r);
            assert!(!m.en.contains('?') && !m.ja.is_empty(), "{r}");
        }
        assert!(rule_title("P99").is_none());
        let m = msg("P9.open");
        assert_eq!(m.ja, "口が開いています。口を閉じてください。");
        assert_eq!(m.text(Lang::En), m.en);
        assert_ne!(m.text(Lang::Vi), m.en, "Vietnamese from the catalogue");
        assert_eq!(msg("P9.nonsense").en, "P9.nonsense");
        // A stored message without a key (older reports) still shows.
        assert_eq!(Message::new("e", "j").text(Lang::Ko), "e");
    }

    #[test]
    fn every_key_used_in_the_rules_exists() {
        // Scan the rule sources for "Pn.x" / "Fn.x" literal keys.
        let sources = [
            include_str!("rules/appearance.rs"),
            include_str!("rules/background.rs"),
            include_str!("rules/expression.rs"),
            include_str!("rules/file.rs"),
            include_str!("rules/geometry.rs"),
            include_str!("rules/pose.rs"),
            include_str!("rules/presence.rs"),
            include_str!("rules/quality.rs"),
        ];
        for src in sources {
            for part in src.split('"').skip(1).step_by(2) {
                let looks_like_key = part.len() > 3
                    && (part.starts_with('P')
                        || part.starts_with('F')
                        || part.starts_with("geometry."))
                    && part.contains('.')
                    && !part.contains(' ');
                if looks_like_key {
                    assert!(has(part), "message key {part} missing from the catalogue");
                }
            }
        }
    }
}
