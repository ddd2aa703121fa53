# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = รูปถ่ายบัตรมายนัมเบอร์
kiosk-language = ภาษา
kiosk-attract = กรุณาแสดงคิวอาร์โค้ดบนแบบฟอร์มคำร้องต่อกล้อง
kiosk-form = อ่านแบบฟอร์มแล้ว กรุณาหันหน้าตรงเข้าหากล้อง
kiosk-accept = จะส่งรูปนี้
kiosk-review = เจ้าหน้าที่จะตรวจสอบรูปนี้
kiosk-reject = รูปนี้ไม่ผ่านเกณฑ์ ถ่ายใหม่อีกครั้ง
kiosk-hold = กรุณาอยู่นิ่ง ๆ
kiosk-choose = ถ่ายใหม่ครบจำนวนครั้งแล้ว กรุณาเลือก
kiosk-submit = ส่งรูปที่ดีที่สุด (เจ้าหน้าที่จะตรวจสอบ)
kiosk-cancel = ยกเลิกและรับเงินคืน
