mail-service = บริการรูปถ่ายสำหรับคำขอบัตร My Number
mail-greeting = เรียน คุณ{ $name }
mail-greeting_anonymous = เรียน ผู้ยื่นคำขอ
mail-footer =
    --
    { mail-service }
    อีเมลนี้ส่งจากที่อยู่ที่ไม่รับการตอบกลับ
    เราจะไม่ถามหมายเลข My Number (หมายเลขประจำตัวบุคคล) หรือรหัส PIN ของคุณทางอีเมล
mail-number_withheld = [ไม่แสดงหมายเลข]
mail-date = { $day }/{ $month }/{ $year }
mail-link_subject = คำขอบัตร My Number: ลิงก์ใช้ครั้งเดียวของคุณ
mail-link_body =
    เราได้ลงทะเบียนอีเมลของคุณสำหรับคำขอบัตร My Number แล้ว
    โปรดเปิดลิงก์ด้านล่างเพื่ออัปโหลดรูปถ่ายและกรอกข้อมูลคำขอ

    { $url }

    ・ลิงก์นี้ใช้ได้ครั้งเดียว
    ・หมดอายุเวลา { $until }
    ・หากหมดอายุแล้ว โปรดเริ่มใหม่โดยกรอกอีเมลของคุณ

    หากคุณไม่ได้ขออีเมลนี้ โปรดเพิกเฉย จะไม่มีอะไรเกิดขึ้นหากไม่เปิดลิงก์
mail-link_note = [ไทย] โปรดเปิดลิงก์ด้านบนเพื่อทำคำขอต่อ ใช้ได้ครั้งเดียวจนถึง { $until } หากคุณไม่ได้ขอ โปรดเพิกเฉยต่ออีเมลนี้
mail-completion_subject = ได้รับคำขอบัตร My Number แล้ว
mail-completion_intro = เราได้รับคำขอบัตร My Number ของคุณแล้ว
mail-completion_form_id = ID แบบฟอร์มคำขอ (4 หลักสุดท้าย): { $id }
mail-completion_status = สถานะ: { $summary }
mail-completion_card_until = บัตรใช้ได้ถึง (คาดว่า): { $date }
mail-completion_certificates = ใบรับรองอิเล็กทรอนิกส์: { $note }
mail-completion_outro = การแจ้งครั้งต่อไปจะมาจากสำนักงานเทศบาลที่คุณอาศัยอยู่
mail-completion_note = [ไทย] เราได้รับคำขอบัตร My Number ของคุณแล้ว รายละเอียดอยู่ด้านบน
mail-retake_subject = คำขอบัตร My Number: โปรดส่งรูปใหม่
mail-retake_intro = เราได้ตรวจรูปที่คุณส่งมาแล้ว ขออภัย เราต้องการรูปใหม่ด้วยเหตุผลต่อไปนี้:
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = หมายเหตุจากเจ้าหน้าที่:
mail-retake_link = โปรดอัปโหลดรูปใหม่ที่นี่ ข้อมูลอื่นที่คุณกรอกไว้ยังอยู่ครบ:
mail-retake_same_way = โปรดส่งรูปใหม่ด้วยวิธีเดียวกับที่คุณยื่นคำขอ
mail-retake_rules = รูปต้องถ่ายภายใน 6 เดือนที่ผ่านมา หน้าตรง ไม่สวมหมวก พื้นหลังเรียบ
mail-retake_note = [ไทย] โปรดส่งรูปใหม่สำหรับคำขอของคุณ เหตุผล (พร้อมรหัสกฎ) อยู่ด้านบน
mail-accepted_subject = คำขอบัตร My Number: รับรูปถ่ายแล้ว
mail-accepted_intro = เราได้ตรวจรูปที่คุณส่งมาและรับไว้สำหรับคำขอของคุณแล้ว
mail-accepted_form_id = ID แบบฟอร์มคำขอ (4 หลักสุดท้าย): { $id }
mail-accepted_no_more = คุณไม่ต้องส่งรูปอื่นอีก
mail-accepted_note = [ไทย] รับรูปของคุณแล้ว ไม่ต้องส่งรูปอื่นอีก
