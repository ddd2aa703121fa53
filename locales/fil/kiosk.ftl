# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = Litrato para sa My Number Card
kiosk-language = Wika
kiosk-attract = Itapat sa camera ang QR code ng iyong application form
kiosk-form = Nabasa na ang form. Humarap sa camera
kiosk-accept = Ipapadala ang litratong ito
kiosk-review = Titingnan ng isang tao ang litratong ito
kiosk-reject = Hindi pasado ang litratong ito. Kukuha ulit tayo
kiosk-hold = Huwag gumalaw
kiosk-choose = Wala nang natitirang pagkuha ulit. Pumili
kiosk-submit = Ipadala ang pinakamagandang litrato (titingnan ito ng isang tao)
kiosk-cancel = Kanselahin at ibalik ang bayad
