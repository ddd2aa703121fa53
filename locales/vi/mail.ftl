mail-service = Dịch vụ ảnh cho đơn đăng ký Thẻ My Number
mail-greeting = Kính gửi { $name },
mail-greeting_anonymous = Kính gửi người đăng ký,
mail-footer =
    --
    { mail-service }
    E-mail này được gửi từ địa chỉ không nhận thư trả lời.
    Chúng tôi không bao giờ hỏi Mã số cá nhân (My Number) hay mã PIN của bạn qua e-mail.
mail-number_withheld = [số đã được ẩn]
mail-date = { $day }/{ $month }/{ $year }
mail-link_subject = Đơn đăng ký Thẻ My Number: đường liên kết dùng một lần
mail-link_body =
    Chúng tôi đã đăng ký địa chỉ e-mail của bạn cho đơn đăng ký Thẻ My Number.
    Hãy mở đường liên kết bên dưới để tải ảnh lên và nhập thông tin đăng ký.

    { $url }

    ・Đường liên kết chỉ dùng được một lần.
    ・Hết hạn lúc { $until }.
    ・Nếu đã hết hạn, hãy bắt đầu lại bằng cách nhập địa chỉ e-mail.

    Nếu bạn không yêu cầu e-mail này, hãy bỏ qua: không có gì xảy ra nếu đường liên kết không được mở.
mail-link_note = [Tiếng Việt] Hãy mở đường liên kết ở trên để tiếp tục đăng ký. Chỉ dùng được một lần, đến { $until }. Nếu bạn không yêu cầu, hãy bỏ qua e-mail này.
mail-completion_subject = Đã nhận đơn đăng ký Thẻ My Number
mail-completion_intro = Chúng tôi đã nhận đơn đăng ký Thẻ My Number của bạn.
mail-completion_form_id = Mã ID đơn đăng ký (4 số cuối): { $id }
mail-completion_status = Tình trạng: { $summary }
mail-completion_card_until = Thẻ có hiệu lực đến (dự kiến): { $date }
mail-completion_certificates = Chứng thư điện tử: { $note }
mail-completion_outro = Các thông báo tiếp theo sẽ do ủy ban thành phố, quận, thị trấn hoặc làng nơi bạn sống gửi đến.
mail-completion_note = [Tiếng Việt] Chúng tôi đã nhận đơn đăng ký Thẻ My Number của bạn; chi tiết ở trên.
mail-retake_subject = Đơn đăng ký Thẻ My Number: vui lòng gửi ảnh mới
mail-retake_intro = Chúng tôi đã kiểm tra ảnh bạn gửi. Rất tiếc, chúng tôi cần ảnh mới vì các lý do sau:
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = Ghi chú của nhân viên:
mail-retake_link = Hãy tải ảnh mới lên tại đây; mọi thông tin khác bạn đã nhập vẫn được giữ:
mail-retake_same_way = Hãy gửi ảnh mới theo cách bạn đã đăng ký.
mail-retake_rules = Ảnh phải được chụp trong vòng 6 tháng gần đây, nhìn thẳng, không đội mũ, nền trơn.
mail-retake_note = [Tiếng Việt] Hãy gửi ảnh mới cho đơn đăng ký Thẻ My Number; lý do (kèm mã quy tắc) ở trên.
mail-accepted_subject = Đơn đăng ký Thẻ My Number: ảnh đã được chấp nhận
mail-accepted_intro = Chúng tôi đã kiểm tra ảnh bạn gửi và chấp nhận cho đơn đăng ký của bạn.
mail-accepted_form_id = Mã ID đơn đăng ký (4 số cuối): { $id }
mail-accepted_no_more = Bạn không cần gửi ảnh khác.
mail-accepted_note = [Tiếng Việt] Ảnh của bạn đã được chấp nhận; không cần gửi ảnh khác.
