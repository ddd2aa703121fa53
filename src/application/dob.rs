//! D2: the date of birth as entered.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::text::{ascii_digit, is_dash};

/// The earliest date of birth accepted (D2).
pub const EARLIEST_DOB: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DobError {
    #[error("enter the date of birth")]
    Empty,
    #[error("write the date of birth as YYYY-MM-DD, for example 1990-04-01")]
    Format,
    #[error("{0:04}-{1:02}-{2:02} is not a real date")]
    NoSuchDate(i32, u32, u32),
    #[error("the date of birth {0} is in the future")]
    InFuture(NaiveDate),
    #[error("the date of birth {0} is before 1900-01-01")]
    TooEarly(NaiveDate),
}

impl DobError {
    /// A stable code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            DobError::Empty => "dob_empty",
            DobError::Format => "dob_format",
            DobError::NoSuchDate(..) => "dob_no_such_date",
            DobError::InFuture(_) => "dob_in_future",
            DobError::TooEarly(_) => "dob_too_early",
        }
    }

    /// The message for applicants in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            DobError::Empty => "生年月日を入力してください。".to_string(),
            DobError::Format => {
                "生年月日は西暦で「1990-04-01」のように入力してください。".to_string()
            }
            DobError::NoSuchDate(y, m, d) => format!("{y}年{m}月{d}日は存在しない日付です。"),
            DobError::InFuture(_) => "生年月日が未来の日付になっています。".to_string(),
            DobError::TooEarly(_) => "1900年1月1日より前の生年月日は入力できません。".to_string(),
        }
    }
}

/// A checked date of birth. Serialised as `YYYY-MM-DD`; deserialising trusts stored data and
/// does not re-check against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateOfBirth(NaiveDate);

impl DateOfBirth {
    /// Accepts `YYYY-MM-DD` in the Western calendar, with ASCII or full-width digits and any
    /// dash `FormId` accepts; month and day may have one digit. Japanese era dates (令和...) are
    /// not accepted: the web form sends ISO dates and the booth converts before calling.
    pub fn parse(input: &str, today: NaiveDate) -> Result<DateOfBirth, DobError> {
        let s: String = input
            .trim()
            .chars()
            .map(ascii_digit)
            .map(|c| if is_dash(c) { '-' } else { c })
            .collect();
        if s.is_empty() {
            return Err(DobError::Empty);
        }
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(DobError::Format);
        };
        let num = |p: &str, min: usize, max: usize| -> Result<u32, DobError> {
            if (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| DobError::Format)
            } else {
                Err(DobError::Format)
            }
        };
        let (y, m, d) = (num(y, 4, 4)? as i32, num(m, 1, 2)?, num(d, 1, 2)?);
        let date = NaiveDate::from_ymd_opt(y, m, d).ok_or(DobError::NoSuchDate(y, m, d))?;
        DateOfBirth::new(date, today)
    }

    /// Checks an already-typed date against D2.
    pub fn new(date: NaiveDate, today: NaiveDate) -> Result<DateOfBirth, DobError> {
        if date > today {
            Err(DobError::InFuture(date))
        } else if date < EARLIEST_DOB {
            Err(DobError::TooEarly(date))
        } else {
            Ok(DateOfBirth(date))
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const TODAY: &str = "2026-03-15";

    fn parse(s: &str) -> Result<DateOfBirth, DobError> {
        DateOfBirth::parse(s, d(TODAY))
    }

    #[test]
    fn iso_and_full_width_dates_parse() {
        for input in [
            "1990-04-01",
            "１９９０－０４－０１",
            "１９９０ー４ー１",
            " 1990-4-1 ",
        ] {
            assert_eq!(parse(input).unwrap().date(), d("1990-04-01"), "{input}");
        }
        assert_eq!(parse("1990-04-01").unwrap().to_string(), "1990-04-01");
    }

    #[test]
    fn malformed_input_is_a_format_error() {
        assert_eq!(parse(""), Err(DobError::Empty));
        assert_eq!(parse("  "), Err(DobError::Empty));
        for input in [
            "1990/04/01",
            "90-04-01",
            "1990-004-01",
            "1990-04",
            "1990-04-01-01",
            "1990-+4-01",
            "平成2年4月1日",
            "19900401",
        ] {
            assert_eq!(parse(input), Err(DobError::Format), "{input}");
        }
    }

    #[test]
    fn impossible_future_and_early_dates_are_refused() {
        assert_eq!(parse("2023-02-29"), Err(DobError::NoSuchDate(2023, 2, 29)));
        assert_eq!(parse("2024-13-01"), Err(DobError::NoSuchDate(2024, 13, 1)));
        assert!(parse("2024-02-29").is_ok());
        assert_eq!(parse(TODAY).unwrap().date(), d(TODAY));
        assert_eq!(
            parse("2026-03-16"),
            Err(DobError::InFuture(d("2026-03-16")))
        );
        assert!(parse("1900-01-01").is_ok());
        assert_eq!(
            parse("1899-12-31"),
            Err(DobError::TooEarly(d("1899-12-31")))
        );
    }

    #[test]
    fn every_day_of_a_leap_year_round_trips() {
        let mut day = d("2024-01-01");
        while day <= d("2024-12-31") {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(parse(&text).unwrap().date(), day);
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn serde_is_the_iso_date() {
        let dob = parse("2000-02-29").unwrap();
        assert_eq!(serde_json::to_string(&dob).unwrap(), "\"2000-02-29\"");
        assert_eq!(
            serde_json::from_str::<DateOfBirth>("\"2000-02-29\"").unwrap(),
            dob
        );
    }
}
