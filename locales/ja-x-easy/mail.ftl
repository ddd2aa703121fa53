mail-service = マイナンバーカード もうしこみ しゃしん かくにん サービス
mail-greeting = { $name } さま
mail-greeting_anonymous = もうしこんだ かた へ
mail-footer =
    ――
    { mail-service }
    この メールに へんじを しても こたえられません。
    この サービスが メールで マイナンバー（こじんばんごう）や あんしょうばんごうを きくことは ありません。
mail-number_withheld = ［ばんごうは みせません］
mail-date = { $year }ねん { $month }がつ { $day }にち
mail-link_subject = 【マイナンバーカード もうしこみ】もうしこみの URL（1かいだけ つかえます）
mail-link_body =
    マイナンバーカードの もうしこみの メールアドレスを うけつけました。
    したの URLを ひらいて、しゃしんと もうしこみの ないようを いれて ください。

    { $url }

    ・この URLは 1かいだけ つかえます。
    ・{ $until } まで つかえます。
    ・じかんが すぎたら、もういちど メールアドレスから いれて ください。

    こころあたりが ない ときは、URLを ひらかないで この メールを けして ください。URLを ひらかなければ、なにも おきません。
mail-link_note = 【やさしい にほんご】うえの URLから もうしこみを つづけて ください。1かいだけ、{ $until } まで つかえます。
mail-completion_subject = 【マイナンバーカード もうしこみ】もうしこみを うけつけました
mail-completion_intro = マイナンバーカードの もうしこみを うけつけました。
mail-completion_form_id = しんせいしょID（さいごの 4けた）：{ $id }
mail-completion_status = じょうきょう：{ $summary }
mail-completion_card_until = カードが つかえる さいごの ひ（よてい）：{ $date }
mail-completion_certificates = でんししょうめいしょ：{ $note }
mail-completion_outro = これからの おしらせは、あなたが すんで いる しやくしょ・まちやくばから とどきます。
mail-completion_note = 【やさしい にほんご】もうしこみを うけつけました。くわしい ことは うえに かいて あります。
mail-retake_subject = 【マイナンバーカード もうしこみ】しゃしんを とりなおして ください
mail-retake_intro = おくって くれた しゃしんを みました。ごめんなさい。したの りゆうで、しゃしんを とりなおして ください。
mail-retake_reason = ・{ $rule }：{ $text }
mail-retake_comment = かかりの ひとからの ことば：
mail-retake_link = あたらしい しゃしんは したの URLから おくって ください。ほかに いれた ことは そのまま のこって います。
mail-retake_same_way = あたらしい しゃしんは、もうしこんだ ときと おなじ やりかたで おくって ください。
mail-retake_rules = しゃしんは、6かげつの あいだに とった、まえを むいた、ぼうしの ない、もようの ない かべの まえの ものに して ください。
mail-retake_note = 【やさしい にほんご】しゃしんを とりなおして ください。りゆうは うえに かいて あります。
mail-accepted_subject = 【マイナンバーカード もうしこみ】しゃしんの かくにんが おわりました
mail-accepted_intro = おくって くれた しゃしんを みました。この しゃしんで もうしこみを すすめます。
mail-accepted_form_id = しんせいしょID（さいごの 4けた）：{ $id }
mail-accepted_no_more = しゃしんを もういちど おくる ひつようは ありません。
mail-accepted_note = 【やさしい にほんご】しゃしんの かくにんが おわりました。もういちど おくる ひつようは ありません。
