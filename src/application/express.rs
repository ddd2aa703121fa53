//! D6: express issuance (特急発行), from 2024-12-02, only for designated reasons and only
//! within 30 days of the day the reason arose (under 1: until the first birthday).
//!
//! "Within 30 days" counts as Japanese periods do (the first day is not counted), so the last
//! day is the reason date plus 30 days.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::age::{age_on, AgeError};

pub const EXPRESS_START: NaiveDate = match NaiveDate::from_ymd_opt(2024, 12, 2) {
    Some(d) => d,
    None => panic!("valid date"),
};
pub const EXPRESS_WINDOW_DAYS: i64 = 30;

/// The designated reasons. The comment on each says which day starts its 30 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpressReason {
    /// Under 1 on the application date; no reason date, the first birthday ends it.
    UnderOne,
    /// The card was lost (the day the loss was reported).
    CardLost,
    /// The card burned, was badly damaged or stopped working, or was invalidated by the
    /// office's mistake (the day it became unusable, or the mistake became known).
    CardDamaged,
    /// Moved in from abroad (the day of the moving-in notification).
    MovedFromAbroad,
    /// The card's amendment field is full (the day a change could not be written).
    AmendmentFieldFull,
    /// The card lapsed because the Individual Number or resident code changed (the day the
    /// change was requested or the notice arrived).
    NumberChanged,
    /// A mid- to long-term resident newly registered (the day of the notification).
    ForeignResidentRegistered,
    /// Newly registered for another reason, e.g. without a family register (the day an identity
    /// document was obtained).
    NewlyRegistered,
    /// Released from a penal institution (the day an identity document was obtained).
    ReleasedFromInstitution,
}

impl ExpressReason {
    pub const ALL: [ExpressReason; 9] = [
        ExpressReason::UnderOne,
        ExpressReason::CardLost,
        ExpressReason::CardDamaged,
        ExpressReason::MovedFromAbroad,
        ExpressReason::AmendmentFieldFull,
        ExpressReason::NumberChanged,
        ExpressReason::ForeignResidentRegistered,
        ExpressReason::NewlyRegistered,
        ExpressReason::ReleasedFromInstitution,
    ];

    pub fn needs_reason_date(self) -> bool {
        self != ExpressReason::UnderOne
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExpressError {
    #[error("express issuance starts on 2024-12-02")]
    NotYetAvailable,
    #[error("express issuance for infants is only before the first birthday (age {0})")]
    NotUnderOne(u32),
    #[error("enter the date the reason for express issuance arose")]
    MissingReasonDate,
    #[error("the reason date {0} is after the application date")]
    ReasonDateInFuture(NaiveDate),
    #[error("express issuance had to be applied for by {0} (30 days after the reason)")]
    Expired(NaiveDate),
    #[error(transparent)]
    Age(#[from] AgeError),
}

/// An express request as the applicant or clerk states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpressRequest {
    pub reason: ExpressReason,
    /// Required for every reason but `UnderOne`, where it is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_date: Option<NaiveDate>,
}

impl ExpressRequest {
    /// Whether express issuance may be granted for an application made on `application_date`.
    /// Checks timing only: that the reason is true is for the municipality to confirm.
    pub fn check(&self, dob: NaiveDate, application_date: NaiveDate) -> Result<(), ExpressError> {
        if application_date < EXPRESS_START {
            return Err(ExpressError::NotYetAvailable);
        }
        if self.reason == ExpressReason::UnderOne {
            let age = age_on(dob, application_date)?;
            return if age == 0 {
                Ok(())
            } else {
                Err(ExpressError::NotUnderOne(age))
            };
        }
        let reason_date = self.reason_date.ok_or(ExpressError::MissingReasonDate)?;
        if reason_date > application_date {
            return Err(ExpressError::ReasonDateInFuture(reason_date));
        }
        let last_day = reason_date + Duration::days(EXPRESS_WINDOW_DAYS);
        if application_date > last_day {
            return Err(ExpressError::Expired(last_day));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const ADULT: &str = "1990-05-05";

    #[test]
    fn thirty_days_after_the_reason_is_the_last_day() {
        for reason in ExpressReason::ALL
            .into_iter()
            .filter(|r| r.needs_reason_date())
        {
            let req = ExpressRequest {
                reason,
                reason_date: Some(d("2026-01-10")),
            };
            let dob = d(ADULT);
            // Every day from 10 days before to 40 days after the reason.
            let mut day = d("2025-12-31");
            while day <= d("2026-02-19") {
                let r = req.check(dob, day);
                if day < d("2026-01-10") {
                    assert_eq!(r, Err(ExpressError::ReasonDateInFuture(d("2026-01-10"))));
                } else if day <= d("2026-02-09") {
                    assert_eq!(r, Ok(()), "{reason:?} {day}");
                } else {
                    assert_eq!(r, Err(ExpressError::Expired(d("2026-02-09"))));
                }
                day = day.succ_opt().unwrap();
            }
            let no_date = ExpressRequest {
                reason,
                reason_date: None,
            };
            assert_eq!(
                no_date.check(dob, d("2026-01-10")),
                Err(ExpressError::MissingReasonDate)
            );
        }
    }

    #[test]
    fn under_one_runs_to_the_first_birthday() {
        let req = ExpressRequest {
            reason: ExpressReason::UnderOne,
            reason_date: None,
        };
        let dob = d("2025-02-28");
        assert_eq!(req.check(dob, d("2025-02-28")), Ok(()));
        assert_eq!(req.check(dob, d("2026-02-27")), Ok(()));
        assert_eq!(
            req.check(dob, d("2026-02-28")),
            Err(ExpressError::NotUnderOne(1))
        );
        // A leap-day baby is still under one on 28 February.
        let dob = d("2028-02-29");
        assert_eq!(req.check(dob, d("2029-02-28")), Ok(()));
        assert!(req.check(dob, d("2029-03-01")).is_err());
    }

    #[test]
    fn nothing_before_the_start_date() {
        let req = ExpressRequest {
            reason: ExpressReason::CardLost,
            reason_date: Some(d("2024-11-20")),
        };
        assert_eq!(
            req.check(d(ADULT), d("2024-12-01")),
            Err(ExpressError::NotYetAvailable)
        );
        assert_eq!(req.check(d(ADULT), d("2024-12-02")), Ok(()));
    }

    #[test]
    fn serde_shape() {
        let req = ExpressRequest {
            reason: ExpressReason::AmendmentFieldFull,
            reason_date: Some(d("2026-01-10")),
        };
        assert_eq!(
            serde_json::to_value(req).unwrap(),
            serde_json::json!({"reason": "amendment_field_full", "reason_date": "2026-01-10"})
        );
    }
}
