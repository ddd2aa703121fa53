//! D1: the application form ID (申請書ID), 23 digits printed on the application form.
//!
//! It is not the person's 12-digit Individual Number (My Number), which the service never asks
//! for or stores: a 12-digit entry gets its own error, and no error ever echoes the input, so a
//! mistyped My Number cannot end up in a log through an error message.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::text::{ascii_digit, is_dash};

/// Digits in a form ID. There is no public check digit, so length is all we can verify.
pub const FORM_ID_DIGITS: usize = 23;
/// Digits in an Individual Number (My Number).
const MY_NUMBER_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormIdError {
    #[error("enter the 23-digit application form ID")]
    Empty,
    #[error(
        "12 digits looks like an Individual Number (My Number); do not enter it here: \
         enter the 23-digit application form ID from the application form"
    )]
    LooksLikeMyNumber,
    #[error("the application form ID has 23 digits; {0} were entered")]
    WrongLength(usize),
    #[error("the application form ID contains {0:?}; use digits only")]
    NonDigit(char),
}

impl FormIdError {
    /// A stable code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            FormIdError::Empty => "form_id_empty",
            FormIdError::LooksLikeMyNumber => "form_id_looks_like_my_number",
            FormIdError::WrongLength(_) => "form_id_wrong_length",
            FormIdError::NonDigit(_) => "form_id_non_digit",
        }
    }

    /// The message for applicants in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            FormIdError::Empty => "申請書ID（23桁）を入力してください。".to_string(),
            FormIdError::LooksLikeMyNumber => "12桁の番号は個人番号（マイナンバー）と思われます。\
                 個人番号は入力しないでください。申請書に記載された23桁の申請書IDを入力してください。"
                .to_string(),
            FormIdError::WrongLength(n) => {
                format!("申請書IDは23桁です。入力された数字は{n}桁です。")
            }
            FormIdError::NonDigit(c) => {
                format!("申請書IDに「{c}」が含まれています。数字のみを入力してください。")
            }
        }
    }
}

/// A form ID: exactly 23 ASCII digits. Serialised as that string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FormId(String);

impl FormId {
    /// Accepts what people type or paste: full-width digits become ASCII; whitespace (including
    /// the ideographic space) and dashes (see `text::is_dash`) are removed; then exactly 23
    /// ASCII digits must remain.
    pub fn parse(input: &str) -> Result<FormId, FormIdError> {
        let mut digits = String::with_capacity(FORM_ID_DIGITS);
        for c in input.chars().map(ascii_digit) {
            if c.is_whitespace() || is_dash(c) {
                continue;
            }
            if !c.is_ascii_digit() {
                return Err(FormIdError::NonDigit(c));
            }
            digits.push(c);
        }
        match digits.len() {
            0 => Err(FormIdError::Empty),
            MY_NUMBER_DIGITS => Err(FormIdError::LooksLikeMyNumber),
            FORM_ID_DIGITS => Ok(FormId(digits)),
            n => Err(FormIdError::WrongLength(n)),
        }
    }

    /// The 23 digits, ungrouped: no official grouping exists.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FormId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for FormId {
    type Err = FormIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FormId::parse(s)
    }
}

impl TryFrom<String> for FormId {
    type Error = FormIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        FormId::parse(&s)
    }
}

impl From<FormId> for String {
    fn from(id: FormId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "12345678901234567890123";

    #[test]
    fn plain_digits_parse() {
        let id = FormId::parse(ID).unwrap();
        assert_eq!(id.as_str(), ID);
        assert_eq!(id.to_string(), ID);
    }

    #[test]
    fn full_width_digits_spaces_and_dashes_are_normalised() {
        for input in [
            "１２３４５６７８９０１２３４５６７８９０１２３",
            "1234 5678 9012 3456 7890 123",
            "1234　5678　9012　3456　7890　123",
            "1234-5678-9012-3456-7890-123",
            "１２３４－５６７８－９０１２－３４５６－７８９０－１２３",
            "1234‐5678–9012—3456−7890―123",
            "１２３４ー５６７８ー９０１２ー３４５６ー７８９０ー１２３",
            "  12345678901234567890123\n",
        ] {
            assert_eq!(FormId::parse(input).unwrap().as_str(), ID, "{input}");
        }
    }

    #[test]
    fn a_12_digit_number_is_refused_as_a_my_number() {
        for input in [
            "123456789012",
            "1234-5678-9012",
            "１２３４ ５６７８ ９０１２",
        ] {
            assert_eq!(FormId::parse(input), Err(FormIdError::LooksLikeMyNumber));
        }
        let e = FormIdError::LooksLikeMyNumber;
        assert!(e.to_string().contains("My Number"));
        assert!(e.message_ja().contains("マイナンバー"));
    }

    #[test]
    fn errors_never_echo_the_digits() {
        for input in ["123456789012", "1234567890123", "987654321098765432109876"] {
            let e = FormId::parse(input).unwrap_err();
            assert!(!e.to_string().contains("1234567"), "{e}");
            assert!(!e.message_ja().contains("1234567"), "{e}");
        }
    }

    #[test]
    fn wrong_lengths_report_the_count() {
        for n in 1..40 {
            let input = "7".repeat(n);
            let r = FormId::parse(&input);
            match n {
                12 => assert_eq!(r, Err(FormIdError::LooksLikeMyNumber)),
                23 => assert!(r.is_ok()),
                _ => assert_eq!(r, Err(FormIdError::WrongLength(n))),
            }
        }
    }

    #[test]
    fn empty_and_separator_only_input_is_empty() {
        for input in ["", "   ", "- -", "　－　"] {
            assert_eq!(FormId::parse(input), Err(FormIdError::Empty));
        }
    }

    #[test]
    fn non_digits_are_named() {
        assert_eq!(
            FormId::parse("1234567890123456789012a"),
            Err(FormIdError::NonDigit('a'))
        );
        // Kanji one looks like a dash but is a numeral: refused, not guessed.
        assert_eq!(
            FormId::parse("1234一5678"),
            Err(FormIdError::NonDigit('一'))
        );
        assert_eq!(FormId::parse("١٢٣"), Err(FormIdError::NonDigit('١')));
        assert_eq!(FormId::parse("12.34"), Err(FormIdError::NonDigit('.')));
    }

    #[test]
    fn serde_round_trip_validates() {
        let id = FormId::parse(ID).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{ID}\""));
        assert_eq!(serde_json::from_str::<FormId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<FormId>("\"123456789012\"").is_err());
    }
}
