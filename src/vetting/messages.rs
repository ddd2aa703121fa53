//! Applicant-facing messages, keyed by rule id and case, in Japanese and English.
//! Reports, pages and the CLI all take their words from here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub en: String,
    pub ja: String,
}

impl Message {
    pub fn new(en: &str, ja: &str) -> Message {
        Message {
            en: en.to_string(),
            ja: ja.to_string(),
        }
    }
}

/// (key, English, Japanese)
const CATALOG: &[(&str, &str, &str)] = &[
    ("F1.ok", "The file is a readable image.", "画像ファイルを読み込めました。"),
    ("F1.empty_file", "The file is empty. Choose the photo again.", "ファイルが空です。写真を選び直してください。"),
    ("F1.file_too_large", "The file is larger than 20 MB. Send a smaller photo.", "ファイルが20MBを超えています。より小さい写真を送ってください。"),
    ("F1.too_many_pixels", "The image has more than 50 megapixels. Send a smaller photo.", "画像が5000万画素を超えています。より小さい写真を送ってください。"),
    ("F1.unsupported_format", "This is not a JPEG, PNG or WebP image. Send the photo as a JPEG.", "JPEG・PNG・WebP形式の画像ではありません。JPEG形式で送ってください。"),
    ("F1.cmyk_not_supported", "The photo is in CMYK colour. Save it as an ordinary RGB JPEG and send it again.", "CMYK形式の画像です。通常のRGB形式のJPEGで保存して送り直してください。"),
    ("F1.corrupt_image", "The image is damaged or incomplete. Take or send the photo again.", "画像が壊れているか、途中までしかありません。撮り直すか送り直してください。"),
    ("F1.photo_not_required_age_0", "Applicants under one year old apply without a photo. The photo was not checked or kept.", "1歳未満の方は顔写真なしで申請します。写真は確認・保存していません。"),
    ("F3.ok", "The photo file for the card is within the allowed size.", "申請用の写真ファイルは規定のサイズ内です。"),
    ("F3.size", "The photo file for the card is outside 20 KB to 7 MB.", "申請用の写真ファイルが20KB〜7MBの範囲外です。"),
    ("F4.ok", "The face has enough resolution.", "顔の解像度は十分です。"),
    ("F4.small", "Your face is too small in the photo. Move closer to the camera or use a higher-resolution photo.", "写真の中の顔が小さすぎます。カメラに近づくか、より高解像度の写真を使ってください。"),
    ("F5.ok", "A card photo could be cut from this photo.", "この写真から申請用の写真を切り出せます。"),
    ("F5.crown_cut", "The top of your head is cut off. Step back or lower your head in the frame so your whole head fits.", "頭の上が切れています。カメラから離れるなどして、頭全体が写るようにしてください。"),
    ("F5.too_close", "You are too close to the camera. Step back so your whole head and shoulders fit.", "カメラに近すぎます。少し離れて、頭と肩全体が写るようにしてください。"),
    ("F5.no_space_above", "There is not enough space above your head. Move the camera up or step back.", "頭の上の余白が足りません。カメラを上げるか、少し離れてください。"),
    ("F5.no_space_below", "There is not enough space below your chin. Lower the camera or step back so your shoulders show.", "あごの下の余白が足りません。カメラを下げるか、少し離れて肩まで写してください。"),
    ("F5.off_centre", "Your face is too close to the edge. Centre your face in the photo.", "顔が写真の端に寄りすぎています。顔を中央にしてください。"),
    ("F5.ears", "Your ears or face outline are too close to the edge. Centre your face and step back a little.", "耳や顔の輪郭が端に近すぎます。顔を中央にして、少し離れてください。"),
    ("geometry.tolerance", "Slightly outside the passport guide, within the margin the issuer's cropping allows.", "旅券の目安からわずかに外れていますが、発行側の切り抜きで許容される範囲です。"),
    ("geometry.no_crop", "Not judged: no card photo could be cut from this photo (see F5).", "判定していません：申請用の写真を切り出せませんでした（F5参照）。"),
    ("F6.none", "Not judged: the photo carries no capture date.", "判定していません：撮影日の情報がありません。"),
    ("F6.ok", "The photo was taken within the last 6 months.", "撮影から6か月以内の写真です。"),
    ("F6.old", "The photo seems older than 6 months. Use a photo taken within the last 6 months.", "撮影から6か月を超えているようです。6か月以内に撮影した写真を使ってください。"),
    ("F6.future", "The photo's capture date is after the application date; a person will check it.", "撮影日が申請日より後になっています。担当者が確認します。"),
    ("F7.ok", "No sign of editing software was found in the file.", "ファイルに編集ソフトの痕跡はありません。"),
    ("F7.editor", "The photo was saved by editing software. Send an unedited photo; a person will check it.", "写真が編集ソフトで保存されています。加工していない写真を送ってください。担当者が確認します。"),
    ("F7.cutout", "The photo has a transparent background, which suggests it was cut out. Send the original photo.", "背景が透明で、切り抜き加工の可能性があります。元の写真を送ってください。"),
    ("F8.ok", "Orientation applied; location and device data are removed from the card photo.", "向きを補正し、位置情報や機器情報は申請用写真から削除しました。"),
    ("P1.ok", "Exactly one face was found.", "顔が1つだけ写っています。"),
    ("P1.none", "No face was found. Take a photo of your face from the front.", "顔が見つかりません。正面から顔を撮影してください。"),
    ("P1.several", "More than one face is in the photo. Take the photo alone, with no people or pictures of faces behind you.", "複数の顔が写っています。背景に人や顔の写った物がない状態で、1人で撮影してください。"),
    ("P1.profile", "Only a face in profile was found. Face the camera directly.", "横顔しか写っていません。カメラの正面を向いてください。"),
    ("P1.unclear", "Your face could not be seen clearly. Face the camera directly in good light.", "顔がはっきり確認できません。明るい場所で正面を向いて撮影してください。"),
    ("P2.ok", "You are facing the camera.", "正面を向いています。"),
    ("P2.roll", "Your head is tilted. Keep your head straight.", "頭が傾いています。まっすぐにしてください。"),
    ("P2.yaw", "Your head is turned. Face the camera directly.", "顔が横を向いています。カメラの正面を向いてください。"),
    ("P2.pitch_down", "Your chin is lowered. Raise your chin slightly and look straight at the camera.", "あごが下がっています。あごを少し上げて、まっすぐカメラを見てください。"),
    ("P2.pitch_up", "Your chin is raised. Lower your chin slightly and look straight at the camera.", "あごが上がっています。あごを少し引いて、まっすぐカメラを見てください。"),
    ("P3.ok", "Your head is the right size in the card photo.", "申請用写真の中で頭の大きさが適切です。"),
    ("P4.ok", "Your face is centred.", "顔が中央にあります。"),
    ("P5.ok", "There is the right space above your head and below your chin.", "頭の上とあごの下の余白が適切です。"),
    ("P6.ok", "Your whole head and both ears fit in the card photo.", "頭全体と両耳が申請用写真に収まっています。"),
    ("P6.crown_cut", "The top of your head is cut off. Step back so your whole head fits.", "頭の上が切れています。少し離れて頭全体が写るようにしてください。"),
    ("P7.ok", "The eyes are far enough apart in pixels for a sharp card photo.", "目の間の画素数は十分です。"),
    ("P7.small", "Your face has too few pixels. Move closer or use a higher-resolution camera.", "顔の画素数が足りません。カメラに近づくか、高解像度のカメラを使ってください。"),
    ("P8.ok", "Both eyes are open.", "両目が開いています。"),
    ("P8.closed", "Your eyes look closed. Open both eyes and look at the camera.", "目が閉じているようです。両目を開けてカメラを見てください。"),
    ("P8.narrow", "Your eyes look half closed. Open both eyes fully; a person will check.", "目が半分閉じているようです。しっかり目を開けてください。担当者が確認します。"),
    ("P9.ok", "Your expression is neutral.", "無表情です。"),
    ("P9.open", "Your mouth is open. Close your mouth.", "口が開いています。口を閉じてください。"),
    ("P9.smile", "You are smiling. Keep a neutral expression with your mouth closed.", "笑顔になっています。口を閉じて無表情にしてください。"),
    ("P10.ok", "The background is plain and light.", "背景は無地で明るい色です。"),
    ("P10.busy", "There are objects or patterns behind you. Stand in front of a plain, light wall.", "背景に物や模様が写っています。無地で明るい色の壁の前で撮影してください。"),
    ("P10.dark", "The background is too dark. Stand in front of a plain, light wall.", "背景が暗すぎます。無地で明るい色の壁の前で撮影してください。"),
    ("P10.darkish", "The background is rather dark; a person will check it. A light background is best.", "背景がやや暗いため、担当者が確認します。明るい背景が最適です。"),
    ("P10.colour", "The background colour is too strong. Use a white, light grey or pale background.", "背景の色が濃すぎます。白・薄い灰色・淡い色の背景にしてください。"),
    ("P10.tint", "The background is a pale tint, which is allowed.", "背景は淡い色で、問題ありません。"),
    ("P10.gradient", "The background gets darker across the photo; a person will check it. Light the wall evenly.", "背景の明るさにむらがあるため、担当者が確認します。壁を均一に照らしてください。"),
    ("P10.too_little", "Too little background shows to judge it; a person will check the photo.", "背景の写っている部分が少なく判定できないため、担当者が確認します。"),
    ("P11.ok", "No shadows behind you or on your face.", "背景や顔に影はありません。"),
    ("P11.shadow", "There is a shadow behind your head. Step away from the wall or light it.", "頭の後ろに影があります。壁から離れるか、壁を照らしてください。"),
    ("P11.face", "One side of your face is darker than the other. Face the light evenly.", "顔の片側が暗くなっています。顔に均一に光が当たるようにしてください。"),
    ("P11.not_assessed", "Not judged: too little background shows.", "判定していません：背景の写っている部分が少なすぎます。"),
    ("P12.ok", "The photo is in focus.", "ピントが合っています。"),
    ("P12.blur", "The photo is blurred. Hold the camera still and let it focus on your face.", "写真がぼやけています。カメラを固定し、顔にピントを合わせて撮影してください。"),
    ("P12.soft", "The photo is slightly soft; a person will check it.", "写真がややぼやけているため、担当者が確認します。"),
    ("P13.ok", "Your face is well exposed.", "顔の明るさは適切です。"),
    ("P13.dark", "Your face is too dark. Take the photo in brighter light.", "顔が暗すぎます。明るい場所で撮影してください。"),
    ("P13.bright", "Your face is too bright (washed out). Avoid direct flash or strong light.", "顔が明るすぎます（白飛び）。強い光や直接のフラッシュを避けてください。"),
    ("P13.flat", "The photo has very little contrast; a person will check it.", "写真のコントラストが低いため、担当者が確認します。"),
    ("P14.ok", "No compression blocks or noise.", "圧縮によるブロックやノイズはありません。"),
    ("P14.blocky", "The photo shows compression blocks. Send the original photo, not a compressed copy.", "圧縮によるブロックが見えます。圧縮したものではなく、元の写真を送ってください。"),
    ("P14.not_assessed", "Not judged at this decode scale (blocking is only measured on JPEG at 1/2 scale or more).", "この縮小率では判定していません。"),
    ("P15.ok", "No red eye.", "赤目はありません。"),
    ("P15.red", "Your eyes look red from the flash. Take the photo without direct flash.", "フラッシュで目が赤く写っています。直接のフラッシュを使わずに撮影してください。"),
    ("P16.ok", "No sign of glasses problems.", "眼鏡の問題は見当たりません。"),
    ("P16.glare", "Light reflects on your glasses. Tilt the glasses slightly or take them off; a person will check.", "眼鏡に光が反射しています。眼鏡を少し傾けるか外してください。担当者が確認します。"),
    ("P16.frame", "A glasses frame may cross your eyes. Make sure the frame does not cover your eyes; a person will check.", "眼鏡のフレームが目にかかっている可能性があります。担当者が確認します。"),
    ("P17.ok", "No head covering seen.", "帽子などのかぶり物は見当たりません。"),
    ("P17.edge", "A hat brim or headband may be on your head. Remove it (allowed for religious or medical reasons); a person will check.", "帽子のつばやヘアバンドがあるようです。外してください（宗教上・医療上の理由は除く）。担当者が確認します。"),
    ("P18.ok", "Your eyes are not covered by hair.", "髪で目が隠れていません。"),
    ("P18.covered", "Hair or shadow may cover your eyes. Keep your hair away from your eyes; a person will check.", "髪や影で目が隠れている可能性があります。髪が目にかからないようにしてください。担当者が確認します。"),
    ("P19.ok", "Nothing covers the lower face.", "顔の下半分を隠す物はありません。"),
    ("P19.covered", "Something may cover your mouth or chin. Remove masks (bandages allowed for medical reasons); a person will check.", "口やあごが隠れている可能性があります。マスクを外してください（医療上の理由は除く）。担当者が確認します。"),
    ("P20.ok", "The skin colour looks natural.", "肌の色は自然です。"),
    ("P20.mono", "Monochrome photo: skin colour not judged.", "白黒写真のため肌の色は判定していません。"),
    ("P20.colour", "The skin colour looks unnatural (filter, make-up or coloured light). Use an unedited photo in daylight; a person will check.", "肌の色が不自然です（加工・化粧・色のついた照明）。加工していない写真を使ってください。担当者が確認します。"),
    ("P21.mono", "Monochrome photo: allowed.", "白黒写真です。使用できます。"),
    ("P21.colour", "Colour photo.", "カラー写真です。"),
    ("exception.waived", "Waived by the declared reason; a person will check.", "申告された理由により免除。担当者が確認します。"),
];

