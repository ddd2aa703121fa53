# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = My Number Card photo
kiosk-language = Language
kiosk-attract = Hold the QR code of your application form up to the camera
kiosk-form = Form read. Please face the camera
kiosk-accept = This photo will be sent
kiosk-review = A person will check this photo
kiosk-reject = This photo does not meet the rules: let's take another
kiosk-hold = Hold still
kiosk-choose = No retakes left. Please choose
kiosk-submit = Send the best photo (a person will check it)
kiosk-cancel = Cancel and get a refund
