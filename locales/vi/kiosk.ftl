# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = Ảnh thẻ My Number
kiosk-language = Ngôn ngữ
kiosk-attract = Hãy đưa mã QR trên đơn đăng ký trước máy ảnh
kiosk-form = Đã đọc đơn. Hãy nhìn thẳng vào máy ảnh
kiosk-accept = Ảnh này sẽ được gửi
kiosk-review = Nhân viên sẽ kiểm tra ảnh này
kiosk-reject = Ảnh này không đạt yêu cầu. Hãy chụp lại
kiosk-hold = Hãy giữ yên
kiosk-choose = Đã hết số lần chụp lại. Hãy chọn
kiosk-submit = Gửi ảnh đẹp nhất (nhân viên sẽ kiểm tra)
kiosk-cancel = Hủy và nhận lại tiền