/// The message for `key`; an unknown key is a programming error shown as the key itself so
/// that a test catches it rather than a user seeing nothing.
pub fn msg(key: &str) -> Message {
    CATALOG
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, ja)| Message::new(en, ja))
        .unwrap_or_else(|| Message::new(key, key))
}

pub fn has(key: &str) -> bool {
    CATALOG.iter().any(|(k, _, _)| *k == key)
}

/// One plain instruction per rule, for reasons a reviewer picks (retake mail, console).
const RULE_TITLES: &[(&str, &str, &str)] = &[
    (
        "F6",
        "The photo must have been taken within the last six months.",
        "6か月以内に撮影した写真を使用してください。",
    ),
    (
        "F7",
        "Do not edit the photo: no filters, retouching or replaced backgrounds.",
        "写真を加工しないでください（フィルター、修整、背景の合成は不可）。",
    ),
    (
        "P1",
        "Only your face may be in the photo: no other people or pictures of faces.",
        "写真にはご本人の顔だけが写るようにしてください。",
    ),
    (
        "P2",
        "Face the camera directly and keep your head straight.",
        "カメラの正面を向き、頭をまっすぐにしてください。",
    ),
    (
        "P3",
        "Your head must fill the right part of the photo: come closer or step back.",
        "頭の大きさが規定に合うよう、カメラとの距離を調整してください。",
    ),
    (
        "P4",
        "Keep your face in the centre of the photo.",
        "顔が写真の中央に来るようにしてください。",
    ),
    (
        "P5",
        "Leave the right space above your head and below your chin.",
        "頭の上とあごの下に適切な余白を空けてください。",
    ),
    (
        "P6",
        "Your whole head and both ears must be in the photo.",
        "頭全体と両耳が写るようにしてください。",
    ),
    (
        "P7",
        "The photo needs more detail of your face: move closer or use a better camera.",
        "顔の画素数が足りません。カメラに近づくか高解像度のカメラを使ってください。",
    ),
    (
        "P8",
        "Both eyes must be open and visible.",
        "両目を開け、目が見えるようにしてください。",
    ),
    (
        "P9",
        "Keep a neutral expression with your mouth closed.",
        "口を閉じ、無表情で撮影してください。",
    ),
    (
        "P10",
        "Use a plain, light background with nothing behind you.",
        "無地で明るい色の背景で撮影してください。",
    ),
    (
        "P11",
        "Avoid shadows on the background and on your face.",
        "背景や顔に影がないようにしてください。",
    ),
    (
        "P12",
        "The photo must be sharp: hold the camera still.",
        "ピントの合った鮮明な写真にしてください。",
    ),
    (
        "P13",
        "Your face must be neither too dark nor too bright.",
        "顔が暗すぎたり明るすぎたりしないようにしてください。",
    ),
    (
        "P14",
        "Use the original photo, not a compressed copy or a scan of a print.",
        "圧縮した画像や印刷物をスキャンした画像ではなく、元の写真を使用してください。",
    ),
    (
        "P15",
        "Red eye is not allowed: take the photo again without the flash effect.",
        "赤目になっています。撮り直してください。",
    ),
    (
        "P16",
        "Glasses: no tinted lenses, no reflections, the frame clear of your eyes.",
        "眼鏡は色付きレンズ不可、レンズの反射や縁が目にかからないようにしてください。",
    ),
    (
        "P17",
        "Take off hats, caps and head coverings (unless for religious or medical reasons).",
        "帽子やスカーフ等は外してください（宗教上・医療上の理由を除く）。",
    ),
    (
        "P18",
        "Keep your hair away from your eyes and the outline of your face.",
        "髪が目や顔の輪郭にかからないようにしてください。",
    ),
    (
        "P19",
        "Nothing may hide your face: take off masks.",
        "マスクなど顔を隠す物は外してください。",
    ),
    (
        "P20",
        "Your photo must look like you usually do: no heavy make-up or filters.",
        "普段の顔と違って見える濃い化粧やフィルターは避けてください。",
    ),
];

