//! What an applicant should do next, for each state: the status lookup, the pages and the
//! booth receipt all say the same thing.

use serde::Serialize;

use super::State;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// A stable code for pages and clients.
    pub code: &'static str,
    pub en: &'static str,
    pub ja: &'static str,
}

const fn step(code: &'static str, en: &'static str, ja: &'static str) -> NextStep {
    NextStep { code, en, ja }
}

/// `complete` is whether every item (date of birth, certificates, braille) is in.
pub fn next_step(state: State, complete: bool) -> NextStep {
    use State::*;
    match state {
        Registered => step(
            "add_photo",
            "Add your photo, then your date of birth and choices.",
            "顔写真を登録し、生年月日などの項目を入力してください。",
        ),
        PhotoSubmitted => step(
            "photo_being_checked",
            "Your photo is being checked. Look again in a minute.",
            "顔写真を確認しています。しばらくしてから再度ご確認ください。",
        ),
        AutoAccepted | Accepted if !complete => step(
            "add_details",
            "Your photo is fine. Enter your date of birth and choices to finish.",
            "顔写真に問題はありません。生年月日などの項目を入力して申請を完了してください。",
        ),
        AutoAccepted | Accepted => step(
            "wait_for_forwarding",
            "Your application is complete and will be sent to the card issuer. Nothing more to do.",
            "申請は完了しました。カード発行機関へ送付されます。これ以上の手続きは不要です。",
        ),
        // Sent on despite the machine: a person decides next (the done page says the same).
        AutoRejected if complete => step(
            "wait_for_review",
            "A person is checking your photo. You will get an e-mail when it is decided.",
            "担当者が顔写真を確認しています。結果はメールでお知らせします。",
        ),
        AutoRejected => step(
            "retake_photo",
            "Your photo cannot be used. Take a new photo following the instructions.",
            "顔写真が基準を満たしていません。案内に従って撮り直してください。",
        ),
        InReview => step(
            "wait_for_review",
            "A person is checking your photo. You will get an e-mail when it is decided.",
            "担当者が顔写真を確認しています。結果はメールでお知らせします。",
        ),
        RetakeRequested => step(
            "retake_photo",
            "A reviewer asked for a new photo; the reasons are in the e-mail we sent. Take a new photo.",
            "審査の結果、顔写真の撮り直しが必要です。理由はお送りしたメールをご覧ください。",
        ),
        Forwarded => step(
            "wait_for_card",
            "Your application was sent to the card issuer. A notice will come when the card is ready.",
            "申請はカード発行機関へ送付されました。カードができると通知書が届きます。",
        ),
        Withdrawn => step(
            "withdrawn",
            "This application was closed. Apply again with a new application form if needed.",
            "この申請は取り下げられました。必要な場合は新しい申請書で申請してください。",
        ),
    }
}

/// The answer to a status lookup that found nothing, or whose date of birth did not match:
/// the same shape as any other, so the lookup cannot tell which IDs exist.
pub fn not_found() -> NextStep {
    step(
        "check_entries",
        "No application matches this form ID and date of birth. Check both entries.",
        "この申請書IDと生年月日に一致する申請はありません。入力内容をご確認ください。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_step_in_both_languages() {
        for s in State::ALL {
            for complete in [false, true] {
                let n = next_step(s, complete);
                assert!(!n.en.is_empty() && !n.ja.is_empty() && !n.code.is_empty());
            }
        }
        assert_ne!(
            next_step(State::AutoAccepted, false).code,
            next_step(State::AutoAccepted, true).code
        );
        // A rejected photo sent on for a person: waiting, not "retake" (as the done page says).
        assert_eq!(next_step(State::AutoRejected, true).code, "wait_for_review");
        assert_eq!(next_step(State::AutoRejected, false).code, "retake_photo");
    }
}
