mail-service = 마이넘버 카드 신청 사진 확인 서비스
mail-greeting = { $name } 님
mail-greeting_anonymous = 신청자님
mail-footer =
    --
    { mail-service }
    이 메일은 발신 전용입니다. 회신하셔도 답변할 수 없습니다.
    이 서비스는 이메일로 마이넘버(개인번호)나 비밀번호를 묻지 않습니다.
mail-number_withheld = [번호는 표시하지 않습니다]
mail-date = { $year }년 { $month }월 { $day }일
mail-link_subject = [마이넘버 카드 신청] 신청용 링크 안내(1회 한정)
mail-link_body =
    마이넘버 카드 신청을 위한 이메일 주소 등록을 접수했습니다.
    다음 링크를 열어 사진 등록과 신청 정보 입력을 진행하세요.

    { $url }

    ・이 링크는 한 번만 사용할 수 있습니다.
    ・유효기간: { $until }까지
    ・기간이 지났으면 이메일 주소 등록부터 다시 하세요.

    이 메일에 짐작 가는 바가 없으면 링크를 열지 말고 삭제하세요. 링크를 열지 않으면 아무 절차도 진행되지 않습니다.
mail-link_note = [한국어] 위 링크에서 신청을 계속하세요. 한 번만, { $until }까지 사용할 수 있습니다. 요청하지 않았다면 이 메일을 무시하세요.
mail-completion_subject = [마이넘버 카드 신청] 신청이 접수되었습니다
mail-completion_intro = 마이넘버 카드 발급 신청을 접수했습니다.
mail-completion_form_id = 신청서 ID(끝 4자리): { $id }
mail-completion_status = 상황: { $summary }
mail-completion_card_until = 카드 유효기간(예정): { $date }
mail-completion_certificates = 전자증명서: { $note }
mail-completion_outro = 앞으로의 안내는 거주하시는 시구정촌에서 보내 드립니다.
mail-completion_note = [한국어] 마이넘버 카드 발급 신청을 접수했습니다. 자세한 내용은 위와 같습니다.
mail-retake_subject = [마이넘버 카드 신청] 사진 재촬영 요청
mail-retake_intro = 제출하신 사진을 확인했습니다. 죄송하지만 다음 이유로 사진을 다시 찍어 주시기 바랍니다.
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = 담당자의 코멘트:
mail-retake_link = 새 사진은 다음 링크에서 제출하세요. 입력한 다른 내용은 그대로 남아 있습니다.
mail-retake_same_way = 새 사진은 신청할 때와 같은 방법으로 제출하세요.
mail-retake_rules = 사진은 최근 6개월 이내에 촬영한 정면, 모자 없음, 무배경 사진을 준비하세요.
mail-retake_note = [한국어] 사진을 다시 제출해 주세요. 이유(규칙 번호 포함)는 위와 같습니다.
mail-accepted_subject = [마이넘버 카드 신청] 사진 확인이 완료되었습니다
mail-accepted_intro = 제출하신 사진을 확인했습니다. 이 사진으로 신청을 진행합니다.
mail-accepted_form_id = 신청서 ID(끝 4자리): { $id }
mail-accepted_no_more = 사진을 다시 제출할 필요는 없습니다.
mail-accepted_note = [한국어] 사진 확인이 완료되었습니다. 다시 제출할 필요는 없습니다.
