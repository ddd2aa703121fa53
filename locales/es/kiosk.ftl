# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = Foto de la tarjeta My Number
kiosk-language = Idioma
kiosk-attract = Muestre a la cámara el código QR del formulario de solicitud
kiosk-form = Formulario leído. Mire de frente a la cámara
kiosk-accept = Se enviará esta foto
kiosk-review = Una persona revisará esta foto
kiosk-reject = Esta foto no cumple las normas. Tomemos otra
kiosk-hold = No se mueva
kiosk-choose = No quedan más intentos. Elija
kiosk-submit = Enviar la mejor foto (una persona la revisará)
kiosk-cancel = Cancelar y recibir el reembolso
