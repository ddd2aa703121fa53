mail-service = Serviço de foto para a solicitação do Cartão My Number
mail-greeting = Prezado(a) { $name },
mail-greeting_anonymous = Prezado(a) solicitante,
mail-footer =
    --
    { mail-service }
    Este e-mail foi enviado de um endereço que não recebe respostas.
    Nunca pedimos o seu My Number (número individual) nem senhas por e-mail.
mail-number_withheld = [número ocultado]
mail-date = { $day }/{ $month }/{ $year }
mail-link_subject = Solicitação do Cartão My Number: seu link de uso único
mail-link_body =
    Registramos o seu e-mail para uma solicitação do Cartão My Number.
    Abra o link abaixo para enviar a sua foto e preencher os dados da solicitação.

    { $url }

    ・O link funciona uma única vez.
    ・Ele expira em { $until }.
    ・Se tiver expirado, comece de novo informando o seu e-mail.

    Se você não pediu este e-mail, pode ignorá-lo: nada acontece se o link não for aberto.
mail-link_note = [Português] Abra o link acima para continuar a solicitação. Funciona uma vez, até { $until }. Se você não pediu, ignore este e-mail.
mail-completion_subject = Solicitação do Cartão My Number recebida
mail-completion_intro = Recebemos a sua solicitação do Cartão My Number.
mail-completion_form_id = ID do formulário (últimos 4 dígitos): { $id }
mail-completion_status = Situação: { $summary }
mail-completion_card_until = Cartão válido até (previsão): { $date }
mail-completion_certificates = Certificados eletrônicos: { $note }
mail-completion_outro = Os próximos avisos virão da prefeitura do seu município (cidade, distrito ou vila).
mail-completion_note = [Português] Recebemos a sua solicitação do Cartão My Number; os detalhes estão acima.
mail-retake_subject = Solicitação do Cartão My Number: envie uma nova foto
mail-retake_intro = Verificamos a foto que você enviou. Infelizmente precisamos de uma nova foto, pelos seguintes motivos:
mail-retake_reason = ・{ $rule }: { $text }
mail-retake_comment = Observação do atendente:
mail-retake_link = Envie a nova foto aqui; todo o resto que você preencheu está guardado:
mail-retake_same_way = Envie a nova foto da mesma forma como fez a solicitação.
mail-retake_rules = A foto deve ter sido tirada nos últimos 6 meses, de frente, sem chapéu, com fundo liso.
mail-retake_note = [Português] Envie uma nova foto para a sua solicitação; os motivos (com o código da regra) estão acima.
mail-accepted_subject = Solicitação do Cartão My Number: foto aceita
mail-accepted_intro = Verificamos a foto que você enviou e a aceitamos para a sua solicitação.
mail-accepted_form_id = ID do formulário (últimos 4 dígitos): { $id }
mail-accepted_no_more = Você não precisa enviar outra foto.
mail-accepted_note = [Português] Sua foto foi aceita; não é preciso enviar outra.
