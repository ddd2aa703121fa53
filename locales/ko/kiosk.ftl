# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = 마이넘버 카드 사진
kiosk-language = 언어
kiosk-attract = 신청서의 QR 코드를 카메라에 비춰 주세요
kiosk-form = 신청서를 읽었습니다. 카메라를 정면으로 봐 주세요
kiosk-accept = 이 사진으로 신청합니다
kiosk-review = 이 사진은 담당자가 확인합니다
kiosk-reject = 이 사진은 기준에 맞지 않습니다. 다시 찍습니다
kiosk-hold = 움직이지 마세요
kiosk-choose = 다시 찍을 수 있는 횟수를 모두 사용했습니다. 선택해 주세요
kiosk-submit = 가장 좋은 사진으로 신청 (담당자가 확인합니다)
kiosk-cancel = 취소하고 환불받기
