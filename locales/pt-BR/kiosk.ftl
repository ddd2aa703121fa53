# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = Foto do My Number Card
kiosk-language = Idioma
kiosk-attract = Mostre o código QR do formulário de solicitação para a câmera
kiosk-form = Formulário lido. Olhe de frente para a câmera
kiosk-accept = Esta foto será enviada
kiosk-review = Uma pessoa vai verificar esta foto
kiosk-reject = Esta foto não atende às regras. Vamos tirar outra
kiosk-hold = Fique parado
kiosk-choose = Não há mais novas tentativas. Escolha
kiosk-submit = Enviar a melhor foto (uma pessoa vai verificá-la)
kiosk-cancel = Cancelar e receber o reembolso
