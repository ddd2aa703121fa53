//! The texts of the mails the service sends: `(subject, body)` in the applicant's language,
//! with one closing line in the other language for a reader who cannot read the first.
//!
//! Privacy rules that hold whatever the caller passes: a form ID appears only as its last 4
//! digits, and any run of 12 or more digits in free text (a My Number is 12, a form ID 23;
//! phone numbers are at most 11) is replaced, so neither can reach a mailbox through a
//! reviewer's note or a summary. URLs are ours and passed through unchanged.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

pub use crate::i18n::Lang;
use crate::i18n::{t, tf};

/// The language of the closing line: English under a Japanese mail, Japanese under any other
/// (for the family member or the municipal desk who helps).
fn other(lang: Lang) -> Lang {
    if lang.is_japanese() {
        Lang::En
    } else {
        Lang::Ja
    }
}

/// greeting, body, footer, closing line in the other language.
fn assemble(lang: Lang, name: &str, body: &str, note: String) -> String {
    format!(
        "{}\n\n{body}\n{}{note}\n",
        greeting(lang, name),
        footer(lang)
    )
}

/// The one-time link of a web application, sent once the email address is registered.
pub fn link_mail(lang: Lang, name: &str, url: &str, expires_at: DateTime<Utc>) -> (String, String) {
    let url = url.trim();
    let until = jst(expires_at);
    let body = tf(lang, "mail.link_body", &[("url", url), ("until", &until)]);
    let note = tf(other(lang), "mail.link_note", &[("until", &until)]);
    (
        t(lang, "mail.link_subject").to_string(),
        assemble(lang, name, &body, note),
    )
}

/// The application was received (and, for the web channels, completed).
pub fn completion_mail(
    lang: Lang,
    name: &str,
    form_id_masked: &str,
    state_summary: &str,
    card_valid_until: Option<NaiveDate>,
    certificate_note: Option<&str>,
) -> (String, String) {
    let mut details = Vec::new();
    let summary = one_line(lang, state_summary);
    if let Some(id) = last4(form_id_masked) {
        details.push(tf(lang, "mail.completion_form_id", &[("id", &id)]));
    }
    if !summary.is_empty() {
        details.push(tf(lang, "mail.completion_status", &[("summary", &summary)]));
    }
    if let Some(d) = card_valid_until {
        details.push(tf(
            lang,
            "mail.completion_card_until",
            &[("date", &date(lang, d))],
        ));
    }
    if let Some(note) = certificate_note.map(|n| one_line(lang, n)) {
        details.push(tf(lang, "mail.completion_certificates", &[("note", &note)]));
    }
    let body = format!(
        "{}\n\n{}\n\n{}\n",
        t(lang, "mail.completion_intro"),
        details.join("\n"),
        t(lang, "mail.completion_outro"),
    );
    (
        t(lang, "mail.completion_subject").to_string(),
        assemble(
            lang,
            name,
            &body,
            t(other(lang), "mail.completion_note").into(),
        ),
    )
}

