# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = マイナンバーカード写真
kiosk-language = 言語
kiosk-attract = 申請書のQRコードをカメラにかざしてください
kiosk-form = 申請書を読み取りました。正面を向いてください
kiosk-accept = この写真で申請します
kiosk-review = この写真は担当者が確認します
kiosk-reject = この写真は基準を満たしていません。撮り直します
kiosk-hold = そのまま動かないでください
kiosk-choose = 撮り直しの回数が上限に達しました。選んでください
kiosk-submit = いちばん良い写真で申請（担当者が確認します）
kiosk-cancel = 取り消して返金
