//! What the applicant's age and status mean for the application (spec section 3).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::age::{age_on, photo_exempt, AgeError};

/// Below this age the signature certificate is not issued and a legal representative acts.
pub const SIGNATURE_CERTIFICATE_MIN_AGE: u32 = 15;

/// Why the signature certificate (署名用電子証明書) is not issued. The user certificate
/// (利用者証明用電子証明書) is issued either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotIssuedReason {
    /// Under 15 on the application date.
    UnderFifteen,
    /// An adult ward (成年被後見人).
    AdultWard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum SignatureCertificate {
    Allowed,
    NotIssued(NotIssuedReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Age on the application date by the Japanese rule.
    pub age: u32,
    /// False for age 0 from 2024-12-02: the card is made without a photo and the service must
    /// not ask for, vet or keep one.
    pub photo_required: bool,
    pub signature_certificate: SignatureCertificate,
    /// Under 15 or an adult ward: a legal representative (親権者・成年後見人) applies and
    /// comes along.
    pub legal_representative_required: bool,
}

/// Eligibility on the application date. Whether the applicant is an adult ward is declared
/// (the service cannot know it). Under 15 is reported as the reason even for a ward, since age
/// alone already decides it.
pub fn eligibility(
    dob: NaiveDate,
    application_date: NaiveDate,
    adult_ward: bool,
) -> Result<Eligibility, AgeError> {
    let age = age_on(dob, application_date)?;
    let signature_certificate = if age < SIGNATURE_CERTIFICATE_MIN_AGE {
        SignatureCertificate::NotIssued(NotIssuedReason::UnderFifteen)
    } else if adult_ward {
        SignatureCertificate::NotIssued(NotIssuedReason::AdultWard)
    } else {
        SignatureCertificate::Allowed
    };
    Ok(Eligibility {
        age,
        photo_required: !(age == 0 && photo_exempt(application_date)),
        signature_certificate,
        legal_representative_required: age < SIGNATURE_CERTIFICATE_MIN_AGE || adult_ward,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn infants_from_2024_12_02_need_no_photo() {
        let e = eligibility(d("2024-06-01"), d("2024-12-01"), false).unwrap();
        assert!(e.photo_required);
        let e = eligibility(d("2024-06-01"), d("2024-12-02"), false).unwrap();
        assert_eq!(e.age, 0);
        assert!(!e.photo_required);
        assert!(e.legal_representative_required);
        // The first birthday brings the photo back.
        let e = eligibility(d("2024-06-01"), d("2025-06-01"), false).unwrap();
        assert!(e.photo_required);
    }

    #[test]
    fn leap_day_infant_needs_a_photo_from_1_march() {
        let dob = d("2024-02-29");
        assert!(
            !eligibility(dob, d("2025-02-28"), false)
                .unwrap()
                .photo_required
        );
        assert!(
            eligibility(dob, d("2025-03-01"), false)
                .unwrap()
                .photo_required
        );
    }

    #[test]
    fn signature_certificate_from_the_fifteenth_birthday() {
        let dob = d("2010-07-20");
        let e = eligibility(dob, d("2025-07-19"), false).unwrap();
        assert_eq!(
            e.signature_certificate,
            SignatureCertificate::NotIssued(NotIssuedReason::UnderFifteen)
        );
        assert!(e.legal_representative_required);
        let e = eligibility(dob, d("2025-07-20"), false).unwrap();
        assert_eq!(e.signature_certificate, SignatureCertificate::Allowed);
        assert!(!e.legal_representative_required);
        let e = eligibility(dob, d("2025-07-20"), true).unwrap();
        assert_eq!(
            e.signature_certificate,
            SignatureCertificate::NotIssued(NotIssuedReason::AdultWard)
        );
        assert!(e.legal_representative_required);
    }

    #[test]
    fn every_day_agrees_with_age_on() {
        // Day by day over 17 years for ordinary and leap-day births.
        for dob in ["2008-02-29", "2008-03-01", "2009-12-31", "2008-01-01"] {
            let dob = d(dob);
            let mut day = dob;
            while day.year() < dob.year() + 17 {
                let age = age_on(dob, day).unwrap();
                for ward in [false, true] {
                    let e = eligibility(dob, day, ward).unwrap();
                    assert_eq!(e.age, age);
                    assert_eq!(e.photo_required, age > 0 || !photo_exempt(day));
                    assert_eq!(e.legal_representative_required, age < 15 || ward);
                    assert_eq!(
                        e.signature_certificate == SignatureCertificate::Allowed,
                        age >= 15 && !ward
                    );
                }
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn bad_dates_are_errors() {
        assert!(eligibility(d("2026-01-02"), d("2026-01-01"), false).is_err());
    }

    #[test]
    fn serde_shape() {
        let e = eligibility(d("2020-01-01"), d("2026-01-01"), false).unwrap();
        let v = serde_json::to_value(e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "age": 6,
                "photo_required": true,
                "signature_certificate": {"status": "not_issued", "reason": "under_fifteen"},
                "legal_representative_required": true,
            })
        );
        let v = serde_json::to_value(SignatureCertificate::Allowed).unwrap();
        assert_eq!(v, serde_json::json!({"status": "allowed"}));
    }
}
