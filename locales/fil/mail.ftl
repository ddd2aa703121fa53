mail-service = Serbisyo sa litrato para sa aplikasyon ng My Number Card
mail-greeting = Mahal na { $name },
mail-greeting_anonymous = Mahal na aplikante,
mail-footer =
    --
    { mail-service }
    Ipinadala ang mail na ito mula sa address na hindi tumatanggap ng sagot.
    Hindi namin kailanman itatanong sa e-mail ang iyong My Number (individual number) o PIN.
mail-number_withheld = [hindi ipinapakita ang numero]
mail-date = { $year }-{ $month }-{ $day }
mail-link_subject = Aplikasyon para sa My Number Card: ang iyong one-time link
mail-link_body =
    Nairehistro na namin ang iyong e-mail address para sa aplikasyon ng My Number Card.
    Buksan ang link sa ibaba para mag-upload ng litrato at ilagay ang detalye ng aplikasyon.

    { $url }

    ・Isang beses lang gagana ang link.
    ・Mag-e-expire ito sa { $until }.
    ・Kung nag-expire na, magsimula ulit sa paglalagay ng iyong e-mail address.

    Kung hindi mo hiningi ang mail na ito, huwag itong pansinin: walang mangyayari hangga't hindi binubuksan ang link.
mail-link_note = [Filipino] Buksan ang link sa itaas para ituloy ang aplikasyon. Isang beses lang, hanggang { $until }. Kung hindi mo ito hiningi, huwag pansinin ang mail na ito.
mail-completion_subject = Natanggap ang aplikasyon para sa My Number Card
mail-completion_intro = Natanggap namin ang iyong aplikasyon para sa My Number Card.
mail-completion_form_id = Application form ID (huling 4 digit): { $id }
mail-completion_status = Status: { $summary }
mail-completion_card_until = Valid ang card hanggang (inaasahan): { $date }
mail-completion_certificates = Mga electronic certificate: { $note }
mail-completion_outro = Ang mga susunod na abiso ay manggagaling sa tanggapan ng iyong lungsod, ward, bayan o nayon.
mail-completion_note = [Filipino] Natanggap namin ang iyong aplikasyon para sa My Number Card; nasa itaas ang detalye.
mail-retake_subject = Aplikasyon para sa My Number Card: magpadala ng bagong litrato
mail-retake_intro = Sinuri namin ang litratong ipinadala mo. Sa kasamaang-palad, kailangan namin ng bagong litrato dahil sa mga sumusunod:
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = Paalala mula sa tauhan:
mail-retake_link = I-upload ang bagong litrato dito; naka-save ang lahat ng iba mong inilagay:
mail-retake_same_way = Ipadala ang bagong litrato sa parehong paraan ng iyong pag-apply.
mail-retake_rules = Dapat kinuha ang litrato sa loob ng nakaraang 6 na buwan, nakaharap, walang sumbrero, payak ang background.
mail-retake_note = [Filipino] Magpadala ng bagong litrato para sa iyong aplikasyon; nasa itaas ang mga dahilan (may rule ID).
mail-accepted_subject = Aplikasyon para sa My Number Card: tinanggap ang litrato
mail-accepted_intro = Sinuri namin ang litratong ipinadala mo at tinanggap ito para sa iyong aplikasyon.
mail-accepted_form_id = Application form ID (huling 4 digit): { $id }
mail-accepted_no_more = Hindi mo na kailangang magpadala ng ibang litrato.
mail-accepted_note = [Filipino] Tinanggap ang iyong litrato; hindi mo na kailangang magpadala ng iba.
