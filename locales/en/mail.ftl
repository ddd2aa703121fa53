# Mails (src/mail/templates.rs). A mail is: greeting, body, footer, then one closing line in
# the other language (`*-note`: English under a Japanese mail, Japanese under any other).
mail-service = My Number Card application photo service
mail-greeting = Dear { $name },
mail-greeting_anonymous = Dear applicant,
mail-footer =
    --
    { mail-service }
    This mail was sent from an address that does not take replies.
    We never ask for your My Number (individual number) or PINs by mail.
mail-number_withheld = [number withheld]
mail-date = { $day } { $monthname } { $year }
mail-link_subject = My Number Card application: your one-time link
mail-link_body =
    We have registered your email address for a My Number Card application.
    Open the link below to upload your photo and enter your application details.

    { $url }

    - The link works once only.
    - It expires at { $until }.
    - If it has expired, start again by entering your email address.

    If you did not ask for this mail, you can ignore it: nothing happens unless the link is opened.
mail-link_note = { "[" }English] Open the link above to continue your My Number Card application. It works once, until { $until }. If you did not ask for it, ignore this mail.
mail-completion_subject = My Number Card application received
mail-completion_intro = We have received your My Number Card application.
mail-completion_form_id = Application form ID (last 4 digits): { $id }
mail-completion_status = Status: { $summary }
mail-completion_card_until = Card valid until (expected): { $date }
mail-completion_certificates = Electronic certificates: { $note }
mail-completion_outro = Further notices will come from your city, ward, town or village office.
mail-completion_note = { "[" }English] We have received your My Number Card application; the details are above.
mail-retake_subject = My Number Card application: please send a new photo
mail-retake_intro = We have checked the photo you submitted. Unfortunately we need a new photo, for the following reasons:
mail-retake_reason = - { $rule }: { $text }
mail-retake_comment = Comment from the reviewer:
mail-retake_link = Please upload the new photo here; everything else you entered is kept:
mail-retake_same_way = Please submit the new photo the same way you applied.
mail-retake_rules = The photo must have been taken within the last 6 months, facing the front, without a hat, against a plain background.
mail-retake_note = { "[" }English] Please send a new photo for your My Number Card application; the reasons (with rule IDs) are listed above.
mail-accepted_subject = My Number Card application: photo accepted
mail-accepted_intro = We have checked the photo you submitted and accepted it for your application.
mail-accepted_form_id = Application form ID (last 4 digits): { $id }
mail-accepted_no_more = You do not need to send another photo.
mail-accepted_note = { "[" }English] Your photo has been accepted; you need not send another.
