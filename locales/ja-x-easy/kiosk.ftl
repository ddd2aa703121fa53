# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = マイナンバーカードの しゃしん
kiosk-language = ことば
kiosk-attract = もうしこみの かみの QRコードを カメラに みせて ください
kiosk-form = かみを よみました。カメラの ほうを みて ください
kiosk-accept = この しゃしんで もうしこみます
kiosk-review = この しゃしんは かかりの ひとが みます
kiosk-reject = この しゃしんは つかえません。もう いちど とります
kiosk-hold = うごかないで ください
kiosk-choose = もう とりなおせません。えらんで ください
kiosk-submit = いちばん よい しゃしんで もうしこむ（かかりの ひとが みます）
kiosk-cancel = やめて おかねを かえして もらう
