//! Age on the application date by the Japanese rule (spec section 3).
//!
//! Under the Act on Calculation of Age a person becomes a year older at the end of the day
//! before their birthday, so for a date check they are older from the birthday itself. Someone
//! born on 29 February becomes older at the end of 28 February in a non-leap year: from 1 March.

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum AgeError {
    #[error("date of birth {0} is after the application date {1}")]
    BornAfterApplication(NaiveDate, NaiveDate),
    #[error("date of birth {0} is before 1900-01-01")]
    TooEarly(NaiveDate),
}

/// The person's birthday in `year`: the first day on which they are a year older. In a
/// non-leap year someone born on 29 February becomes older at the end of 28 February, so by the
/// same rule their birthday for date checks (ages, validity periods) is 1 March.
pub fn birthday_in(dob: NaiveDate, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(dob)
}

/// The first day on which the person is `years` old: the `years`-th birthday.
fn first_day_of_age(dob: NaiveDate, years: i32) -> NaiveDate {
    birthday_in(dob, dob.year() + years)
}

/// Completed years on `on`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> Result<u32, AgeError> {
    if dob > on {
        return Err(AgeError::BornAfterApplication(dob, on));
    }
    if dob.year() < 1900 {
        return Err(AgeError::TooEarly(dob));
    }
    let mut years = on.year() - dob.year();
    if first_day_of_age(dob, years) > on {
        years -= 1;
    }
    Ok(years.max(0) as u32)
}

/// Applications from this date on carry no photo for an applicant aged 0.
pub fn photo_exempt(application_date: NaiveDate) -> bool {
    application_date >= NaiveDate::from_ymd_opt(2024, 12, 2).expect("valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ordinary_birthdays() {
        assert_eq!(age_on(d("2000-05-10"), d("2026-05-09")), Ok(25));
        assert_eq!(age_on(d("2000-05-10"), d("2026-05-10")), Ok(26));
        assert_eq!(age_on(d("2026-01-01"), d("2026-12-31")), Ok(0));
        assert_eq!(age_on(d("2025-12-31"), d("2026-12-31")), Ok(1));
    }

    #[test]
    fn leap_day_births_turn_older_after_28_february() {
        assert_eq!(age_on(d("2004-02-29"), d("2005-02-28")), Ok(0));
        assert_eq!(age_on(d("2004-02-29"), d("2005-03-01")), Ok(1));
        assert_eq!(age_on(d("2004-02-29"), d("2008-02-28")), Ok(3));
        assert_eq!(age_on(d("2004-02-29"), d("2008-02-29")), Ok(4));
    }

    #[test]
    fn invalid_dates_are_errors() {
        assert!(age_on(d("2027-01-01"), d("2026-01-01")).is_err());
        assert!(age_on(d("1899-12-31"), d("2026-01-01")).is_err());
    }

    #[test]
    fn age_never_decreases_and_steps_by_one_on_birthdays() {
        // Property over every day of five years for a spread of birth dates.
        for dob in [
            "2000-01-01",
            "2000-02-29",
            "2001-02-28",
            "2003-03-01",
            "1999-12-31",
        ] {
            let dob = d(dob);
            let mut prev = 0;
            let mut day = dob;
            for _ in 0..(5 * 366) {
                let a = age_on(dob, day).unwrap();
                assert!(a == prev || a == prev + 1, "{dob} on {day}: {prev} -> {a}");
                prev = a;
                day = day.succ_opt().unwrap();
            }
            assert_eq!(prev, 5);
        }
    }

    #[test]
    fn the_infant_rule_starts_on_2024_12_02() {
        assert!(!photo_exempt(d("2024-12-01")));
        assert!(photo_exempt(d("2024-12-02")));
    }
}
