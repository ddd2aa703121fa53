mail-service = 个人编号卡申请 照片确认服务
mail-greeting = { $name } 您好：
mail-greeting_anonymous = 申请人您好：
mail-footer =
    ——
    { mail-service }
    此邮件为系统自动发送，请勿回复。
    本服务绝不会通过邮件询问您的个人编号（My Number）或密码。
mail-number_withheld = ［号码不予显示］
mail-date = { $year }年{ $month }月{ $day }日
mail-link_subject = 个人编号卡申请：您的一次性链接
mail-link_body =
    我们已为个人编号卡申请登记了您的电子邮箱地址。
    请打开下面的链接，上传照片并输入申请内容。

    { $url }

    ・此链接只能使用一次。
    ・有效期至：{ $until }
    ・如已过期，请重新从登记电子邮箱地址开始。

    如果您没有申请过，请忽略此邮件：不打开链接就不会进行任何手续。
mail-link_note = 【中文】请通过上面的链接继续申请。只能使用一次，有效期至 { $until }。如果您没有申请过，请忽略此邮件。
mail-completion_subject = 个人编号卡申请已受理
mail-completion_intro = 我们已受理您的个人编号卡申请。
mail-completion_form_id = 申请书ID（后4位）：{ $id }
mail-completion_status = 状态：{ $summary }
mail-completion_card_until = 卡的有效期（预计）：{ $date }
mail-completion_certificates = 电子证明书：{ $note }
mail-completion_outro = 今后的通知将由您居住地的市区町村寄送。
mail-completion_note = 【中文】我们已受理您的个人编号卡申请，详情如上。
mail-retake_subject = 个人编号卡申请：请重新提交照片
mail-retake_intro = 我们已确认您提交的照片。很抱歉，由于以下原因，需要您提交新照片：
mail-retake_reason = ・{ $rule }：{ $text }
mail-retake_comment = 工作人员的留言：
mail-retake_link = 请通过以下链接上传新照片；您输入的其他内容都会保留：
mail-retake_same_way = 请用申请时的相同方式提交新照片。
mail-retake_rules = 照片须为最近6个月内拍摄、正面、不戴帽子、素色背景。
mail-retake_note = 【中文】请为您的个人编号卡申请提交新照片；原因（附规则编号）如上。
mail-accepted_subject = 个人编号卡申请：照片已确认
mail-accepted_intro = 我们已确认您提交的照片，并将用于您的申请。
mail-accepted_form_id = 申请书ID（后4位）：{ $id }
mail-accepted_no_more = 您不需要再提交照片。
mail-accepted_note = 【中文】您的照片已确认，无需再次提交。