/// A reviewer asks for a new photo. `reasons` are `(rule id, plain message)`, e.g.
/// `("P9", "The face is too small.")`; `url`, when given, is where to upload it.
pub fn retake_mail(
    lang: Lang,
    name: &str,
    reasons: &[(String, String)],
    note: Option<&str>,
    url: Option<&str>,
) -> (String, String) {
    let reasons = reasons
        .iter()
        .map(|(rule, message)| {
            tf(
                lang,
                "mail.retake_reason",
                &[
                    ("rule", &one_line(lang, rule)),
                    ("text", &one_line(lang, message)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let note = note.map(|n| multi_line(lang, n)).filter(|n| !n.is_empty());
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    let mut body = format!("{}\n\n", t(lang, "mail.retake_intro"));
    if !reasons.is_empty() {
        body.push_str(&reasons);
        body.push_str("\n\n");
    }
    if let Some(note) = note {
        body.push_str(&format!("{}\n{note}\n\n", t(lang, "mail.retake_comment")));
    }
    match url {
        Some(url) => body.push_str(&format!("{}\n{url}\n\n", t(lang, "mail.retake_link"))),
        None => body.push_str(&format!("{}\n\n", t(lang, "mail.retake_same_way"))),
    }
    body.push_str(t(lang, "mail.retake_rules"));
    body.push('\n');
    (
        t(lang, "mail.retake_subject").to_string(),
        assemble(lang, name, &body, t(other(lang), "mail.retake_note").into()),
    )
}

/// A reviewer accepted the photo.
pub fn accepted_mail(lang: Lang, name: &str, form_id_masked: &str) -> (String, String) {
    let id = last4(form_id_masked)
        .map(|id| format!("{}\n\n", tf(lang, "mail.accepted_form_id", &[("id", &id)])))
        .unwrap_or_default();
    let body = format!(
        "{}\n\n{id}{}\n",
        t(lang, "mail.accepted_intro"),
        t(lang, "mail.accepted_no_more"),
    );
    (
        t(lang, "mail.accepted_subject").to_string(),
        assemble(
            lang,
            name,
            &body,
            t(other(lang), "mail.accepted_note").into(),
        ),
    )
}

fn greeting(lang: Lang, name: &str) -> String {
    let name = one_line(lang, name);
    if name.is_empty() {
        t(lang, "mail.greeting_anonymous").to_string()
    } else {
        tf(lang, "mail.greeting", &[("name", &name)])
    }
}

/// Starts with a blank line; the anti-phishing sentence is there because mails about My
/// Number Cards are a favourite disguise of phishing.
fn footer(lang: Lang) -> String {
    format!("\n{}\n", t(lang, "mail.footer"))
}

/// "2026-11-21 18:30 JST". Japan has no daylight saving time, so a fixed +09:00 is exact.
fn jst(t: DateTime<Utc>) -> String {
    let offset = FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    t.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M JST")
        .to_string()
}

/// A date in the reader's language; `monthname` is the English month for catalogues that
/// spell it out.
fn date(lang: Lang, d: NaiveDate) -> String {
    tf(
        lang,
        "mail.date",
        &[
            ("year", &d.year().to_string()),
            ("month", &d.month().to_string()),
            ("day", &d.day().to_string()),
            ("monthname", &d.format("%B").to_string()),
        ],
    )
}

/// The last 4 digits of whatever the caller passed as a masked form ID, so a full 23-digit ID
/// passed by mistake still shows only 4. None when it has no digits.
fn last4(form_id_masked: &str) -> Option<String> {
    let digits: Vec<char> = form_id_masked.chars().filter_map(ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(digits[digits.len().saturating_sub(4)..].iter().collect())
}

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        // Full-width digits, as typed with a Japanese IME.
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Free text on one line: control characters (line breaks included) become spaces.
fn one_line(lang: Lang, text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    scrub_long_numbers(lang, flat.trim())
}

/// Free text over several lines: line breaks kept, other control characters dropped.
fn multi_line(lang: Lang, text: &str) -> String {
    let kept: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || !c.is_control())
        .collect();
    scrub_long_numbers(lang, kept.trim())
}

/// Replaces each run of 12 or more digits, single spaces or hyphens allowed between digit
/// groups ("1234 5678 9012"), with a placeholder.
fn scrub_long_numbers(lang: Lang, text: &str) -> String {
    let placeholder = t(lang, "mail.number_withheld");
    let is_digit = |c: char| ascii_digit(c).is_some();
    let is_sep = |c: char| matches!(c, ' ' | '-' | '\u{3000}' | '－' | '‐' | '−');
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // [i, end) is the run, ending on a digit; a trailing separator stays outside it.
        let (mut j, mut end, mut digits) = (i, i, 0);
        while j < chars.len() {
            if is_digit(chars[j]) {
                digits += 1;
                j += 1;
                end = j;
            } else if is_sep(chars[j]) && chars.get(j + 1).is_some_and(|&c| is_digit(c)) {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= 12 {
            out.push_str(placeholder);
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const FULL_ID: &str = "12345678901234567890123";

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn all_mails(lang: Lang, id: &str) -> Vec<(String, String)> {
        vec![
            link_mail(
                lang,
                "山田 太郎",
                "https://x.example/a/TOKEN",
                at(2026, 11, 21, 9, 30),
            ),
            completion_mail(lang, "山田 太郎", id, "受付済み", None, None),
            retake_mail(lang, "山田 太郎", &[("P9".into(), "m".into())], None, None),
            accepted_mail(lang, "山田 太郎", id),
        ]
    }

    #[test]
    fn every_language_writes_every_mail_with_a_closing_line_in_another() {
        let d = NaiveDate::from_ymd_opt(2036, 5, 31).unwrap();
        for lang in Lang::ALL {
            let mut mails = all_mails(lang, "0123");
            mails.push(completion_mail(lang, "X", "0123", "s", Some(d), Some("n")));
            for (subject, body) in &mails {
                let text = format!("{subject}\n{body}");
                assert!(!text.contains('?') || lang == Lang::En, "{lang}: {text}");
                assert!(
                    body.contains("山田 太郎") || body.contains('X'),
                    "{lang}: {body}"
                );
            }
            let (_, b) = completion_mail(lang, "X", "0123", "", Some(d), None);
            assert!(b.contains("2036") && b.contains("31"), "{lang}: {b}");
            // The closing line is in Japanese under any non-Japanese mail, English under ours.
            let (_, b) = accepted_mail(lang, "X", "0123");
            let closing = if lang.is_japanese() {
                "[English]"
            } else {
                "【日本語】"
            };
            assert!(b.contains(closing), "{lang}: {b}");
        }
        let (s, b) = link_mail(Lang::Vi, "Lan", "https://x.example/a", at(2026, 1, 1, 0, 0));
        assert!(s.contains("My Number"), "{s}");
        assert!(b.contains("Kính gửi Lan,"), "{b}");
        assert!(b.contains("2026-01-01 09:00 JST"), "{b}");
    }

    #[test]
    fn jst_format_and_day_rollover() {
        assert_eq!(jst(at(2026, 11, 21, 9, 30)), "2026-11-21 18:30 JST");
        assert_eq!(jst(at(2026, 12, 31, 15, 0)), "2027-01-01 00:00 JST");
    }

    #[test]
    fn link_mail_both_languages() {
        let url = "https://photo.example.jp/apply/abcDEF123";
        let exp = at(2026, 11, 21, 9, 30);
        let (s, b) = link_mail(Lang::Ja, "山田 太郎", url, exp);
        assert!(s.contains("1回限り"), "{s}");
        assert!(b.starts_with("山田 太郎 様\n"), "{b}");
        assert!(b.contains(&format!("\n{url}\n")), "{b}");
        assert!(b.contains("1回だけ使えます"), "{b}");
        assert!(b.contains("有効期限：2026-11-21 18:30 JST まで"), "{b}");
        assert!(b.contains("心当たりがない場合"), "{b}");
        assert!(b.contains("[English]"), "{b}");

        let (s, b) = link_mail(Lang::En, "Taro Yamada", url, exp);
        assert!(s.contains("one-time link"), "{s}");
        assert!(b.starts_with("Dear Taro Yamada,\n"), "{b}");
        assert!(b.contains("works once only"), "{b}");
        assert!(b.contains("expires at 2026-11-21 18:30 JST"), "{b}");
        assert!(b.contains("did not ask for this mail"), "{b}");
        assert!(b.contains("【日本語】"), "{b}");
    }

    #[test]
    fn masked_ids_only() {
        for lang in [Lang::Ja, Lang::En] {
            for id in [
                FULL_ID,
                "*******************0123",
                "0123",
                "１２３４５６７８９０１２３４５６７８９０１２３",
            ] {
                for (subject, body) in all_mails(lang, id) {
                    let text = format!("{subject}\n{body}");
                    assert!(!text.contains(FULL_ID), "{text}");
                    assert!(!text.contains("4567890123"), "{text}");
                }
            }
            let (_, b) = completion_mail(lang, "X", FULL_ID, "", None, None);
            assert!(b.contains("0123"), "{b}");
            let (_, b) = accepted_mail(lang, "X", "****0123");
            assert!(b.contains("：0123") || b.contains(": 0123"), "{b}");
        }
    }

    #[test]
    fn long_numbers_in_free_text_are_withheld() {
        let (_, b) = completion_mail(
            Lang::Ja,
            "山田 太郎",
            "0123",
            "個人番号 1234 5678 9012 を確認",
            None,
            Some("署名用 123456789012"),
        );
        assert!(!b.contains("9012"), "{b}");
        assert!(!b.contains("123456789012"), "{b}");
        assert!(b.contains("個人番号 ［番号は表示しません］ を確認"), "{b}");
        let (_, b) = retake_mail(
            Lang::En,
            "Taro",
            &[("P1".into(), "see 1234-5678-9012".into())],
            Some("call 03-1234-5678\nMy Number 123456789012?"),
            None,
        );
        assert!(b.contains("see [number withheld]"), "{b}");
        assert!(
            b.contains("call 03-1234-5678\nMy Number [number withheld]?"),
            "{b}"
        );
    }

    #[test]
    fn completion_details() {
        let d = NaiveDate::from_ymd_opt(2036, 5, 31).unwrap();
        let (s, b) = completion_mail(
            Lang::Ja,
            "山田 太郎",
            "0123",
            "受付済み",
            Some(d),
            Some("発行あり"),
        );
        assert!(s.contains("申請を受け付けました"), "{s}");
        assert!(b.contains("申請書ID（下4桁）：0123"), "{b}");
        assert!(b.contains("状況：受付済み"), "{b}");
        assert!(b.contains("カードの有効期限（予定）：2036年5月31日"), "{b}");
        assert!(b.contains("電子証明書：発行あり"), "{b}");
        let (_, b) = completion_mail(Lang::En, "Taro", "0123", "received", Some(d), None);
        assert!(
            b.contains("Application form ID (last 4 digits): 0123"),
            "{b}"
        );
        assert!(
            b.contains("Card valid until (expected): 31 May 2036"),
            "{b}"
        );
        assert!(!b.contains("Electronic certificates"), "{b}");
    }

    #[test]
    fn retake_lists_each_reason_with_rule_id() {
        let reasons = vec![
            ("P9".to_string(), "顔が小さすぎます。".to_string()),
            ("P3".to_string(), "背景に影があります。".to_string()),
        ];
        let url = "https://photo.example.jp/retake/xyz";
        let (s, b) = retake_mail(
            Lang::Ja,
            "山田 太郎",
            &reasons,
            Some("前髪が目にかかっています。"),
            Some(url),
        );
        assert!(s.contains("撮り直し"), "{s}");
        assert!(
            b.contains("・P9：顔が小さすぎます。\n・P3：背景に影があります。\n"),
            "{b}"
        );
        assert!(
            b.contains("担当者からのコメント：\n前髪が目にかかっています。"),
            "{b}"
        );
        assert!(b.contains(&format!("\n{url}\n")), "{b}");

        let reasons = vec![("P9".to_string(), "The face is too small.".to_string())];
        let (_, b) = retake_mail(Lang::En, "Taro", &reasons, None, None);
        assert!(b.contains("- P9: The face is too small.\n"), "{b}");
        assert!(!b.contains("Comment from the reviewer"), "{b}");
        assert!(b.contains("the same way you applied"), "{b}");
    }

    #[test]
    fn accepted_both_languages() {
        let (s, b) = accepted_mail(Lang::Ja, "山田 太郎", "0123");
        assert!(s.contains("確認が完了しました"), "{s}");
        assert!(b.contains("この写真で申請を進めます"), "{b}");
        let (s, b) = accepted_mail(Lang::En, "Taro", "0123");
        assert!(s.contains("photo accepted"), "{s}");
        assert!(b.contains("accepted it"), "{b}");
    }

    #[test]
    fn names_cannot_break_lines_and_subjects_are_one_line() {
        for lang in [Lang::Ja, Lang::En] {
            let (s, b) = link_mail(
                lang,
                "Evil\r\nBcc: x",
                "https://x.example/",
                at(2026, 1, 1, 0, 0),
            );
            assert!(!s.contains('\n'));
            assert!(!b.contains("\nBcc"), "{b}");
            let (_, b) = accepted_mail(lang, "  ", "");
            assert!(
                b.starts_with("申請者 様") || b.starts_with("Dear applicant,"),
                "{b}"
            );
            for (s, _) in all_mails(lang, "0123") {
                assert!(!s.contains(['\r', '\n']), "{s}");
            }
        }
    }
}
