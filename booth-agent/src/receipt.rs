//! The slip the person takes away: form ID (last four digits), time, and whether the
//! application has gone or will go. Printed as one JSON line for machines and as text in
//! Japanese and English for people.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The service acknowledged the application.
    Sent,
    /// It is in the booth's queue and will be sent when the service can be reached.
    WillBeSent,
}

#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub form_id_tail: String,
    /// Japan time, RFC 3339.
    pub time: String,
    pub delivery: Delivery,
    /// The service's application ID, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// The photo's verdict from the booth's own check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_verdict: Option<String>,
    pub paid_yen: u32,
}

fn jst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    // JST has no daylight saving: a fixed +09:00.
    let offset =
        FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    t.with_timezone(&offset)
}

impl Receipt {
    pub fn new(form_id_tail: String, delivery: Delivery) -> Receipt {
        Receipt {
            form_id_tail,
            time: jst(Utc::now()).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            delivery,
            application_id: None,
            photo_verdict: None,
            paid_yen: 0,
        }
    }

    pub fn json_line(&self) -> String {
        serde_json::json!({"event": "receipt", "receipt": self}).to_string()
    }

    pub fn text(&self) -> String {
        let time = self.time.replace('T', " ");
        let (ja, en) = match self.delivery {
            Delivery::Sent => ("送信しました", "Sent"),
            Delivery::WillBeSent => (
                "通信が回復しだい送信します（この控えをお持ちください）",
                "Will be sent as soon as the connection is back (keep this receipt)",
            ),
        };
        format!(
            "==== マイナンバーカード交付申請 / My Number Card application ====\n\
             申請書ID / Form ID: ****{tail}\n\
             日時 / Time: {time}\n\
             料金 / Paid: {yen} 円 (yen)\n\
             状態: {ja}\n\
             Status: {en}\n\
             ================================================================",
            tail = self.form_id_tail,
            yen = self.paid_yen,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receipt_shows_only_the_tail_and_both_languages() {
        let r = Receipt::new("0123".into(), Delivery::WillBeSent);
        let t = r.text();
        assert!(t.contains("****0123") && t.contains("送信します") && t.contains("Will be sent"));
        let v: serde_json::Value = serde_json::from_str(&r.json_line()).expect("json");
        assert_eq!(v["receipt"]["delivery"], "will_be_sent");
        assert!(v["receipt"]["time"]
            .as_str()
            .is_some_and(|t| t.ends_with("+09:00")));
    }
}
