//! D4 and D5: what the applicant asks for and the channel the application came through.

use serde::{Deserialize, Serialize};

use super::eligibility::{Eligibility, SignatureCertificate};

/// D5: where the application was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A photo booth (証明写真機).
    Booth,
    Smartphone,
    Pc,
    /// Entered by a reviewer or municipal clerk at a counter.
    Counter,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Booth,
        Channel::Smartphone,
        Channel::Pc,
        Channel::Counter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Booth => "booth",
            Channel::Smartphone => "smartphone",
            Channel::Pc => "pc",
            Channel::Counter => "counter",
        }
    }

    /// D3: the web channels need a contact name and an email address proven by a link before
    /// the photo step.
    pub fn needs_verified_email(self) -> bool {
        matches!(self, Channel::Smartphone | Channel::Pc)
    }
}

/// D4: the applicant's choices. As on the paper form, certificates are wanted unless declined
/// and braille is not unless asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardOptions {
    pub certificates_wanted: bool,
    pub braille_wanted: bool,
}

impl Default for CardOptions {
    fn default() -> Self {
        CardOptions {
            certificates_wanted: true,
            braille_wanted: false,
        }
    }
}

/// The certificates the card will carry, from the wish and the eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificates {
    pub user: bool,
    pub signature: bool,
}

impl CardOptions {
    pub fn certificates(&self, eligibility: &Eligibility) -> Certificates {
        Certificates {
            user: self.certificates_wanted,
            signature: self.certificates_wanted
                && eligibility.signature_certificate == SignatureCertificate::Allowed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::eligibility::eligibility;

    #[test]
    fn channel_serde_is_lowercase() {
        for c in Channel::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<Channel>("\"PC\"").is_err());
        assert!(Channel::Pc.needs_verified_email());
        assert!(!Channel::Booth.needs_verified_email());
    }

    #[test]
    fn a_child_gets_only_the_user_certificate() {
        let d = |s: &str| s.parse().unwrap();
        let child = eligibility(d("2015-01-01"), d("2026-01-01"), false).unwrap();
        let adult = eligibility(d("1990-01-01"), d("2026-01-01"), false).unwrap();
        let wanted = CardOptions::default();
        assert_eq!(
            wanted.certificates(&child),
            Certificates {
                user: true,
                signature: false
            }
        );
        assert_eq!(
            wanted.certificates(&adult),
            Certificates {
                user: true,
                signature: true
            }
        );
        let declined = CardOptions {
            certificates_wanted: false,
            braille_wanted: true,
        };
        assert_eq!(
            declined.certificates(&adult),
            Certificates {
                user: false,
                signature: false
            }
        );
    }
}
