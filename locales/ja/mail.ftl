# Mails (src/mail/templates.rs). A mail is: greeting, body, footer, then one closing line in
# the other language (`*-note`: English under a Japanese mail, Japanese under any other).
mail-service = マイナンバーカード申請 写真確認サービス
mail-greeting = { $name } 様
mail-greeting_anonymous = 申請者 様
mail-footer =
    ――
    { mail-service }
    このメールは送信専用です。返信いただいてもお答えできません。
    このサービスがメールでマイナンバー（個人番号）や暗証番号をお尋ねすることはありません。
mail-number_withheld = ［番号は表示しません］
# Variables: $year $month $day, and $monthname (the English month name).
mail-date = { $year }年{ $month }月{ $day }日
mail-link_subject = 【マイナンバーカード申請】申請用リンクのお知らせ（1回限り有効）
mail-link_body =
    マイナンバーカード交付申請のメールアドレス登録を受け付けました。
    次のリンクを開いて、顔写真の登録と申請情報の入力に進んでください。

    { $url }

    ・このリンクは1回だけ使えます。
    ・有効期限：{ $until } まで
    ・期限が過ぎた場合は、もう一度メールアドレスの登録からやり直してください。

    このメールに心当たりがない場合は、リンクを開かずにこのメールを削除してください。リンクを開かない限り、手続きは何も行われません。
mail-link_note = 【日本語】上のリンクから申請を続けてください。1回だけ、{ $until } まで使えます。心当たりがない場合は、このメールを無視してください。
mail-completion_subject = 【マイナンバーカード申請】申請を受け付けました
mail-completion_intro = マイナンバーカードの交付申請を受け付けました。
mail-completion_form_id = 申請書ID（下4桁）：{ $id }
mail-completion_status = 状況：{ $summary }
mail-completion_card_until = カードの有効期限（予定）：{ $date }
mail-completion_certificates = 電子証明書：{ $note }
mail-completion_outro = 今後のお知らせは、お住まいの市区町村から届きます。
mail-completion_note = 【日本語】マイナンバーカードの交付申請を受け付けました。詳細は上記のとおりです。
mail-retake_subject = 【マイナンバーカード申請】顔写真の撮り直しのお願い
mail-retake_intro = 提出いただいた顔写真を確認しました。申し訳ありませんが、次の理由により写真の撮り直しをお願いします。
mail-retake_reason = ・{ $rule }：{ $text }
mail-retake_comment = 担当者からのコメント：
mail-retake_link = 新しい写真は次のリンクから提出してください。入力済みの内容はそのまま残っています。
mail-retake_same_way = 新しい写真は、申請したときと同じ方法で提出してください。
mail-retake_rules = 写真は、最近6か月以内に撮影した、正面・無帽・無背景のものをご用意ください。
mail-retake_note = 【日本語】顔写真の撮り直しをお願いします。理由（規則番号つき）は上記のとおりです。
mail-accepted_subject = 【マイナンバーカード申請】顔写真の確認が完了しました
mail-accepted_intro = 提出いただいた顔写真を確認しました。この写真で申請を進めます。
mail-accepted_form_id = 申請書ID（下4桁）：{ $id }
mail-accepted_no_more = 写真を提出し直す必要はありません。
mail-accepted_note = 【日本語】顔写真の確認が完了しました。写真の再提出は必要ありません。
