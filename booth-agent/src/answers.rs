//! The person's answers to the items the QR code does not carry: date of birth, certificates,
//! braille, an optional exception reason, and what to do when the retakes run out. From the
//! kiosk page, or from an answers file for unattended runs (tests, demos):
//!
//! ```toml
//! date_of_birth = "1990-04-01"
//! certificates = true          # or "yes" / "no"
//! braille = false
//! exception_reason = "..."     # optional
//! after_retakes = "submit_best" # or "cancel"
//! coins = [500, 100, 100, 100] # what the simulated coin acceptor receives
//! ```

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use mynumber_photo::application::{DateOfBirth, DobError};
use serde::Deserialize;
use thiserror::Error;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum AfterRetakes {
    /// Send the best of the rejected photos (the service routes it as it sees fit).
    #[default]
    SubmitBest,
    /// Send nothing and refund.
    Cancel,
}

#[derive(Debug, Clone)]
pub struct Answers {
    pub date_of_birth: DateOfBirth,
    pub certificates: bool,
    pub braille: bool,
    pub exception_reason: Option<String>,
    pub after_retakes: AfterRetakes,
    pub coins: Vec<u32>,
}

#[derive(Debug, Error)]
pub enum AnswersError {
    #[error("cannot read the answers file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("answers file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("date of birth: {0}")]
    DateOfBirth(#[from] DobError),
    #[error("{field}: answer yes or no")]
    YesNo { field: &'static str },
}

/// A yes/no item written either as a TOML boolean or as "yes"/"no".
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum YesNo {
    Bool(bool),
    Text(String),
}

impl YesNo {
    fn get(&self, field: &'static str) -> Result<bool, AnswersError> {
        match self {
            YesNo::Bool(b) => Ok(*b),
            YesNo::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "yes" | "はい" => Ok(true),
                "no" | "いいえ" => Ok(false),
                _ => Err(AnswersError::YesNo { field }),
            },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    date_of_birth: String,
    certificates: Option<YesNo>,
    braille: Option<YesNo>,
    exception_reason: Option<String>,
    #[serde(default)]
    after_retakes: AfterRetakes,
    #[serde(default)]
    coins: Vec<u32>,
}

impl Answers {
    /// Raw answers checked as the service checks them (D2 for the date of birth).
    pub fn from_parts(
        date_of_birth: &str,
        certificates: bool,
        braille: bool,
        exception_reason: Option<String>,
        today: NaiveDate,
    ) -> Result<Answers, AnswersError> {
        Ok(Answers {
            date_of_birth: DateOfBirth::parse(date_of_birth, today)?,
            certificates,
            braille,
            exception_reason: exception_reason
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            after_retakes: AfterRetakes::default(),
            coins: Vec::new(),
        })
    }

    pub fn parse(text: &str, path: &Path, today: NaiveDate) -> Result<Answers, AnswersError> {
        let f: File = toml::from_str(text).map_err(|e| AnswersError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut a = Answers::from_parts(
            &f.date_of_birth,
            // The service's defaults: certificates yes, braille no.
            f.certificates.map_or(Ok(true), |v| v.get("certificates"))?,
            f.braille.map_or(Ok(false), |v| v.get("braille"))?,
            f.exception_reason,
            today,
        )?;
        a.after_retakes = f.after_retakes;
        a.coins = f.coins;
        Ok(a)
    }

    pub fn load(path: &Path, today: NaiveDate) -> Result<Answers, AnswersError> {
        let text = std::fs::read_to_string(path).map_err(|source| AnswersError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Answers::parse(&text, path, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
    }

    #[test]
    fn answers_accept_booleans_or_yes_no_and_check_the_date() {
        let a = Answers::parse(
            "date_of_birth = \"1990-04-01\"\ncertificates = \"no\"\nbraille = true\nafter_retakes = \"cancel\"\ncoins = [500, 500]",
            Path::new("a.toml"),
            today(),
        )
        .expect("answers");
        assert!(!a.certificates && a.braille);
        assert_eq!(a.after_retakes, AfterRetakes::Cancel);
        assert_eq!(a.date_of_birth.to_string(), "1990-04-01");
        assert!(matches!(
            Answers::parse("date_of_birth = \"2030-01-01\"", Path::new("a"), today()),
            Err(AnswersError::DateOfBirth(_))
        ));
        assert!(matches!(
            Answers::parse(
                "date_of_birth = \"1990-01-01\"\nbraille = \"maybe\"",
                Path::new("a"),
                today()
            ),
            Err(AnswersError::YesNo { field: "braille" })
        ));
    }
}