/// The plain instruction for a rule id (`P9`), for reviewers' reasons.
pub fn rule_title(rule: &str) -> Option<Message> {
    RULE_TITLES
        .iter()
        .find(|(k, _, _)| *k == rule)
        .map(|(_, en, ja)| Message::new(en, ja))
}

/// Every rule a reviewer can name as a reason.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    RULE_TITLES.iter().map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, en, ja) in CATALOG {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!en.is_empty() && !ja.is_empty(), "{k}");
        }
    }

    #[test]
    fn every_key_used_in_the_rules_exists() {
        // Scan the rule sources for "Pn.x" / "Fn.x" literal keys.
        let sources = [
            include_str!("rules/appearance.rs"),
            include_str!("rules/background.rs"),
            include_str!("rules/expression.rs"),
            include_str!("rules/file.rs"),
            include_str!("rules/geometry.rs"),
            include_str!("rules/pose.rs"),
            include_str!("rules/presence.rs"),
            include_str!("rules/quality.rs"),
        ];
        for src in sources {
            for part in src.split('"').skip(1).step_by(2) {
                let looks_like_key = part.len() > 3
                    && (part.starts_with('P')
                        || part.starts_with('F')
                        || part.starts_with("geometry."))
                    && part.contains('.')
                    && !part.contains(' ');
                if looks_like_key {
                    assert!(has(part), "message key {part} missing from the catalogue");
                }
            }
        }
    }
}
