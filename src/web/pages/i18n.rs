//! Every word of the pages, in Japanese and English: one catalogue, keyed by a stable id, so a
//! page never holds text of its own and no language is second class. Per-rule instructions are
//! not here: they come from `vetting::messages` (the findings' messages and `rule_title`).

use crate::mail::templates::Lang;

/// (key, English, Japanese)
const CATALOG: &[(&str, &str, &str)] = &[
    ("lang.name", "English", "日本語"),
    ("site.brand", "My Number Card photo and application", "マイナンバーカード 写真・申請"),
    ("site.skip", "Skip to the content", "本文へ移動"),
    ("site.language", "Language", "言語"),
    ("console.brand", "Photo review console", "写真審査コンソール"),
    ("common.yes", "Yes", "はい"),
    ("common.no", "No", "いいえ"),
    ("common.continue", "Continue", "次へ進む"),
    ("form.has_errors", "Please correct the entries marked below.", "下記の入力内容を確認してください。"),
    // Home
    ("home.title", "Apply for your My Number Card", "マイナンバーカードの申請"),
    ("home.intro", "Apply with your smartphone or computer using the 23-digit ID on your application form, or look up an application you have made.", "申請書に記載された23桁の申請書IDで、スマートフォンやパソコンから申請できます。申請の状況も確認できます。"),
    ("home.apply", "Start an application", "申請を始める"),
    ("home.status", "Check the status of an application", "申請状況を確認する"),
    // Steps
    ("steps.label", "Progress", "進み具合"),
    ("steps.contact", "Contact", "連絡先"),
    ("steps.photo", "Photo", "顔写真"),
    ("steps.details", "Details", "申請内容"),
    ("steps.confirm", "Confirm", "確認"),
    // Step 1
    ("apply.title", "Your contact details", "連絡先の登録"),
    ("apply.intro", "We send a one-time link to your e-mail address. Everything you enter is kept on our side, so you can stop and continue later.", "メールアドレスに申請用のURLをお送りします。入力した内容はサーバーに保存されるため、途中で中断して後から続けられます。"),
    ("apply.continuing", "You are signed in to the application ending {id}.", "申請書ID（末尾{id}）の申請を続けられます。"),
    ("apply.continue_link", "Continue that application", "この申請を続ける"),
    ("apply.form_id", "Application form ID (23 digits)", "申請書ID（23桁）"),
    ("apply.form_id_hint", "Printed on your application form. Not your Individual Number (12 digits).", "申請書に印刷されています。個人番号（12桁）ではありません。"),
    ("apply.form_id_locked", "Read from the QR code on your application form.", "申請書のQRコードから読み取りました。"),
    ("apply.name", "Name", "氏名"),
    ("apply.name_hint", "Used to address you in our e-mails.", "メールの宛名に使います。"),
    ("apply.email", "E-mail address", "メールアドレス"),
    ("apply.email_hint", "The link and the result are sent here.", "申請用URLと結果をこのアドレスにお送りします。"),
    ("apply.privacy", "Your details are used only for this application.", "入力内容はこの申請のためだけに使用します。"),
    ("apply.send_link", "Send me the link", "URLを送信する"),
    // Link mail sent
    ("sent.title", "Check your e-mail", "メールを確認してください"),
    ("sent.heading", "If the entries match an application, we have sent a link.", "入力内容が申請と一致する場合、URLをお送りしました。"),
    ("sent.body", "Open the link in the e-mail within {minutes} minutes to continue with your photo.", "メールに記載されたURLを{minutes}分以内に開き、顔写真の登録に進んでください。"),
    ("sent.spam", "No e-mail after a few minutes? Check the spam folder and the address, then try again.", "数分たってもメールが届かない場合は、迷惑メールフォルダとアドレスを確認して再度お試しください。"),
    ("sent.again", "Enter the details again", "もう一度入力する"),
    // Link
    ("link.title", "Continue your application", "申請を続ける"),
    ("link.body", "Press the button to continue. This link works once.", "ボタンを押して申請を続けてください。このURLは1回だけ使えます。"),
    ("link.continue", "Continue", "続ける"),
    ("link.invalid", "This link is not valid. Enter your details again to get a new one.", "このURLは無効です。もう一度入力して新しいURLを受け取ってください。"),
    ("link.used", "This link has already been used. Enter your details again to get a new one.", "このURLは使用済みです。もう一度入力して新しいURLを受け取ってください。"),
    ("link.expired", "This link has expired. Enter your details again to get a new one.", "このURLは有効期限が切れています。もう一度入力して新しいURLを受け取ってください。"),
    ("session.none", "Your session has ended or was never started. Open the link from your e-mail, or start again: your entries are kept.", "ログインの有効期限が切れたか、まだログインしていません。メールのURLを開くか、最初から入力してください。入力済みの内容は保存されています。"),
    // Step 2
    ("photo.title", "Your photo", "顔写真"),
    ("photo.intro", "Take a photo of your face or choose one. It is checked at once; you can try again as often as you like.", "顔写真を撮影するか、写真を選んでください。すぐに確認結果が表示されます。何度でも撮り直せます。"),
    ("photo.tips", "How to take a good photo", "写真撮影のポイント"),
    ("photo.tip1", "Stand in front of a plain, light wall, in even light.", "無地で明るい壁の前で、均一な明るさで撮影してください。"),
    ("photo.tip2", "Face the camera, head straight, mouth closed, eyes open.", "カメラの正面を向き、頭をまっすぐにし、口を閉じて目を開けてください。"),
    ("photo.tip3", "No hat, no mask; glasses without reflections.", "帽子やマスクは外し、眼鏡は反射しないようにしてください。"),
    ("photo.tip4", "Your whole head and the top of your shoulders in the picture.", "頭全体と肩の上部が写るようにしてください。"),
    ("photo.tip5", "Ask someone to take it, or hold the phone at eye level at arm's length.", "他の人に撮ってもらうか、スマートフォンを目の高さで腕を伸ばして持ってください。"),
    ("photo.add", "Add your photo", "顔写真を登録する"),
    ("photo.retake", "Try another photo", "別の写真を試す"),
    ("photo.take", "Take a selfie", "自撮りで撮影する"),
    ("photo.choose", "Choose a photo file", "写真ファイルを選ぶ"),
    ("photo.choose_hint", "JPEG, PNG or WebP, up to 20 MB.", "JPEG・PNG・WebP形式、20MBまで。"),
    ("photo.check", "Check this photo", "この写真を確認する"),
    ("photo.checking", "Checking your photo…", "写真を確認しています…"),
    ("photo.none", "Choose or take a photo first.", "先に写真を選ぶか撮影してください。"),
    ("photo.error", "This photo could not be checked", "この写真は確認できませんでした"),
    ("photo.verdict_accept", "Your photo meets the requirements.", "顔写真は基準を満たしています。"),
    ("photo.verdict_review", "Your photo can be used if a person agrees.", "担当者の確認後に使用できる写真です。"),
    ("photo.verdict_reject", "This photo cannot be used yet.", "この写真はまだ使用できません。"),
    ("photo.fix_these", "Please change this, then take the photo again:", "次の点を直して撮り直してください："),
    ("photo.person_checks", "A person will check:", "担当者が確認する点："),
    ("photo.overlay_alt", "Your photo with the detected face (green box), the card crop (blue frame) and labels of the rules to fix", "検出した顔（緑の枠）、申請用の切り抜き範囲（青の枠）、直す点の番号を重ねたあなたの写真"),
    ("photo.overlay_caption", "What we checked: face (green), card crop (blue), points to fix (labels).", "確認内容：顔（緑）、切り抜き範囲（青）、直す点（番号）。"),
    ("photo.crop_alt", "Your card photo as it will be printed", "カードに印刷される顔写真"),
    ("photo.crop_caption", "Your card photo", "カード用の写真"),
    ("photo.continue", "Use this photo and continue", "この写真で次へ進む"),
    ("photo.review_hint", "You can continue now; we will e-mail you if a new photo is needed. Or try another photo.", "このまま進めます。撮り直しが必要な場合はメールでお知らせします。別の写真を試すこともできます。"),
    ("photo.retake_hint", "Take a new photo below; your entries are kept.", "下から新しい写真を登録してください。入力済みの内容は保存されています。"),
    ("photo.disagree", "Is this photo right after all?", "この写真で問題ないと思う場合"),
    ("photo.anyway_hint", "If you believe the check is wrong (for example a head covering worn for religious or medical reasons), you can send this photo for a person to check. It takes longer.", "判定が誤っていると思われる場合（宗教上・医療上の理由によるかぶり物など）、担当者の確認に回すことができます。時間がかかります。"),
    ("photo.anyway", "Send this photo for a person to check", "この写真を担当者の確認に回す"),
    ("photo.exception_summary", "Do you wear a head covering or bandage for religious or medical reasons?", "宗教上・医療上の理由でかぶり物や眼帯などを着用していますか？"),
    ("photo.exception_legend", "Reason for wearing it", "着用の理由"),
    ("photo.exception_hint", "It is allowed if your face from the bottom of the chin to the top of the forehead is visible. A person will check the photo.", "あごから額までの顔が見えていれば使用できます。担当者が写真を確認します。"),
    ("photo.exception_none", "No, nothing like this", "いいえ、着用していません"),
    ("photo.exception_religious", "Yes, a religious head covering", "はい、宗教上のかぶり物です"),
    ("photo.exception_medical", "Yes, for medical reasons (bandage, eye patch)", "はい、医療上の理由です（包帯・眼帯など）"),
    ("photo.age0_title", "Applying for a baby under one year old?", "1歳未満のお子様の申請ですか？"),
    ("photo.age0_body", "Children under one get their card without a photo. Skip this step and enter the date of birth.", "1歳未満のお子様は顔写真なしでカードが作られます。この手順を飛ばして生年月日を入力してください。"),
    ("photo.age0_link", "Skip the photo (under one year old)", "顔写真なしで進む（1歳未満）"),
    ("photo.locked", "The photo of this application is settled and cannot be changed.", "この申請の顔写真は確定しているため変更できません。"),
    ("photo.not_needed", "No photo is needed for this application.", "この申請には顔写真は不要です。"),
    // Step 3
    ("details.title", "Date of birth and choices", "生年月日と選択項目"),
    ("details.no_photo_title", "No photo yet", "顔写真が未登録です"),
    ("details.no_photo_body", "Only children under one year old apply without a photo. For anyone older, go back and add the photo.", "顔写真なしで申請できるのは1歳未満のお子様だけです。1歳以上の方は戻って顔写真を登録してください。"),
    ("details.back_to_photo", "Back to the photo", "顔写真に戻る"),
    ("details.dob", "Date of birth", "生年月日"),
    ("details.dob_hint", "As on your application form, e.g. 1990-04-01.", "申請書のとおり、例：1990-04-01。"),
    ("details.certificates", "Electronic certificates on the card", "カードへの電子証明書の搭載"),
    ("details.certificates_hint", "For signing in and e-signatures online. Not issued for signatures under 15.", "オンラインでのログインや電子署名に使います。15歳未満の方には署名用電子証明書は発行されません。"),
    ("details.braille", "Name in braille on the card", "カードへの点字表記"),
    ("details.braille_hint", "Your name is embossed in braille.", "氏名を点字で表記します。"),
    ("details.next", "Check my entries", "入力内容を確認する"),
    ("details.photo_needed", "A photo is needed for anyone one year old or older. Go back and add the photo first.", "1歳以上の方は顔写真が必要です。先に顔写真を登録してください。"),
    // Confirm
    ("confirm.title", "Check and send", "内容の確認"),
    ("confirm.intro", "Check your entries. Nothing is sent until you press the button.", "入力内容を確認してください。ボタンを押すまで申請は送信されません。"),
    ("confirm.photo", "Photo", "顔写真"),
    ("confirm.photo_none", "None (under one year old)", "なし（1歳未満）"),
    ("confirm.photo_rejected", "Sent for a person to check", "担当者の確認に回します"),
    ("confirm.age", "Age", "年齢"),
    ("confirm.card_until", "Card valid until (estimate)", "カードの有効期限（目安）"),
    ("confirm.signature", "Signature certificate", "署名用電子証明書"),
    ("confirm.submit", "Send my application", "申請する"),
    ("confirm.edit", "Change my entries", "入力内容を修正する"),
    // Done
    ("done.title", "Application received", "申請を受け付けました"),
    ("done.received", "Thank you. Your application is in.", "申請を受け付けました。"),
    ("done.mail", "We have sent a confirmation to your e-mail address.", "確認のメールをお送りしました。"),
    ("done.no_photo", "Children under one year old get their card without a photo: none was asked for or kept.", "1歳未満のお子様は顔写真なしでカードが作られます。写真は求めず、保存もしていません。"),
    ("done.review_pending", "A person will check your photo. We will e-mail you the result; if a new photo is needed, you can take it here.", "担当者が顔写真を確認します。結果はメールでお知らせします。撮り直しが必要な場合はこちらから登録できます。"),
    ("done.retake", "Take a new photo", "写真を撮り直す"),
    ("done.status_link", "Check the status later", "後で申請状況を確認する"),
    // Status
    ("status.title", "Application status", "申請状況の確認"),
    ("status.intro", "Enter the application form ID and the date of birth.", "申請書IDと生年月日を入力してください。"),
    ("status.lookup", "Look up", "確認する"),
    ("status.result", "Result", "確認結果"),
    ("status.state", "Status", "状況"),
    ("status.next", "What to do next", "次の手続き"),
    ("state.registered", "Registered, photo missing", "登録済み（顔写真未登録）"),
    ("state.photo_submitted", "Photo being checked", "顔写真の確認中"),
    ("state.auto_accepted", "Photo accepted", "顔写真は基準を満たしています"),
    ("state.auto_rejected", "Photo needs to be retaken", "顔写真の撮り直しが必要です"),
    ("state.in_review", "Being checked by a person", "担当者が確認中"),
    ("state.accepted", "Accepted", "受理されました"),
    ("state.retake_requested", "New photo requested", "写真の撮り直しを依頼しています"),
    ("state.forwarded", "Sent to the card issuer", "カード発行機関へ送付済み"),
    ("state.withdrawn", "Closed", "取り下げ"),
    // Errors
    ("error.title", "Something went wrong", "エラーが発生しました"),
    ("error.home", "Back to the start", "最初のページへ戻る"),
    ("error.cross_site", "This request came from another site and was refused.", "他のサイトからの操作は受け付けません。"),
    ("error.photo_unusable", "This file could not be used as a photo. Try another photo.", "このファイルは写真として使用できません。別の写真をお試しください。"),
    ("error.busy", "Many people are applying right now. Try again in a moment.", "ただいま混み合っています。しばらくしてから再度お試しください。"),
    ("error.not_found", "This page does not exist.", "このページは存在しません。"),
    ("error.internal", "Something went wrong on our side. Try again in a moment.", "システムで問題が発生しました。しばらくしてから再度お試しください。"),
    ("error.rate_limited", "Too many lookups. Try again in a minute.", "照会回数が多すぎます。1分後に再度お試しください。"),
    // Console
    ("console.signin", "Sign in", "ログイン"),
    ("console.name", "Reviewer name", "審査担当者名"),
    ("console.password", "Password", "パスワード"),
    ("console.bad_credentials", "Wrong name or password.", "名前またはパスワードが違います。"),
    ("console.signout", "Sign out", "ログアウト"),
    ("console.signed_in_as", "Signed in as {name}", "{name} でログイン中"),
    ("console.queue", "Review queue", "審査待ち一覧"),
    ("console.dashboard", "Dashboard", "ダッシュボード"),
    ("console.filter", "Filter", "絞り込み"),
    ("console.rule", "Rule", "規則"),
    ("console.channel", "Channel", "申請方法"),
    ("console.any", "Any", "すべて"),
    ("console.apply_filter", "Show", "表示"),
    ("console.empty", "Nothing is waiting for review.", "審査待ちはありません。"),
    ("console.form_id", "Form ID", "申請書ID"),
    ("console.state", "State", "状態"),
    ("console.flagged", "Flagged rules", "指摘された規則"),
    ("console.waiting", "Waiting since", "待機開始"),
    ("console.open", "Open", "開く"),
    ("console.item", "Application {id}", "申請 {id}"),
    ("console.photo", "Photo", "写真"),
    ("console.original", "Original", "元の写真"),
    ("console.overlay", "Overlay", "判定表示"),
    ("console.crop", "Card crop", "切り抜き"),
    ("console.no_photo", "No photo.", "写真はありません。"),
    ("console.photo_alt_original", "The applicant's photo", "申請者の写真"),
    ("console.photo_alt_overlay", "The photo with face box, landmarks, crop frame and failing rules", "顔の枠・特徴点・切り抜き範囲・不合格の規則を重ねた写真"),
    ("console.photo_alt_crop", "The card crop", "カード用の切り抜き"),
    ("console.measurements", "Measurements against thresholds", "測定値としきい値"),
    ("console.status", "Result", "判定"),
    ("console.measured", "Measured", "測定値"),
    ("console.threshold", "Threshold", "しきい値"),
    ("console.message", "Message", "メッセージ"),
    ("console.face", "Face box and landmarks", "顔の枠と特徴点"),
    ("console.history", "History", "履歴"),
    ("console.when", "When (JST)", "日時（日本時間）"),
    ("console.change", "Change", "変更"),
    ("console.event", "Event", "イベント"),
    ("console.by", "By", "実施者"),
    ("console.details", "Details", "詳細"),
    ("console.exception", "Declared exception", "申告された理由"),
    ("console.accept", "Accept despite the machine", "機械判定に反して受理する"),
    ("console.accept_reason", "Reason (required)", "理由（必須）"),
    ("console.accept_button", "Accept", "受理する"),
    ("console.retake", "Ask for a new photo", "撮り直しを依頼する"),
    ("console.retake_rules", "Reasons (sent to the applicant)", "理由（申請者に送信されます）"),
    ("console.retake_note", "Note to the applicant (optional)", "申請者へのメモ（任意）"),
    ("console.retake_button", "Ask for a retake", "撮り直しを依頼する"),
    ("console.decided", "Decision saved.", "判断を保存しました。"),
    ("console.not_open", "This application is not waiting for a decision.", "この申請は判断待ちではありません。"),
    ("console.shortcuts", "Keyboard shortcuts", "キーボードショートカット"),
    ("console.shortcuts_queue", "j / k: next / previous item, Enter: open, f: filter", "j / k：次 / 前の申請、Enter：開く、f：絞り込み"),
    ("console.shortcuts_item", "a: accept (reason), r: retake, o: overlay / original, n: next item, q: queue", "a：受理（理由）、r：撮り直し、o：判定表示 / 元の写真、n：次の申請、q：一覧"),
    ("console.next", "Next item", "次の申請"),
    ("console.back", "Back to the queue", "一覧に戻る"),
    ("console.queue_length", "Waiting", "審査待ち"),
    ("console.oldest", "Oldest waiting since", "最も古い待機開始"),
    ("console.rejections", "Machine rejections by rule", "規則別の機械による不合格"),
    ("console.overrides", "Reviewer overrides by rule", "規則別の審査担当者による受理"),
    ("console.override_rate", "Overridden", "受理の割合"),
    ("console.count", "Count", "件数"),
    ("console.overrides_total", "Overrides", "受理（判定の覆し）"),
    ("console.retakes_total", "Retakes asked", "撮り直し依頼"),
    ("console.dashboard_hint", "Rules that reviewers overrule often point to thresholds that need tuning.", "審査担当者がよく覆す規則は、しきい値の調整が必要な可能性があります。"),
    ("console.minutes", "{n} min", "{n}分"),
    ("console.none", "none", "なし"),
    ("channel.booth", "Photo booth", "証明写真機"),
    ("channel.smartphone", "Smartphone", "スマートフォン"),
    ("channel.pc", "Computer", "パソコン"),
    ("channel.counter", "Counter", "窓口"),
    ("status.pass", "pass", "合格"),
    ("status.warn", "check", "要確認"),
    ("status.fail", "fail", "不合格"),
    ("status.not_applicable", "n/a", "対象外"),
];

