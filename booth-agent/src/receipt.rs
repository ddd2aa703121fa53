//! The slip the person takes away: form ID (last four digits), time, and whether the
//! application has gone, will go, or was refused and needs the staff. Printed as one JSON line
//! (the `receipt` event, whose `text` field holds the printed slip in Japanese and English).

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The service acknowledged the application.
    Sent,
    /// It is in the booth's queue and will be sent when the service can be reached.
    WillBeSent,
    /// The service refused it for good (e.g. the booth's token is no longer valid): it stays in
    /// the booth's queue, marked failed, and is not retried until the staff act.
    NotSent,
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

/// The slip's words, (Japanese, English); kept together so they can move to a catalogue.
mod words {
    pub const SENT: (&str, &str) = ("送信しました", "Sent");
    pub const WILL_BE_SENT: (&str, &str) = (
        "通信が回復しだい送信します（この控えをお持ちください）",
        "Will be sent as soon as the connection is back (keep this receipt)",
    );
    pub const NOT_SENT: (&str, &str) = (
        "送信できませんでした。申請はこのブースに保管されています。係員にこの控えをお見せください",
        "Not sent: the service refused it. It is kept in this booth; please show this receipt to the staff",
    );
    pub const PHOTO_REVIEW: (&str, &str) =
        ("写真は担当者が確認します", "A person will check your photo");
    pub const PHOTO_REJECTED: (&str, &str) = (
        "写真はブースの確認基準を満たしていません。担当者が確認し、撮り直しをお願いすることがあります",
        "Your photo did not pass the booth's check: a person will check it and may ask you for a new photo",
    );
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

    /// The `receipt` event: the fields and the printed text, one line.
    pub fn json_line(&self) -> String {
        serde_json::json!({"event": "receipt", "receipt": self, "text": self.text()}).to_string()
    }

    /// What a person is told about the photo, if anything beyond "sent".
    fn photo_note(&self) -> Option<(&'static str, &'static str)> {
        match self.photo_verdict.as_deref() {
            Some("review") => Some(words::PHOTO_REVIEW),
            Some("reject") => Some(words::PHOTO_REJECTED),
            _ => None,
        }
    }

    pub fn text(&self) -> String {
        let time = self.time.replace('T', " ");
        let (ja, en) = match self.delivery {
            Delivery::Sent => words::SENT,
            Delivery::WillBeSent => words::WILL_BE_SENT,
            Delivery::NotSent => words::NOT_SENT,
        };
        let photo = self
            .photo_note()
            .map(|(ja, en)| format!("写真: {ja}\nPhoto: {en}\n"))
            .unwrap_or_default();
        format!(
            "==== マイナンバーカード交付申請 / My Number Card application ====\n\
             申請書ID / Form ID: ****{tail}\n\
             日時 / Time: {time}\n\
             料金 / Paid: {yen} 円 (yen)\n\
             状態: {ja}\n\
             Status: {en}\n\
             {photo}\
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
        assert_eq!(v["text"], t);
        assert!(v["receipt"]["time"]
            .as_str()
            .is_some_and(|t| t.ends_with("+09:00")));
    }

    #[test]
    fn a_refused_application_is_not_promised_and_sends_the_person_to_the_staff() {
        let t = Receipt::new("0123".into(), Delivery::NotSent).text();
        assert!(t.contains("Not sent") && t.contains("staff") && t.contains("係員"));
        assert!(!t.contains("Will be sent") && !t.contains("connection is back"));
    }

    #[test]
    fn a_rejected_photo_says_a_person_checks_it_and_a_retake_may_be_asked() {
        let mut r = Receipt::new("0123".into(), Delivery::Sent);
        r.photo_verdict = Some("reject".into());
        let t = r.text();
        assert!(t.contains("a person will check it") && t.contains("new photo"));
        assert!(t.contains("撮り直し"));
        r.photo_verdict = Some("accept".into());
        assert!(!r.text().contains("Photo:"));
    }
}
