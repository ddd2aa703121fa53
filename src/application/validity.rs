//! How long the card and its electronic certificates are valid (spec section 3).
//!
//! Both run "until the n-th birthday after the date of issue" (発行の日後のn回目の誕生日まで):
//! a birthday on the issue date itself does not count, and the last valid day is the birthday.
//! Birthdays follow `age::birthday_in`, the rule `age_on` uses: for someone born on 29 February
//! the birthday in a non-leap year is 1 March, the first day they are a year older. (The road
//! traffic act instead names 28 February for driving licences; the card's own law names no
//! date, so we stay consistent with the age rule. The issuer's printed date is authoritative;
//! these dates are what we tell the applicant to expect.)

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::age::{age_on, birthday_in, AgeError};

/// From this age on the date of receipt the card runs to the 10th birthday, else the 5th.
pub const CARD_ADULT_AGE: u32 = 18;
/// Before the age of majority fell to 18 on 2022-04-01 the threshold was 20.
const CARD_ADULT_AGE_BEFORE_2022_04_01: u32 = 20;
const MAJORITY_CHANGE: NaiveDate = match NaiveDate::from_ymd_opt(2022, 4, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidityError {
    #[error(transparent)]
    Age(#[from] AgeError),
    #[error("the issue date {issuance} is before the date of receipt {receipt}")]
    IssuedBeforeReceipt {
        receipt: NaiveDate,
        issuance: NaiveDate,
    },
    #[error("the period of stay ends on {stay_ends}, before the issue date {issuance}")]
    StayEndsBeforeIssuance {
        stay_ends: NaiveDate,
        issuance: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    /// The last day the card is valid.
    pub card_until: NaiveDate,
    /// The last day both electronic certificates are valid.
    pub certificates_until: NaiveDate,
    /// 10 or 5: which birthday after issue ends the card, before any cap.
    pub card_birthdays: u32,
    /// The card or the certificates end with the period of stay rather than a birthday.
    pub capped_by_stay: bool,
}

/// The `n`-th birthday strictly after `after` (n >= 1; 0 is treated as 1).
pub fn nth_birthday_after(dob: NaiveDate, after: NaiveDate, n: u32) -> NaiveDate {
    let mut year = after.year();
    if birthday_in(dob, year) <= after {
        year += 1;
    }
    birthday_in(dob, year + n.max(1) as i32 - 1)
}

/// Card and certificate validity. `receipt` is the date the application was received (which
/// decides 10 or 5 years), `issuance` the date the issuer makes the card, and `stay_ends` the
/// end of a foreign resident's period of stay, when it limits the card (not for permanent and
/// special permanent residents, nor Highly Skilled Professional (ii): the caller passes `None`).
/// A certificate never outlives the card, so the stay caps the certificates too.
pub fn validity(
    dob: NaiveDate,
    receipt: NaiveDate,
    issuance: NaiveDate,
    stay_ends: Option<NaiveDate>,
) -> Result<Validity, ValidityError> {
    let age = age_on(dob, receipt)?;
    if issuance < receipt {
        return Err(ValidityError::IssuedBeforeReceipt { receipt, issuance });
    }
    let adult_age = if receipt < MAJORITY_CHANGE {
        CARD_ADULT_AGE_BEFORE_2022_04_01
    } else {
        CARD_ADULT_AGE
    };
    let card_birthdays = if age >= adult_age { 10 } else { 5 };
    let card = nth_birthday_after(dob, issuance, card_birthdays);
    let certificates = nth_birthday_after(dob, issuance, 5);
    let (card_until, certificates_until, capped_by_stay) = match stay_ends {
        Some(end) if end < issuance => {
            return Err(ValidityError::StayEndsBeforeIssuance {
                stay_ends: end,
                issuance,
            })
        }
        Some(end) => (
            card.min(end),
            certificates.min(end),
            end < card.max(certificates),
        ),
        None => (card, certificates, false),
    };
    Ok(Validity {
        card_until,
        certificates_until,
        card_birthdays,
        capped_by_stay,
    })
}

/// The last day the card is valid; see `validity`.
pub fn card_valid_until(
    dob: NaiveDate,
    receipt: NaiveDate,
    issuance: NaiveDate,
    stay_ends: Option<NaiveDate>,
) -> Result<NaiveDate, ValidityError> {
    validity(dob, receipt, issuance, stay_ends).map(|v| v.card_until)
}

/// The last day the electronic certificates are valid: the 5th birthday after issue, whatever
/// the age, capped by the period of stay.
pub fn certificates_valid_until(
    dob: NaiveDate,
    issuance: NaiveDate,
    stay_ends: Option<NaiveDate>,
) -> Result<NaiveDate, ValidityError> {
    validity(dob, issuance, issuance, stay_ends).map(|v| v.certificates_until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_government_example() {
        // Birthday 10 October, card made 2020-05-15: valid to 2029-10-10.
        let v = validity(d("1980-10-10"), d("2020-04-01"), d("2020-05-15"), None).unwrap();
        assert_eq!(v.card_until, d("2029-10-10"));
        assert_eq!(v.certificates_until, d("2024-10-10"));
        assert_eq!(v.card_birthdays, 10);
        assert!(!v.capped_by_stay);
    }

    #[test]
    fn a_birthday_on_the_issue_date_does_not_count() {
        let dob = d("1980-10-10");
        assert_eq!(
            card_valid_until(dob, d("2020-10-01"), d("2020-10-10"), None),
            Ok(d("2030-10-10"))
        );
        assert_eq!(
            card_valid_until(dob, d("2020-10-01"), d("2020-10-09"), None),
            Ok(d("2029-10-10"))
        );
    }

    #[test]
    fn eighteen_on_the_date_of_receipt_decides() {
        let dob = d("2008-06-10");
        // 17 at receipt, 18 at issue: still five birthdays.
        let v = validity(dob, d("2026-06-09"), d("2026-07-01"), None).unwrap();
        assert_eq!((v.card_birthdays, v.card_until), (5, d("2031-06-10")));
        let v = validity(dob, d("2026-06-10"), d("2026-07-01"), None).unwrap();
        assert_eq!((v.card_birthdays, v.card_until), (10, d("2036-06-10")));
    }

    #[test]
    fn before_april_2022_the_threshold_was_twenty() {
        let dob = d("2002-06-10");
        let v = validity(dob, d("2022-03-31"), d("2022-04-20"), None).unwrap();
        assert_eq!(v.card_birthdays, 5); // 19 at receipt
        let v = validity(dob, d("2022-04-01"), d("2022-04-20"), None).unwrap();
        assert_eq!(v.card_birthdays, 10);
    }

    #[test]
    fn leap_day_births_expire_on_1_march_in_common_years() {
        let dob = d("2000-02-29");
        assert_eq!(nth_birthday_after(dob, d("2026-01-10"), 5), d("2030-03-01"));
        assert_eq!(nth_birthday_after(dob, d("2026-01-10"), 3), d("2028-02-29"));
        assert_eq!(nth_birthday_after(dob, d("2028-02-29"), 1), d("2029-03-01"));
        assert_eq!(nth_birthday_after(dob, d("2027-02-28"), 1), d("2027-03-01"));
        assert_eq!(nth_birthday_after(dob, d("2027-03-01"), 1), d("2028-02-29"));
    }

    #[test]
    fn the_period_of_stay_caps_card_and_certificates() {
        let dob = d("1990-01-15");
        let v = validity(dob, d("2026-01-05"), d("2026-02-01"), Some(d("2028-08-31"))).unwrap();
        assert_eq!(v.card_until, d("2028-08-31"));
        assert_eq!(v.certificates_until, d("2028-08-31"));
        assert!(v.capped_by_stay);
        // A stay longer than the certificates but shorter than the card.
        let v = validity(dob, d("2026-01-05"), d("2026-02-01"), Some(d("2033-01-01"))).unwrap();
        assert_eq!(v.card_until, d("2033-01-01"));
        assert_eq!(v.certificates_until, d("2031-01-15"));
        assert!(v.capped_by_stay);
        let v = validity(dob, d("2026-01-05"), d("2026-02-01"), Some(d("2040-01-01"))).unwrap();
        assert!(!v.capped_by_stay);
        assert_eq!(v.card_until, d("2036-01-15"));
        assert_eq!(
            validity(dob, d("2026-01-05"), d("2026-02-01"), Some(d("2026-01-31"))),
            Err(ValidityError::StayEndsBeforeIssuance {
                stay_ends: d("2026-01-31"),
                issuance: d("2026-02-01")
            })
        );
        assert_eq!(
            certificates_valid_until(dob, d("2026-02-01"), Some(d("2027-01-01"))),
            Ok(d("2027-01-01"))
        );
    }

    #[test]
    fn inconsistent_dates_are_errors() {
        let dob = d("1990-01-15");
        assert!(matches!(
            validity(dob, d("2026-02-01"), d("2026-01-31"), None),
            Err(ValidityError::IssuedBeforeReceipt { .. })
        ));
        assert!(matches!(
            validity(d("2027-01-01"), d("2026-02-01"), d("2026-03-01"), None),
            Err(ValidityError::Age(_))
        ));
    }

    /// The n-th day after `issue` on which `age_on` goes up: the definition the code must meet.
    fn nth_age_step(dob: NaiveDate, issue: NaiveDate, n: u32) -> NaiveDate {
        let mut day = issue;
        let mut prev = age_on(dob, issue).unwrap();
        let mut seen = 0;
        loop {
            day = day.succ_opt().unwrap();
            let a = age_on(dob, day).unwrap();
            if a != prev {
                assert_eq!(a, prev + 1);
                seen += 1;
                if seen == n {
                    return day;
                }
                prev = a;
            }
        }
    }

    #[test]
    fn every_issue_day_over_eight_years_matches_the_age_steps() {
        // Issue dates day by day from 2024 to 2031 (two leap years) for leap-day, end-of-
        // February, 1 March and year-end births; receipt a month before issue.
        for dob in [
            "2000-02-29",
            "2001-02-28",
            "2000-03-01",
            "1999-12-31",
            "2008-08-15",
        ] {
            let dob = d(dob);
            let mut issue = d("2024-01-01");
            while issue <= d("2031-12-31") {
                let receipt = issue - chrono::Duration::days(30);
                let v = validity(dob, receipt, issue, None).unwrap();
                let adult = age_on(dob, receipt).unwrap() >= 18;
                assert_eq!(v.card_birthdays, if adult { 10 } else { 5 });
                assert_eq!(v.card_until, nth_age_step(dob, issue, v.card_birthdays));
                assert_eq!(v.certificates_until, nth_age_step(dob, issue, 5));
                assert!(v.card_until > issue && v.certificates_until <= v.card_until);
                // On its last day the card has seen exactly n birthdays; the next day is out.
                let age_at_issue = age_on(dob, issue).unwrap();
                assert_eq!(
                    age_on(dob, v.card_until).unwrap(),
                    age_at_issue + v.card_birthdays
                );
                issue = issue.succ_opt().unwrap();
            }
        }
    }
}