/// The text for `key`. An unknown key shows as itself, so a test (and a reader) notices.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match CATALOG.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, ja)) => match lang {
            Lang::Ja => ja,
            Lang::En => en,
        },
        None => {
            tracing::warn!(key, "missing UI text");
            "?"
        }
    }
}

/// `t` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Picks the language's version of a message that comes in both (domain errors). The domain's
/// English messages are written as clauses ("enter the date of birth"); a page shows sentences.
pub fn tr(lang: Lang, en: String, ja: String) -> String {
    match lang {
        Lang::Ja => ja,
        Lang::En => {
            let mut chars = en.chars();
            let mut s: String = match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => return en,
            };
            if !s.ends_with(['.', '!', '?', ':']) {
                s.push('.');
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_domain_messages_become_sentences() {
        assert_eq!(
            tr(Lang::En, "enter the date of birth".into(), "x".into()),
            "Enter the date of birth."
        );
        assert_eq!(tr(Lang::Ja, "x".into(), "生年月日".into()), "生年月日");
    }

    #[test]
    fn keys_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, en, ja) in CATALOG {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!en.is_empty() && !ja.is_empty(), "{k}");
        }
    }

    #[test]
    fn every_key_the_pages_use_exists() {
        let sources = [
            include_str!("apply.rs"),
            include_str!("console.rs"),
            include_str!("html.rs"),
            include_str!("mod.rs"),
        ];
        for src in sources {
            // Literal keys: "area.name" passed to t/tf or listed in arrays.
            for part in src.split('"').skip(1).step_by(2) {
                let (area, rest) = part.split_once('.').unwrap_or(("", ""));
                let looks_like_key = !area.is_empty()
                    && !rest.is_empty()
                    && area.bytes().all(|b| b.is_ascii_lowercase())
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                let known_area = CATALOG
                    .iter()
                    .any(|(k, _, _)| k.starts_with(&format!("{area}.")));
                if looks_like_key && known_area {
                    assert!(
                        CATALOG.iter().any(|(k, _, _)| *k == part),
                        "UI text {part} missing from the catalogue"
                    );
                }
            }
        }
        for s in crate::application::State::ALL {
            assert_ne!(t(Lang::En, &format!("state.{}", s.as_str())), "?", "{s}");
        }
        for c in crate::application::Channel::ALL {
            assert_ne!(
                t(Lang::En, &format!("channel.{}", c.as_str())),
                "?",
                "{c:?}"
            );
        }
    }
}
